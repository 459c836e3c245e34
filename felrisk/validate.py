"""Check a data directory against the data contract before anything downstream runs on it.

Every problem names the table, the column, the rule broken, how many rows, and a few of them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import ibis
import ibis.expr.datatypes as dt
import pandas as pd
import pandera.errors

from felrisk.contract import TABLES, Column, ContractConfig, TableSpec, load_contract_config
from felrisk.datadir import DataSet, open_data, parquet_path
from felrisk.errors import ContractError
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

    Every row of every table is checked in one aggregate query per table: types, nulls, codes,
    ranges, finite floats, id format, duplicates, date order, no known-from date after `today`
    (default: the clock's), and then no date after the data's last day (see `_late_dates`) and
    references (one query per referring table). A broken rule costs one more query, for its
    rows.

    The id form of a column that refers to another table's key is not checked on its own at
    first: a reference that holds makes each value one of the key's, whose form is checked. Data
    with any problem is checked again with every id form on its own, so that the report names
    exactly the problems it always named.
    """
    path = Path(path)
    config = config or load_contract_config()
    today = today or date.today()
    report = _check(path, config, today, _forms_implied_by_references())
    if report.problems:
        report = _check(path, config, today, {})
    if report.problems:
        log.error("validation failed: %d problem(s) in %s", len(report.problems), path)
        if raise_on_error:
            raise ContractError(report.summary(), report.problems)
    else:
        log.info("validation passed: %s", path)
    return report


def _check(
    path: Path, config: ContractConfig, today: date, implied: dict[str, frozenset[str]]
) -> ValidationReport:
    """Every rule on every table, but the id forms in `implied` (table -> columns)."""
    data = open_data(path)
    report = ValidationReport(path)
    dates = _DateMaxima()
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


def _forms_implied_by_references() -> dict[str, frozenset[str]]:
    """Per table, the id columns whose every value a holding reference makes a value of another
    table's single-column key, itself an id column checked on its own (no reference)."""
    direct = {
        (s.name, s.key[0])
        for s in TABLES.values()
        if len(s.key) == 1
        and any(c.name == s.key[0] and c.is_id for c in s.columns)
        and not any(r.column == s.key[0] for r in s.references)
    }
    return {
        s.name: frozenset(r.column for r in s.references if (r.table, r.target) in direct)
        for s in TABLES.values()
    }


@dataclass
class _DateMaxima:
    """Per table and date column, the newest date seen (known-from columns: not after today)."""

    known_from: dict[tuple[str, str], date] = field(default_factory=dict)
    other: dict[tuple[str, str], date] = field(default_factory=dict)

    def last_day(self) -> date | None:
        """The data's last day: the newest known-from date not after today, over all tables."""
        return max(self.known_from.values(), default=None)


def _close(data: DataSet) -> None:
    disconnect = getattr(data.con, "disconnect", None)
    if disconnect is not None:
        disconnect()


def _type_ok(actual: dt.DataType, col: Column) -> bool:
    return actual.copy(nullable=True) == IBIS_TYPES[col.type].copy(nullable=True)


