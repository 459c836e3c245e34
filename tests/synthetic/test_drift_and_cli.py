"""Drift (a new pattern in the last year) and the `felrisk synth` command."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from felrisk.cli import app
from felrisk.contract import TABLES


def test_drift_new_shell_pattern_in_the_last_year(world):
    d = world.scenario.drift
    assert d.enabled
    cases = world.cases_of(d.mechanism)
    cases = cases[cases["benefit"] == d.benefit]
    last = cases["insured_event_date"] >= pd.Timestamp(
        world["cases"]["opened_date"].max()
    ) - pd.Timedelta(days=d.last_days)
    # most of the pattern's cases fall in the last year, though it covers a smaller span
    assert last.sum() >= 3
    assert last.mean() > 0.5
    # and the employers behind it were registered recently
    inc = world["income_reports"].merge(world["employers"], on="employer_id")
    shell = inc[inc["person_id"].isin(cases.loc[last, "person_id"])]
    young = shell["registered_date"] >= shell["month"] - pd.Timedelta(days=400)
    assert young.any()
    # the calibration table shows the rise
    earlier = world.report.row(f"drift: error share, {d.benefit}, earlier cases")
    late = world.report.row(f"drift: error share, {d.benefit}, last {d.last_days} days")
    assert late.generated > earlier.generated


def test_cli_synth_writes_a_world_and_prints_the_calibration(tmp_path):
    out = tmp_path / "w"
    result = CliRunner().invoke(
        app,
        [
            "synth",
            "--persons",
            "1200",
            "--start",
            "2024-01-01",
            "--end",
            "2024-12-31",
            "--seed",
            "3",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    for name in TABLES:
        assert (out / f"{name}.parquet").exists()
    assert (out / "truth" / "case_truth.parquet").exists()
    assert "Scenario" in result.output and "random_per_1000_person_years" in result.output
    assert "Calibration" in result.output and "error share, SJP" in result.output
    assert "Label density" in result.output and "random controls" in result.output


def test_cli_synth_refuses_a_bad_date(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "synth",
            "--persons",
            "100",
            "--start",
            "2024-13-01",
            "--end",
            "2024-12-31",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code != 0
    assert not (tmp_path / "cases.parquet").exists()
