"""One small synthetic world per test run (generated once, shared by xdist workers), as pandas frames."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from felrisk.contract import TABLES
from felrisk.paths import config_dir
from synthetic.calibration import CalibrationReport
from synthetic.scenario import Scenario, load_scenario
from synthetic.world import generate
from tests.once import once_per_session

PERSONS = 10_000
START, END = date(2020, 1, 1), date(2021, 12, 31)  # KAR existed in parts of both years
SEED = 11
# the dense scenario: enough random labels in a small world to test the random stream's statistics
DENSE = config_dir() / "scenario_dense.toml"


@dataclass
class SmallWorld:
    """A generated world: where it lies, its calibration report, and its tables as frames."""

    path: Path
    report: CalibrationReport
    scenario: Scenario
    tables: dict[str, pd.DataFrame]
    truth: pd.DataFrame

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def cases_of(self, mechanism: str) -> pd.DataFrame:
        """Cases whose truth names `mechanism`, with their truth columns."""
        t = self.truth[self.truth["mechanism"] == mechanism]
        return self["cases"].merge(t, on="case_id")


def read(path: Path) -> pd.DataFrame:
    """A Parquet file as pandas, dates as datetime64 for easy arithmetic."""
    return pq.read_table(path).to_pandas(date_as_object=False)


def _small_world(out: Path, scenario: Path | None) -> SmallWorld:
    report = generate(
        persons=PERSONS, start=START, end=END, seed=SEED, out=out, scenario_path=scenario
    )
    tables = {name: read(out / f"{name}.parquet") for name in TABLES}
    return SmallWorld(
        out, report, load_scenario(scenario), tables, read(out / "truth" / "case_truth.parquet")
    )


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> SmallWorld:
    """The default scenario: the agency's label density (read only)."""
    return once_per_session(
        tmp_path_factory, "synth", lambda folder: _small_world(folder / "world", None)
    )


@pytest.fixture(scope="session")
def dense_world(tmp_path_factory: pytest.TempPathFactory) -> SmallWorld:
    """The same world under scenario_dense.toml (about 144 random controls per 1,000 persons)."""
    return once_per_session(
        tmp_path_factory, "synth_dense", lambda folder: _small_world(folder / "world", DENSE)
    )
