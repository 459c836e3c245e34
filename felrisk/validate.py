"""Check a data directory against the data contract before anything downstream runs on it.

Every problem names the table, the column, the rule broken, how many rows, and a few of them.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import ibis
import pandas as pd
import pandera.errors
import pyarrow as pa
import pyarrow.parquet as pq

from felrisk.contract import TABLES, ContractConfig, TableSpec, load_contract_config
from felrisk.datadir import DataSet, open_data, parquet_path
from felrisk.errors import ContractError
from felrisk.key_order import keys_rise_in_file_order
from felrisk.row_rules import (
    DUPLICATES,
    ID_FORM,
    DateMaxima,
    bad_id_form,
    date_columns,
    date_maxima,
    forms_implied_by_references,
    orphan_count,
    row_checks,
    table_summary,
    usable_columns,
    violations,
)
from felrisk.schemas import IBIS_TYPES, contract_schema, schema_frame

log = logging.getLogger(__name__)

MAX_EXAMPLES = 5
# Rows of each table (the file's first) that pandera's schema also checks, in memory. The
# contract's rules run over every row in felrisk's own one-pass aggregate; pandera's ibis backend
# cost a query per column and check (half of validation on a 200,000-person world), its pandas
# backend on Arrow-typed columns a few milliseconds per table beside the read.
PANDERA_GATE_ROWS = 200_000


@dataclass(frozen=True)
class Problem:
    """One broken rule: where, what, how many rows, and a few of them."""

    table: str
    column: str
    rule: str
    n_rows: int = 0
    examples: tuple[dict, ...] = ()

    def describe(self) -> str:
        head = f"{self.table}.{self.column}: {self.rule}"
        if self.n_rows:
            head += f" ({self.n_rows:,} rows)"
        lines = [head]
        for ex in self.examples:
            lines.append("    " + ", ".join(f"{k}={_fmt(v)}" for k, v in ex.items()))
        return "\n".join(lines)


@dataclass
class ValidationReport:
    """The result of validating one data directory."""

    path: Path
    row_counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            tables = ", ".join(f"{t} {n:,}" for t, n in self.row_counts.items())
            return f"{self.path}: valid ({tables})"
        body = "\n".join(p.describe() for p in self.problems)
        return f"{self.path}: {len(self.problems)} contract problem(s)\n{body}"


def _fmt(value: object) -> str:
    return "null" if value is None or value != value else str(value)


def validate_data(
    path: str | Path,
    *,
    raise_on_error: bool = True,
    config: ContractConfig | None = None,
    today: date | None = None,
) -> ValidationReport:
    """Validate every contract table at `path`; raise ContractError listing all problems.

    Every row of every table is checked: types, nulls, codes, ranges, finite floats, id format,
    duplicates, date order, no known-from date after `today` (default: the clock's), no date
    after the data's last day (see `_late_dates`), references, and pandera's schema on each
    table's first rows. Data that breaks no rule is checked in two queries (`_clean_report`);
    data with a problem is checked again rule by rule (`_check`), so that the report names exactly
    the problems it always named.

    That check leaves the id form of a column that refers to another table's key to the
    reference at first: a reference that holds makes each value one of the key's, whose form is
    checked. Data with any problem is checked again with every id form on its own.
    """
    path = Path(path)
    config = config or load_contract_config()
    today = today or date.today()
    report = _clean_report(path, config, today)
    if report is None:
        report = _check(path, config, today, forms_implied_by_references())
    if report.problems:
        report = _check(path, config, today, {})
    if report.problems:
        log.error("validation failed: %d problem(s) in %s", len(report.problems), path)
        if raise_on_error:
            raise ContractError(report.summary(), report.problems)
    else:
        log.info("validation passed: %s", path)
    return report


def _clean_report(path: Path, config: ContractConfig, today: date) -> ValidationReport | None:
    """The report on data that breaks no rule, from two queries; None on any problem.

    Every rule of `_check` in one pass per table (`table_summary`: the form of each id column
    that no reference implies row by row; no count of distinct keys where the keys rise in file
    order, `_keys_in_order`), all tables in one query; every reference in a second
    (`orphan_count`: one anti-join per target); then pandera's gate. The key order and, for a
    Parquet folder, the gate read the files with pyarrow in a thread beside DuckDB's queries
    (their one core beside DuckDB's two). `_check` runs about 40 queries, a pass each: on a
    200,000-person world validation takes 1.1-1.5 s where `_check` took 3.0-3.4 s (2 cores,
    repeated in one process); on a 1,000,000-person world 6.2-7.9 s of CPU where the count of
    distinct keys and the gate after the queries took 8.1-9.7 s (a shared, loaded machine). The
    tables' aggregates side by side hold 140 MB at the peak at 200,000 persons, one at a time
    80 MB. A broken rule, a failed read or a missing table or column returns None, and `_check`,
    run on the same data, names it.
    """
    data = open_data(path)
    report = ValidationReport(path)
    dates = DateMaxima()
    try:
        for spec in TABLES.values():
            if spec.name not in data:
                return None
            if usable_columns(spec, data[spec.name].schema()) != set(spec.column_names):
                return None
        files = ThreadPoolExecutor(max_workers=1)
        try:
            # pyarrow's reads of the files run beside DuckDB's queries; a DuckDB file's tables
            # are read through the one connection, so its gate waits for them
            unique = files.submit(_keys_in_order, data)
            gate = files.submit(_pandera_gates, data) if data.path.is_dir() else None
            if orphan_count(data.tables).to_pyarrow().as_py():
                return None
            summaries = _summaries(data, config, today, unique.result())
            rows = {r["table"]: r for r in summaries.to_pyarrow().to_pylist()}
            if any(any(r["violations"]) for r in rows.values()):
                return None
            for spec in TABLES.values():
                row = rows[spec.name]
                report.row_counts[spec.name] = row["rows"]
                columns = date_columns(spec, set(spec.column_names))
                for column, newest in zip(columns, row["maxima"], strict=True):
                    if newest is not None:
                        dates.add(spec, column, newest)
            if dates.late(config.date_slack_days):
                return None
            report.problems.extend(gate.result() if gate else _pandera_gates(data))
        finally:
            # on a problem, a gate not yet begun is dropped: `_check` runs the gate anyway
            files.shutdown(wait=True, cancel_futures=True)
    except (duckdb.Error, ContractError):
        return None
    finally:
        _close(data)
    return None if report.problems else report


def _summaries(
    data: DataSet, config: ContractConfig, today: date, in_order: set[str]
) -> ibis.Table:
    """Every table's `table_summary` in one union, for one query; `in_order`: the tables whose
    keys `_keys_in_order` proved unique."""
    implied = forms_implied_by_references()
    return ibis.union(
        *(
            table_summary(
                data[s.name], s, config.id_pattern, today, implied[s.name], s.name in in_order
            )
            for s in TABLES.values()
        ),
        distinct=False,
    )


def _keys_in_order(data: DataSet) -> set[str]:
    """The tables of a Parquet folder whose keys rise strictly in file order, so are unique."""
    if not data.path.is_dir():
        return set()
    return {
        spec.name
        for spec in TABLES.values()
        if keys_rise_in_file_order(parquet_path(data.path, spec.name), spec.key)
    }


def _check(
    path: Path, config: ContractConfig, today: date, implied: dict[str, frozenset[str]]
) -> ValidationReport:
    """Every rule on every table, but the id forms in `implied` (table -> columns)."""
    data = open_data(path)
    report = ValidationReport(path)
    dates = DateMaxima()
    try:
        for spec in TABLES.values():
            if spec.name not in data:
                report.problems.append(
                    Problem(spec.name, "-", f"table missing (expected {spec.name}.parquet)")
                )
                continue
            skip = implied.get(spec.name, frozenset())
            _validate_table(data, spec, report, config, today, dates, skip)
        _late_dates(data, report, dates, config.date_slack_days)
        _validate_references(data, report)
    finally:
        _close(data)
    return report


def _close(data: DataSet) -> None:
    disconnect = getattr(data.con, "disconnect", None)
    if disconnect is not None:
        disconnect()


def _validate_table(
    data: DataSet,
    spec: TableSpec,
    report: ValidationReport,
    config: ContractConfig,
    today: date,
    dates: DateMaxima,
    implied: frozenset[str] = frozenset(),
) -> None:
    t = data[spec.name]
    schema = t.schema()
    usable = usable_columns(spec, schema)
    for col in spec.columns:
        if col.name not in schema:
            report.problems.append(Problem(spec.name, col.name, "column missing"))
        elif col.name not in usable:
            report.problems.append(
                Problem(
                    spec.name,
                    col.name,
                    f"wrong type {schema[col.name]}, the contract says {IBIS_TYPES[col.type]}",
                )
            )

    checks = row_checks(spec, t, usable, config.id_pattern, today)
    id_columns = [col for col, _, pred in checks if pred is ID_FORM and col not in implied]
    bad_id_forms = _bad_id_forms(t, spec, id_columns, config.id_pattern)
    date_cols = date_columns(spec, usable)
    try:
        counts = t.aggregate(
            [ibis._.count().name("__rows")]
            + [
                violations(t, spec, pred).name(f"c{i}")
                for i, (_, _, pred) in enumerate(checks)
                if pred is not ID_FORM
            ]
            + date_maxima(t, spec, usable, today)
        ).execute()
    except duckdb.Error as exc:
        source = parquet_path(data.path, spec.name) if data.path.is_dir() else data.path
        raise ContractError(
            f"{source}: cannot read the rows of {spec.name} ({_first_line(exc)})"
        ) from exc
    report.row_counts[spec.name] = int(counts["__rows"].iloc[0])
    for c in date_cols:
        newest = counts[f"m_{c}"].iloc[0]
        if newest is None or pd.isna(newest):
            continue
        dates.add(spec, c, pd.Timestamp(newest).date())
    failed = False
    for i, (column, rule, pred) in enumerate(checks):
        if pred is ID_FORM:
            if column in bad_id_forms:
                failed = True
                pred = bad_id_form(t, column, config.id_pattern)
                n = int(t.filter(pred).count().execute())
                report.problems.append(
                    Problem(spec.name, column, rule, n, _examples(t, spec, pred, column))
                )
            continue
        n = counts[f"c{i}"].iloc[0]
        n = 0 if n is None or n != n else int(n)
        if n and pred is DUPLICATES:
            t_dup = t.mutate(__dup=t.count().over(group_by=[t[k] for k in spec.key]))
            pred = t_dup["__dup"] > 1
            n = int(t_dup.filter(pred).count().execute())
            if n:
                failed = True
                report.problems.append(
                    Problem(spec.name, column, rule, n, _examples(t_dup, spec, pred, column))
                )
        elif n:
            failed = True
            report.problems.append(
                Problem(spec.name, column, rule, n, _examples(t, spec, pred, column))
            )
    # An empty table is valid (a small world may have no time reports); pandera's lazy checks
    # report a failure with no failure cases on zero rows, so it only sees non-empty tables.
    if not failed and usable == set(spec.column_names) and report.row_counts[spec.name]:
        _pandera_gate(spec, data, report)


def _bad_id_forms(t: ibis.Table, spec: TableSpec, columns: list[str], pattern: str) -> set[str]:
    """The id columns of `columns` holding a non-null value not of the contract's id form."""
    if not columns:
        return set()
    parts = []
    for c in columns:
        part = t.select(column=ibis.literal(c), value=t[c])
        # a table's own single-column key is unique already: a distinct would only cost
        parts.append(part if list(spec.key) == [c] else part.distinct())
    values = parts[0].union(*parts[1:], distinct=False) if len(parts) > 1 else parts[0]
    bad = values.filter(values.value.notnull() & ~values.value.re_search(pattern))
    return set(bad.select("column").distinct().execute()["column"])


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().split("\n", 1)[0]


def _late_dates(data: DataSet, report: ValidationReport, dates: DateMaxima, slack: int) -> None:
    """Dates after the data's last day (plus `slack` days): a date no extract can yet hold."""
    last, bound = dates.last_day(), dates.bound(slack)
    for table, column in dates.late(slack):
        spec = TABLES[table]
        t = data[table]
        pred = t[column].notnull() & (t[column] > bound)
        n = int(t.filter(pred).count().execute())
        rule = f"date after the data's last day ({last.isoformat()}"
        rule += f" + {slack} days)" if slack else ")"
        report.problems.append(Problem(table, column, rule, n, _examples(t, spec, pred, column)))


def _examples(t: ibis.Table, spec: TableSpec, pred, column: str) -> tuple[dict, ...]:
    cols = [c for c in dict.fromkeys((*spec.key, *column.split("+"))) if c in t.columns]
    order = [c for c in spec.key if c in t.columns] or cols
    rows = t.filter(pred).select(cols).order_by(order).limit(MAX_EXAMPLES).execute()
    return tuple(rows.to_dict("records"))


def _pandera_gates(data: DataSet) -> list[Problem]:
    """pandera's gate on every non-empty contract table of `data`, in contract order."""
    report = ValidationReport(data.path)
    for spec in TABLES.values():
        _pandera_gate(spec, data, report)
    return report.problems


def _pandera_gate(spec: TableSpec, data: DataSet, report: ValidationReport) -> None:
    """Second opinion from the table's pandera schema on its first PANDERA_GATE_ROWS rows.

    The rows come in file order (a read that stops early; ordering by key would sort the whole
    table), as Arrow-typed pandas columns (`schema_frame`).
    """
    rows = _first_rows(spec, data)
    if not rows.num_rows:
        return  # see `_validate_table`: pandera fails an empty table with no failure case
    head = schema_frame(rows, spec)
    try:
        contract_schema(spec.name).validate(head, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        report.problems.append(Problem(spec.name, "-", f"pandera schema: {exc}"))


def _first_rows(spec: TableSpec, data: DataSet) -> pa.Table:
    """The contract columns of a table's first PANDERA_GATE_ROWS rows, in file order.

    From a Parquet folder pyarrow reads them from the file itself, batch by batch: 0.3 s for the
    ten tables of a 200,000-person world where DuckDB's LIMIT took 0.8 s (on one thread).
    """
    columns = list(spec.column_names)
    if not data.path.is_dir():
        return data[spec.name].select(*columns).limit(PANDERA_GATE_ROWS).to_pyarrow()
    source = parquet_path(data.path, spec.name)
    batches: list[pa.RecordBatch] = []
    try:
        with pq.ParquetFile(source) as f:
            empty = f.schema_arrow.empty_table().select(columns)
            for batch in f.iter_batches(batch_size=PANDERA_GATE_ROWS, columns=columns):
                batches.append(batch)
                if sum(b.num_rows for b in batches) >= PANDERA_GATE_ROWS:
                    break
    except (OSError, pa.ArrowException) as exc:
        raise ContractError(
            f"{source}: cannot read the rows of {spec.name} ({_first_line(exc)})"
        ) from exc
    head = pa.Table.from_batches(batches) if batches else empty
    return head.slice(0, PANDERA_GATE_ROWS)


def _validate_references(data: DataSet, report: ValidationReport) -> None:
    """Non-null references to a missing row: one query per referring table counts them all.

    Tables with a problem of their own are left out on either side; only a broken reference
    costs a second query, for its rows.
    """
    broken_tables = {p.table for p in report.problems}
    for spec in TABLES.values():
        if spec.name not in data or spec.name in broken_tables:
            continue
        refs = [r for r in spec.references if r.table in data and r.table not in broken_tables]
        if not refs:
            continue
        t = data[spec.name]
        joined = t
        for i, ref in enumerate(refs):
            target = _targets(data, ref, f"__ref{i}")
            joined = joined.left_join(target, joined[ref.column] == target[f"__ref{i}"])
        counts = joined.aggregate(
            [
                (joined[ref.column].notnull() & joined[f"__ref{i}"].isnull())
                .cast("int64")
                .sum()
                .name(f"c{i}")
                for i, ref in enumerate(refs)
            ]
        ).execute()
        for i, ref in enumerate(refs):
            n = counts[f"c{i}"].iloc[0]
            n = 0 if n is None or n != n else int(n)
            if n:
                target = _targets(data, ref, "__ref")
                orphans = t.filter(t[ref.column].notnull()).anti_join(
                    target, t[ref.column] == target["__ref"]
                )
                cols = list(dict.fromkeys((*spec.key, ref.column)))
                ex = orphans.select(cols).order_by(cols).limit(MAX_EXAMPLES).execute()
                report.problems.append(
                    Problem(
                        spec.name,
                        ref.column,
                        f"refers to a missing {ref.table}.{ref.target}",
                        n,
                        tuple(ex.to_dict("records")),
                    )
                )


def _targets(data: DataSet, ref, name: str) -> ibis.Table:
    """The distinct values a reference may point at, in one column `name`.

    A target that is its table's key is distinct already (its table passed, duplicates
    included), so no hash aggregate over it is needed.
    """
    target = data[ref.table]
    values = target.select(**{name: target[ref.target]})
    return values if TABLES[ref.table].key == (ref.target,) else values.distinct()
