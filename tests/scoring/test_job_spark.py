"""The nightly job on the Spark engine gives the same list, byte for byte, as on DuckDB."""

from __future__ import annotations

import pytest

from scoring.job import run_nightly
from tests.scoring.world import AS_OF, fakes

pytestmark = pytest.mark.spark


def test_spark_engine_gives_the_duckdb_list(night, world, tmp_path):
    from felrisk.datadir import local_spark_session

    local_spark_session()  # the one shared local session (getOrCreate)
    result, _, _ = night
    spark = run_nightly(world, as_of=AS_OF, out=tmp_path, engine="spark", **fakes(world))
    for name in ("control_list.parquet", "control_list.csv"):
        assert (spark.folder / name).read_bytes() == (result.folder / name).read_bytes()
    assert spark.n_scored == result.n_scored
