"""`felrisk features` writes the feature table of the cases active on D, and refuses bad input."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pandas as pd
import pyarrow.parquet as pq
import pytest

from features.registry import feature_names
from felrisk.cli import main
from tests.features import scenarios

pytestmark = pytest.mark.slow  # felrisk features end to end in a fresh world

D = scenarios.AS_OF


def _active_reference(world) -> set[str]:
    """Plain pandas: a payment known by D-1 covering a day within the 90 days before D."""
    p = pd.read_parquet(world / "payments.parquet")
    last, first = D - timedelta(days=1), D - timedelta(days=90)
    known = p[(p.paid_date <= last) & (p.period_end >= first) & (p.period_start <= last)]
    return set(known.case_id)


def test_cli_writes_the_active_cases_with_every_feature(hand_world, hand_features, tmp_path):
    out = tmp_path / "f.parquet"
    rc = main(["features", "--data", str(hand_world), "--as-of", str(D), "--out", str(out)])
    assert rc == 0
    table = pq.read_table(out)
    assert table.column_names == ["case_id", "person_id", "benefit", "as_of", *feature_names(False)]
    df = table.to_pandas()
    assert set(df.case_id) == _active_reference(hand_world)
    assert 0 < len(df) < len(scenarios.CASES)  # closed-out stories are not active
    assert df.case_id.is_monotonic_increasing and (df.as_of == D).all()
    want = hand_features.loc[df.case_id, feature_names(False)].reset_index(drop=True)
    pd.testing.assert_frame_equal(df[feature_names(False)], want, check_dtype=False)
    assert not list(tmp_path.glob("*.tmp"))


def test_cli_refuses_broken_data_with_exit_3(hand_world, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(hand_world, broken)
    p = pd.read_parquet(broken / "payments.parquet")
    p.loc[0, "extent"] = 2.5  # extents are shares of a day
    p.to_parquet(broken / "payments.parquet", index=False)
    out = tmp_path / "f.parquet"
    rc = main(["features", "--data", str(broken), "--as-of", str(D), "--out", str(out)])
    assert rc == 3
    assert not out.exists()


def test_cli_refuses_a_bad_date_with_exit_2(hand_world, tmp_path):
    rc = main(
        ["features", "--data", str(hand_world), "--as-of", "2025-13-01", "--out", "x.parquet"]
    )
    assert rc == 2
