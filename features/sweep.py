"""Overlaps by sweeping period boundaries: sorted events and running sums, never one row per day."""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir


def interval_events(
    table: ir.Table, keys: Sequence[str], start: str, end: str, values: dict[str, ir.Value]
) -> ir.Table:
    """Events of inclusive day intervals [start, end]: +value on start, -value on end + 1.

    `values` maps each value column to an expression on `table`; all values come out float64.
    """
    cols = {k: table[k] for k in keys}
    vals = {n: v.cast("float64") for n, v in values.items()}
    t = table.select(**cols, _s=table[start], _e=table[end], **vals)
    t = t.filter(t._s <= t._e)
    plus = t.select(*keys, day=t._s, **{n: t[n] for n in values})
    minus = t.select(*keys, day=t._e + 1, **{n: -t[n] for n in values})
    return plus.union(minus)


def align(events: Sequence[ir.Table], keys: Sequence[str], values: Sequence[str]) -> ir.Table:
    """Union event tables that carry different value columns, filling missing ones with 0."""
    parts = []
    for e in events:
        cols = {k: e[k] for k in keys}
        cols["day"] = e.day.cast("int64")
        for v in values:
            cols[v] = e[v].cast("float64") if v in e.columns else ibis.literal(0.0, "float64")
        parts.append(e.select(**cols))
    return parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]


def segments(events: ir.Table, keys: Sequence[str], values: Sequence[str]) -> ir.Table:
    """Constant pieces [start, end) per key with the running sum of every value column.

    Events on one day are summed first, so the running sums are order-free; the last boundary of
    a key closes its final piece and yields no segment. Length in days is end - start.
    """
    keys = list(keys)
    g = events.group_by([*keys, "day"]).aggregate(**{v: events[v].sum() for v in values})
    running = ibis.window(group_by=keys, order_by="day", rows=(None, 0))
    following = ibis.window(group_by=keys, order_by="day")
    seg = g.select(
        *keys,
        start=g.day,
        end=g.day.lead().over(following),
        **{v: g[v].sum().over(running) for v in values},
    )
    return seg.filter(seg.end.notnull())


def days_where(seg: ir.Table, condition: ir.BooleanValue) -> ir.IntegerValue:
    """Aggregate: the number of days of the segments where `condition` holds."""
    return condition.ifelse(seg.end - seg.start, 0).sum()


def overlap_days(
    start: ir.IntegerValue, end: ir.IntegerValue, lo: ir.IntegerValue, hi: ir.IntegerValue
) -> ir.IntegerValue:
    """Days shared by the half-open intervals [start, end) and [lo, hi); 0 when disjoint."""
    return ibis.greatest(ibis.least(end, hi) - ibis.greatest(start, lo), 0)
