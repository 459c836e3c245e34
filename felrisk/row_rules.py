"""The data contract's rules over every row of a table, as Ibis expressions for one aggregate.

Validation (felrisk/validate.py) runs them in one pass per table: on clean data every table's
summary in one query and every reference (`orphan_count`) in a second; on data with a problem one
aggregate per table, and a query of its own for each broken rule's rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import ibis
import ibis.expr.datatypes as dt

from felrisk.contract import TABLES, Column, TableSpec
from felrisk.schemas import IBIS_TYPES

# The duplicate rule's place in a table's checks: the one-pass aggregate only tells whether any
# key repeats (rows minus distinct keys), and a second query counts the rows sharing a key.
DUPLICATES = object()


# The id-form rule's place in a table's checks: ids repeat (a person has thousands of income
# rows), so a regular expression on every row of every id column was most of validation at 1M.
# A column that refers to another table's key is left to its reference (see
# `forms_implied_by_references`); the form of the others is checked on each column's distinct
# values, or row by row where the values are a key's. Rows are counted on a failure.
ID_FORM = object()

Check = tuple[str, str, object]


def type_ok(actual: dt.DataType, col: Column) -> bool:
    """Whether a column's type is the contract's (nullability aside)."""
    return actual.copy(nullable=True) == IBIS_TYPES[col.type].copy(nullable=True)


def usable_columns(spec: TableSpec, schema: ibis.Schema) -> set[str]:
    """The contract columns present with the contract's type."""
    return {c.name for c in spec.columns if c.name in schema and type_ok(schema[c.name], c)}


def row_checks(
    spec: TableSpec, t: ibis.Table, usable: set[str], id_pattern: str, today: date
) -> list[Check]:
    """(column, rule, predicate of offending rows) for every row-level rule of the contract."""
    checks: list[Check] = []
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
            checks.append((col.name, f"id not of the contract's form {id_pattern}", ID_FORM))
        if col.name in spec.known_dates:
            checks.append(
                (col.name, f"date after today ({today.isoformat()})", c.notnull() & (c > today))
            )
    if spec.key and set(spec.key) <= usable:
        checks.append(("+".join(spec.key), "duplicated id", DUPLICATES))
    for earlier, later in spec.date_order:
        if {earlier, later} <= usable:
            checks.append(
                (later, f"{later} before {earlier}", t[later].notnull() & (t[later] < t[earlier]))
            )
    return checks


def violations(t: ibis.Table, spec: TableSpec, pred: object) -> ibis.Value:
    """The aggregate of one check: offending rows, or for duplicates rows beyond distinct keys.

    Rows minus distinct keys is above zero exactly when some key repeats (a null key counts as
    one value, as it does in the exact count's grouping), without a window over every row.
    """
    if pred is not DUPLICATES:
        return pred.cast("int64").sum()
    key = t[spec.key[0]] if len(spec.key) == 1 else ibis.struct({k: t[k] for k in spec.key})
    distinct = key.nunique() + key.isnull().any().cast("int64")
    return t.count() - distinct


def bad_id_form(t: ibis.Table, column: str, pattern: str) -> ibis.Value:
    """The rows whose id in `column` is not of the contract's form."""
    return t[column].notnull() & ~t[column].re_search(pattern)


def date_columns(spec: TableSpec, usable: set[str]) -> list[str]:
    return [c.name for c in spec.columns if c.type == "date" and c.name in usable]


def date_maxima(t: ibis.Table, spec: TableSpec, usable: set[str], today: date) -> list[ibis.Value]:
    """Each date column's newest date (a known-from column's: not after today), as `m_<col>`."""
    return [
        (t[c].max(where=t[c] <= today) if c == spec.known_from else t[c].max()).name(f"m_{c}")
        for c in date_columns(spec, usable)
    ]


def table_summary(
    t: ibis.Table,
    spec: TableSpec,
    id_pattern: str,
    today: date,
    implied: frozenset[str],
    unique_key: bool = False,
) -> ibis.Table:
    """One row for a table whose every column is the contract's: its name, its rows, the
    violations of each check in `row_checks` order, and the newest of each date column in
    `date_columns` order (`date_maxima`).

    `unique_key` says the caller has proved the key unique (felrisk/key_order.py): the duplicate
    check then counts no row and costs nothing.

    The form of an id column not in `implied` is checked row by row, within the same pass: its
    values are a key's or few (a distinct of their own cost as much). Summaries of all tables
    share one schema, so that one query can union them.
    """
    usable = set(spec.column_names)
    counts = []
    for column, _, pred in row_checks(spec, t, usable, id_pattern, today):
        if pred is DUPLICATES and unique_key:
            counts.append(ibis.literal(0, type="int64"))
        elif pred is not ID_FORM:
            counts.append(violations(t, spec, pred))
        elif column not in implied:
            counts.append(bad_id_form(t, column, id_pattern).cast("int64").sum())
    maxima = date_maxima(t, spec, usable, today)
    return t.aggregate(
        table=ibis.literal(spec.name),
        rows=t.count(),
        violations=_array([c.fill_null(0) for c in counts], "array<int64>"),
        maxima=_array(maxima, "array<date>"),
    )


def _array(values: list[ibis.Value], type_: str) -> ibis.Value:
    return ibis.array(values) if values else ibis.literal([], type=type_)


def orphan_count(tables: Mapping[str, ibis.Table]) -> ibis.Value:
    """The non-null references to a value their target lacks, over every contract table (all
    in `tables`).

    One anti-join per target column, probed by every column that refers to it: the target's
    hash table is built once, not once per referring table. On a 200,000-person world this takes
    0.3-0.4 s of CPU where joins per referring table took 0.84 s (persons' keys built eight
    times, cases' four).
    """
    targets: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for spec in TABLES.values():
        for ref in spec.references:
            targets.setdefault((ref.table, ref.target), []).append((spec.name, ref.column))
    parts = []
    for (table, target), sources in targets.items():
        keys = tables[table].select(__key=tables[table][target])
        values = ibis.union(
            *(tables[s].select(__value=tables[s][c]) for s, c in sources), distinct=False
        )
        values = values.filter(values.__value.notnull())
        parts.append(values.anti_join(keys, values.__value == keys.__key))
    return ibis.union(*parts, distinct=False).count()


def forms_implied_by_references() -> dict[str, frozenset[str]]:
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
class DateMaxima:
    """Per table and date column, the newest date seen (known-from columns: not after today)."""

    known_from: dict[tuple[str, str], date] = field(default_factory=dict)
    other: dict[tuple[str, str], date] = field(default_factory=dict)

    def add(self, spec: TableSpec, column: str, newest: date) -> None:
        if column in spec.known_dates:
            self.known_from[(spec.name, column)] = newest
        else:
            self.other[(spec.name, column)] = newest

    def last_day(self) -> date | None:
        """The data's last day: the newest known-from date not after today, over all tables."""
        return max(self.known_from.values(), default=None)

    def bound(self, slack: int) -> date | None:
        """The newest date an extract can hold: the last day plus `slack` days."""
        last = self.last_day()
        return None if last is None else last + timedelta(days=slack)

    def late(self, slack: int) -> dict[tuple[str, str], date]:
        """The other date columns whose newest date lies after `bound`."""
        bound = self.bound(slack)
        if bound is None:
            return {}
        return {k: newest for k, newest in self.other.items() if newest > bound}
