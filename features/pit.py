"""Point in time: dates as day numbers, and the one rule "a row is usable on D if known by D-1"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from felrisk.contract import TABLES

if TYPE_CHECKING:
    import pandas as pd

    # What the rule compares and returns: Ibis expressions in the builders, pandas columns of
    # executed rows in the reasons' fact lookups.
    Day = ir.IntegerValue | ir.DateValue | pd.Series | int | date
    Known = ir.BooleanValue | pd.Series


def day(col: ir.DateValue) -> ir.IntegerValue:
    """A date as its day number (days since 1970-01-01): integer arithmetic is portable."""
    return col.epoch_days().cast("int64")


def day_date(day_number: int) -> date:
    """The date of a day number (`day`'s inverse), for executed rows: the reasons' facts."""
    return date.fromordinal(int(day_number) + _EPOCH_ORDINAL)


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def month_index(col: ir.DateValue) -> ir.IntegerValue:
    """A date's month as one integer (year * 12 + month - 1)."""
    return col.year().cast("int64") * 12 + col.month().cast("int64") - 1


def month_start_day(ym: ir.IntegerValue) -> ir.IntegerValue:
    """The day number of the first day of month index `ym` (`month_index`'s inverse)."""
    return day(ibis.date(ym // 12, ym % 12 + 1, 1))


def known_column(name: str, column: str | None = None) -> str:
    """The date column from which rows of contract table `name` are known: its known-from column,
    or `column` when that is another of its known dates (a control's outcome is known from its
    closed date); anything else is a ValueError naming the allowed columns."""
    spec = TABLES[name]
    column = column or spec.known_from
    if column not in spec.known_dates:
        raise ValueError(
            f"{name}.{column} is not a known-from date; allowed: {', '.join(spec.known_dates)}"
        )
    return column


def known_from_day(table: ir.Table, name: str, column: str | None = None) -> ir.IntegerValue:
    """The day number from which a row of contract table `name` is known (see `known_column`).

    Projections carry it under their own name and test it with `known_before`.
    """
    return day(table[known_column(name, column)])


def known_before(known_day: Day, as_of_day: Day) -> Known:
    """The rule itself: a row known from `known_day` is usable on D when known by the end of D-1,
    that is when known_day < D.

    Day numbers or dates, as Ibis expressions or as the pandas columns of executed rows (the
    reasons' fact lookups), so that both sides of the pipeline apply the same rule.
    """
    return known_day < as_of_day


def known_by_date(table: ir.Table, name: str, as_of: date, column: str | None = None) -> Known:
    """`known_by` for one fixed D: compares the date column itself with a date literal, so that
    the engine can skip Parquet row groups by their date statistics."""
    return known_before(table[known_column(name, column)], ibis.literal(as_of, "date"))


def known_by(
    table: ir.Table, name: str, as_of_day: ir.IntegerValue, column: str | None = None
) -> ir.BooleanValue:
    """True for rows of contract table `name` known by the end of D-1 (known-from day < D).

    `column` as in `known_from_day`. Tables without a known-from column (persons, children) are
    static and always known.
    """
    if column is None and TABLES[name].known_from is None:
        return ibis.literal(True)
    return known_before(known_from_day(table, name, column), as_of_day)


def signed_extent(payments: ir.Table) -> ir.FloatingValue:
    """A payment's extent, negative for a reversal (negative amount): reversals cancel their days."""
    return (payments.amount_sek < 0).ifelse(-payments.extent, payments.extent)


def latest_pay(reports: ir.Table, keys: Sequence[str]) -> ir.Table:
    """Income reports (AGI) as known: per `keys`, employer and month, the gross pay of the latest
    of `reports` (rows already limited to those known by D-1). A correction repeats the month's
    whole pay and replaces the report it corrects, so a month's reports are never summed.
    Columns *keys, employer_id, month, pay."""
    return reports.group_by([*keys, "employer_id", "month"]).aggregate(
        pay=reports.gross_pay_sek.argmax(reports.reported_date)
    )


def weekdays_before(n: ir.IntegerValue) -> ir.IntegerValue:
    """Weekdays (Mon-Fri) among day numbers below `n`, counted from a Monday far in the past.

    Only differences are meaningful; the offset keeps every operand positive, so integer division
    and remainder mean the same on every backend. Day 4 (1970-01-05) was a Monday.
    """
    m = n - 4 + 7 * 100_000
    return (m // 7) * 5 + ibis.least(m % 7, 5)


def weekdays(start: ir.IntegerValue, end: ir.IntegerValue) -> ir.IntegerValue:
    """Weekdays in the inclusive day range start..end (0 when end < start)."""
    return ibis.greatest(weekdays_before(end + 1) - weekdays_before(start), 0)
