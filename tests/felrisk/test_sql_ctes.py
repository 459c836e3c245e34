"""A subquery that two joins read at the same place is compiled once, as a CTE."""

from __future__ import annotations

import ibis
import pandas as pd
from ibis.backends.sql import rewrites

from felrisk import sql_ctes


def _query() -> ibis.Table:
    pay = ibis.memtable({"person_id": ["P1", "P1", "P2", "P3"], "pay": [10.0, 20.0, 5.0, 7.0]})
    ages = ibis.memtable({"p": ["P1", "P2"], "age": [30, 40]})
    towns = ibis.memtable({"q": ["P1", "P3"], "town": ["A", "B"]})
    # joined as the first table in two joins: Ibis wraps both in one JoinReference(total, 0)
    total = pay.group_by("person_id").aggregate(total=pay.pay.sum())
    a = total.join(ages, total.person_id == ages.p).select("person_id", "total", x=ages.age)
    b = total.join(towns, total.person_id == towns.q).select(
        "person_id", "total", x=towns.town.length().cast("int64")
    )
    return a.union(b)


def _rows(con, expr) -> pd.DataFrame:
    return con.execute(expr).sort_values(["person_id", "x"]).reset_index(drop=True)


def test_a_subquery_joined_in_two_places_is_one_cte_with_the_same_rows(monkeypatch):
    con = ibis.duckdb.connect()
    assert sql_ctes.install()
    shared = con.compile(_query())
    assert shared.upper().count("GROUP BY") == 1
    got = _rows(con, _query())
    monkeypatch.setattr(rewrites, "extract_ctes", sql_ctes._ibis_extract_ctes)
    inlined = con.compile(_query())
    assert inlined.upper().count("GROUP BY") == 2  # Ibis 12 alone: computed once per join
    pd.testing.assert_frame_equal(got, _rows(con, _query()))
    assert list(got["person_id"]) == ["P1", "P1", "P2", "P3"]
    assert list(got["total"]) == [30.0, 30.0, 5.0, 7.0]


def test_another_ibis_is_left_as_it_is(monkeypatch):
    monkeypatch.setattr(rewrites, "extract_ctes", sql_ctes._ibis_extract_ctes)
    monkeypatch.setattr(ibis, "__version__", "13.0.0")
    assert not sql_ctes.install()
    assert rewrites.extract_ctes is sql_ctes._ibis_extract_ctes
