"""Shared fixtures: the hand-built world, its DuckDB feature build, one local Spark session."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from features.build import build_features
from felrisk.datadir import local_spark_session, open_data
from tests.features import scenarios
from tests.once import once_per_session
from tests.world.write import write_world


@pytest.fixture(scope="session")
def spark_session():
    """One local Spark session for the whole run (about 15 s to start)."""
    return local_spark_session()


def open_on(path, backend: str, request) -> object:
    """Open a data directory on `backend`, starting Spark only when asked for."""
    if backend == "spark":
        return open_data(
            path, engine="spark", spark_session=request.getfixturevalue("spark_session")
        )
    return open_data(path)


def spine_of(case_ids, as_of) -> ibis.Table:
    """A spine of the given cases, all on one as-of date."""
    return ibis.memtable(
        pd.DataFrame({"case_id": list(case_ids), "as_of": [as_of] * len(case_ids)}),
        schema={"case_id": "string", "as_of": "date"},
    )


def run(data, expr) -> pd.DataFrame:
    """Execute on the data's backend; one row per case, sorted, index reset."""
    df = data.con.execute(expr)
    return df.sort_values(list(df.columns[:2])).reset_index(drop=True)


@pytest.fixture(scope="session")
def hand_world(tmp_path_factory):
    """The hand-built world, written once per test run (read only)."""
    return once_per_session(
        tmp_path_factory, "hand", lambda folder: write_world(folder / "world", **scenarios.TABLES)
    )


@pytest.fixture(scope="session")
def hand_features(request, hand_world, tmp_path_factory) -> pd.DataFrame:
    """Features of every hand-built case as of scenarios.AS_OF on DuckDB (test_spark compares
    Spark's build of the same world with it, row by row)."""

    def build(_folder) -> pd.DataFrame:
        data = open_on(hand_world, "duckdb", request)
        spine = spine_of([c["case_id"] for c in scenarios.CASES], scenarios.AS_OF)
        return run(data, build_features(data, spine)).set_index("case_id")

    return once_per_session(tmp_path_factory, "hand_features", build)