def _validate_table(
    data: DataSet,
    spec: TableSpec,
    report: ValidationReport,
    config: ContractConfig,
    today: date,
    dates: _DateMaxima,
    implied: frozenset[str] = frozenset(),
) -> None:
    t = data[spec.name]
    schema = t.schema()
    usable: set[str] = set()
    for col in spec.columns:
        if col.name not in schema:
            report.problems.append(Problem(spec.name, col.name, "column missing"))
        elif not _type_ok(schema[col.name], col):
            report.problems.append(
                Problem(
                    spec.name,
                    col.name,
                    f"wrong type {schema[col.name]}, the contract says {IBIS_TYPES[col.type]}",
                )
            )
        else:
            usable.add(col.name)

    checks = _row_checks(spec, t, usable, config.id_pattern, today)
    id_columns = [col for col, _, pred in checks if pred is _ID_FORM and col not in implied]
    bad_id_forms = _bad_id_forms(t, spec, id_columns, config.id_pattern)
    date_cols = [c.name for c in spec.columns if c.type == "date" and c.name in usable]
    maxima = [
        (t[c].max(where=t[c] <= today) if c == spec.known_from else t[c].max()).name(f"m_{c}")
        for c in date_cols
    ]
    try:
        counts = t.aggregate(
            [ibis._.count().name("__rows")]
            + [
                _violations(t, spec, pred).name(f"c{i}")
                for i, (_, _, pred) in enumerate(checks)
                if pred is not _ID_FORM
            ]
            + maxima
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
        newest = pd.Timestamp(newest).date()
        if c in spec.known_dates:
            dates.known_from[(spec.name, c)] = newest
        else:
            dates.other[(spec.name, c)] = newest
    failed = False
    for i, (column, rule, pred) in enumerate(checks):
        if pred is _ID_FORM:
            if column in bad_id_forms:
                failed = True
                pred = t[column].notnull() & ~t[column].re_search(config.id_pattern)
                n = int(t.filter(pred).count().execute())
                report.problems.append(
                    Problem(spec.name, column, rule, n, _examples(t, spec, pred, column))
                )
            continue
        n = counts[f"c{i}"].iloc[0]
        n = 0 if n is None or n != n else int(n)
        if n and pred is _DUPLICATES:
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
        _pandera_gate(spec, t, report)


# The duplicate rule's place in a table's checks: the one-pass aggregate only tells whether any
# key repeats (rows minus distinct keys), and a second query counts the rows sharing a key.
_DUPLICATES = object()


# The id-form rule's place in a table's checks: ids repeat (a person has thousands of income
# rows), so the form is checked on each column's distinct values in one query of its own; a
# regular expression on every row was most of validation at 1M. Rows are counted on a failure.
_ID_FORM = object()


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


def _violations(t: ibis.Table, spec: TableSpec, pred: object) -> ibis.Value:
    """The aggregate of one check: offending rows, or for duplicates rows beyond distinct keys.

    Rows minus distinct keys is above zero exactly when some key repeats (a null key counts as
    one value, as it does in the exact count's grouping), without a window over every row.
    """
    if pred is not _DUPLICATES:
        return pred.cast("int64").sum()
    key = t[spec.key[0]] if len(spec.key) == 1 else ibis.struct({k: t[k] for k in spec.key})
    distinct = key.nunique() + key.isnull().any().cast("int64")
    return t.count() - distinct


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().split("\n", 1)[0]


def _row_checks(
    spec: TableSpec, t: ibis.Table, usable: set[str], id_pattern: str, today: date
) -> list[tuple[str, str, object]]:
    """(column, rule, predicate of offending rows) for every row-level rule of the contract."""
    checks: list[tuple[str, str, object]] = []
    for col in spec.columns:
        if col.name not in usable:
            continue
        c = t[col.name]
        if not col.nullable:
            checks.append((col.name, "null in a non-nullable column", c.isnull()))
        if col.codes is not None:
            allowed = ", ".join(col.codes)
            checks.append(
                (col.name, f"unknown code (allowed: {allowed})", c.notnull() & ~c.isin(col.codes))
            )
        finite = c.notnull()
        if col.type == "float":
            broken = c.isnan() | c.isinf()
            checks.append((col.name, "not a finite number (NaN or infinite)", broken))
            finite = finite & ~broken
        if col.min_value is not None:
            checks.append(
                (col.name, f"value below {col.min_value:g}", finite & (c < col.min_value))
            )
        if col.max_value is not None:
            checks.append(
                (col.name, f"value above {col.max_value:g}", finite & (c > col.max_value))
            )
        if col.is_id:
            checks.append(
                (
                    col.name,
                    f"id not of the contract's form {id_pattern}",
                    _ID_FORM,
                )
            )
        if col.name in spec.known_dates:
            checks.append(
                (col.name, f"date after today ({today.isoformat()})", c.notnull() & (c > today))
            )
    if spec.key and set(spec.key) <= usable:
        checks.append(("+".join(spec.key), "duplicated id", _DUPLICATES))
    for earlier, later in spec.date_order:
        if {earlier, later} <= usable:
            checks.append(
                (later, f"{later} before {earlier}", t[later].notnull() & (t[later] < t[earlier]))
            )
    return checks


def _late_dates(data: DataSet, report: ValidationReport, dates: _DateMaxima, slack: int) -> None:
    """Dates after the data's last day (plus `slack` days): a date no extract can yet hold."""
    last = dates.last_day()
    if last is None:
        return
    bound = last + timedelta(days=slack)
    for (table, column), newest in dates.other.items():
        if newest <= bound:
            continue
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


def _pandera_gate(spec: TableSpec, t: ibis.Table, report: ValidationReport) -> None:
    """Second opinion from the table's pandera schema on its first PANDERA_GATE_ROWS rows.

    The rows come in file order (a read that stops early; ordering by key would sort the whole
    table), as Arrow-typed pandas columns (`schema_frame`).
    """
    head = schema_frame(t.select(*spec.column_names).limit(PANDERA_GATE_ROWS).to_pyarrow(), spec)
    try:
        contract_schema(spec.name).validate(head, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        report.problems.append(Problem(spec.name, "-", f"pandera schema: {exc}"))


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
