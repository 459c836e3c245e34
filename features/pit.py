"""Point in time: dates as day numbers, and the one rule "a row is usable on D if known by D-1"."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from felrisk.contract import TABLES


def day(col: ir.DateValue) -> ir.IntegerValue:
    """A date as its day number (days since 1970-01-01): integer arithmetic is portable."""
    return col.epoch_days().cast("int64")


def month_index(col: ir.DateValue) -> ir.IntegerValue:
    """A date's month as one integer (year * 12 + month - 1)."""
    return col.year().cast("int64") * 12 + col.month().cast("int64") - 1


def known_by(table: ir.Table, name: str, as_of_day: ir.IntegerValue) -> ir.BooleanValue:
    """True for rows of contract table `name` known by the end of D-1 (known-from day < D).

    Tables without a known-from column (persons, children) are static and always known.
    """
    column = TABLES[name].known_from
    if column is None:
        return ibis.literal(True)
    return day(table[column]) < as_of_day


def signed_extent(payments: ir.Table) -> ir.FloatingValue:
    """A payment's extent, negative for a reversal (negative amount): reversals cancel their days."""
    return (payments.amount_sek < 0).ifelse(-payments.extent, payments.extent)


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
