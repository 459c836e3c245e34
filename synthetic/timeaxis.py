"""Days as integers (days since 1970-01-01), months, and vectorised interval helpers."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

NA_DAY = np.int64(-(10**6))  # sentinel for a missing date (exported as null)
_EPOCH = date(1970, 1, 1)


def day(d: date) -> int:
    """A calendar date as days since 1970-01-01."""
    return (d - _EPOCH).days


def month_index(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of each day."""
    return (
        np.asarray(days, dtype="int64")
        .astype("datetime64[D]")
        .astype("datetime64[M]")
        .astype("int64")
    )


def month_first(months: np.ndarray) -> np.ndarray:
    """First day (as day number) of each month index."""
    return (
        np.asarray(months, dtype="int64")
        .astype("datetime64[M]")
        .astype("datetime64[D]")
        .astype("int64")
    )


def month_last(months: np.ndarray) -> np.ndarray:
    """Last day (as day number) of each month index."""
    return month_first(np.asarray(months) + 1) - 1


def month_of_year(days: np.ndarray) -> np.ndarray:
    """Calendar month 1..12 of each day."""
    return month_index(days) % 12 + 1


def weekday(days: np.ndarray) -> np.ndarray:
    """0 = Monday .. 6 = Sunday (1970-01-01 was a Thursday)."""
    return (np.asarray(days) + 3) % 7


def weekdays_between(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Number of Monday-Friday days in [start, end] (inclusive)."""
    start = np.asarray(start, dtype="int64")
    end = np.asarray(end, dtype="int64")
    return np.busday_count(start.astype("datetime64[D]"), (end + 1).astype("datetime64[D]"))


def years_between(birth: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Whole years of age at day `at` for birth day `birth` (by calendar, leap days aside)."""
    b = np.asarray(birth, dtype="int64").astype("datetime64[D]")
    a = np.asarray(at, dtype="int64").astype("datetime64[D]")
    bm = b.astype("datetime64[M]").astype("int64")
    am = a.astype("datetime64[M]").astype("int64")
    # compare (month, day of month), not day of year: leap years shift the day of year
    bkey = (bm % 12) * 32 + (b - b.astype("datetime64[M]").astype("datetime64[D]")).astype("int64")
    akey = (am % 12) * 32 + (a - a.astype("datetime64[M]").astype("datetime64[D]")).astype("int64")
    return am // 12 - bm // 12 - (akey < bkey)


def add_years(days: np.ndarray, years: int) -> np.ndarray:
    """The same calendar day `years` later (29 Feb -> 1 Mar)."""
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    dom = (d - m.astype("datetime64[D]")).astype("int64")
    # same month and day of month; 29 Feb in a common year runs over into 1 Mar
    return ((m + 12 * years).astype("datetime64[D]") + dom).astype("int64")


def group_offsets(counts: np.ndarray) -> np.ndarray:
    """0..n-1 within each group of a repeat by `counts` (vectorised ragged arange)."""
    counts = np.asarray(counts, dtype="int64")
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total, dtype="int64") - starts


def split_by_month(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, ...]:
    """Split intervals [start, end] at month borders: (row index, chunk start, chunk end, month)."""
    start = np.asarray(start, dtype="int64")
    end = np.asarray(end, dtype="int64")
    m0 = month_index(start)
    n = month_index(end) - m0 + 1
    idx = np.repeat(np.arange(len(start)), n)
    m = m0[idx] + group_offsets(n)
    cs = np.maximum(start[idx], month_first(m))
    ce = np.minimum(end[idx], month_last(m))
    return idx, cs, ce, m


def expand_days(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One row per day of each interval: (row index, day)."""
    start = np.asarray(start, dtype="int64")
    end = np.asarray(end, dtype="int64")
    n = np.maximum(end - start + 1, 0)
    idx = np.repeat(np.arange(len(start)), n)
    return idx, start[idx] + group_offsets(n)


def overlaps_earlier(pid: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """True where an interval overlaps any earlier-starting interval of the same person."""
    order = np.lexsort((end, start, pid))
    p, s, e = pid[order], start[order], end[order]
    df = pd.DataFrame({"p": p, "e": e})
    prev_max = df.groupby("p", sort=False)["e"].cummax().groupby(df["p"], sort=False).shift(1)
    hit = s <= prev_max.to_numpy(dtype="float64", na_value=-np.inf)
    out = np.zeros(len(pid), dtype=bool)
    out[order] = hit
    return out


def overlaps_other(
    pid: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    busy_pid: np.ndarray,
    busy_start: np.ndarray,
    busy_end: np.ndarray,
) -> np.ndarray:
    """True where an interval overlaps any busy interval of the same person (busy ones disjoint)."""
    n, m = len(pid), len(busy_pid)
    if n == 0 or m == 0:
        return np.zeros(n, dtype=bool)
    # Busy intervals sorted per person; an interval overlaps iff the last busy interval starting
    # at or before its end also ends at or after its start.
    key_b = busy_pid.astype("int64") * (1 << 24) + (busy_start.astype("int64") + (1 << 23))
    order = np.argsort(key_b, kind="stable")
    kb = key_b[order]
    be = busy_end[order]
    bp = busy_pid[order]
    key_q = pid.astype("int64") * (1 << 24) + (end.astype("int64") + (1 << 23))
    pos = np.searchsorted(kb, key_q, side="right") - 1
    ok = pos >= 0
    posc = np.clip(pos, 0, m - 1)
    # busy intervals of one person are disjoint, so the latest-starting one also ends latest
    return ok & (bp[posc] == pid) & (be[posc] >= start)
