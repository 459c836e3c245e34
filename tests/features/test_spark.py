"""The same feature expression on local Spark (Ibis's PySpark backend) equals DuckDB to the row."""

from __future__ import annotations

import pandas as pd
import pytest

from features.build import active_spine, build_features
from features.registry import REGISTRY
from tests.features import scenarios
from tests.features.conftest import open_on, run, spine_of

pytestmark = pytest.mark.spark


def test_spark_equals_duckdb_on_every_hand_built_case(request, hand_world, hand_features):
    data = open_on(hand_world, "spark", request)
    spine = spine_of([c["case_id"] for c in scenarios.CASES], scenarios.AS_OF)
    got = run(data, build_features(data, spine)).set_index("case_id")
    want = hand_features
    assert list(got.columns) == list(want.columns)
    assert list(got.index) == list(want.index)
    got["as_of"] = pd.to_datetime(got["as_of"]).dt.date
    want = want.assign(as_of=pd.to_datetime(want["as_of"]).dt.date)
    for name, f in REGISTRY.items():
        if f.dtype == "float64":
            pd.testing.assert_series_equal(got[name], want[name], rtol=1e-12, check_dtype=False)
        else:
            assert got[name].astype("Int64").equals(want[name].astype("Int64")), name
    pd.testing.assert_frame_equal(
        got[["person_id", "benefit"]], want[["person_id", "benefit"]], check_dtype=False
    )


def test_spark_active_spine_equals_duckdb(request, hand_world):
    duck = open_on(hand_world, "duckdb", request)
    spark = open_on(hand_world, "spark", request)
    ids = [
        sorted(d.con.execute(active_spine(d, scenarios.AS_OF))["case_id"]) for d in (duck, spark)
    ]
    assert ids[0] == ids[1] and len(ids[0]) > 10
