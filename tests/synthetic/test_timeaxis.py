"""Day arithmetic of the generator against Python's calendar (leap years included)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from synthetic.timeaxis import (
    add_years,
    day,
    expand_days,
    month_first,
    month_index,
    split_by_month,
    years_between,
)

dates = st.dates(min_value=date(1920, 1, 1), max_value=date(2060, 12, 31))


def _age(b: date, a: date) -> int:
    return a.year - b.year - ((a.month, a.day) < (b.month, b.day))


@given(dates, dates)
def test_years_between_is_the_calendar_age(b, a):
    assert years_between(np.array([day(b)]), np.array([day(a)]))[0] == _age(b, a)


@given(dates, st.integers(0, 30))
def test_add_years_keeps_month_and_day(d, years):
    got = date(1970, 1, 1) + timedelta(days=int(add_years(np.array([day(d)]), years)[0]))
    if (d.month, d.day) == (2, 29) and got.month == 3:
        assert (got.year, got.day) == (d.year + years, 1)
    else:
        assert (got.year, got.month, got.day) == (d.year + years, d.month, d.day)


@given(dates, st.integers(0, 400))
def test_split_by_month_covers_every_day_once(d, length):
    s, e = np.array([day(d)]), np.array([day(d) + length])
    _, cs, ce, m = split_by_month(s, e)
    assert int((ce - cs + 1).sum()) == length + 1
    assert (month_index(cs) == m).all() and (month_index(ce) == m).all()
    assert (cs[1:] == month_first(m[1:])).all()
    _, days = expand_days(s, e)
    assert len(days) == length + 1
