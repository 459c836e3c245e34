"""Fabricated scored frames and configs, and one small world with a published night, for scoring tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from felrisk.config import parse_config
from scoring.config import SelectionConfig
from scoring.manifest import RECORDED_BEFORE


def make_config(**overrides) -> SelectionConfig:
    """A small selection policy; keyword arguments replace fields."""
    # what an older night's missing fields meant: no value floors, so ranking and lanes see
    # every case; the fields below are the tests' own small policy
    raw = {
        **RECORDED_BEFORE,
        "intent_threshold": 0.5,
        "intent_basis": "absolute",
        "exploration_share": 0.2,
        "seed": 7,
        "cooldown_days": 30,
        "hard_rule_features": ["overlap_forbidden_days", "tfp_in_sickpay_period_days"],
        "capacity": {
            "SJP": {"verifiering": 10, "kontrollutredning": 5},
            "TFP": {"verifiering": 5, "kontrollutredning": 0},
        },
    }
    raw.update(overrides)
    return parse_config(SelectionConfig, raw, source="make_config")


def make_scored(n: int = 400, seed: int = 0, benefits=("SJP", "TFP", "FP")) -> pd.DataFrame:
    """Scored active cases: one case per person, random scores, a few hard-rule breaks."""
    rng = np.random.default_rng(seed)
    prob = rng.uniform(0, 1, n)
    return pd.DataFrame(
        {
            "case_id": [f"C{i:05d}" for i in range(n)],
            "person_id": [f"P{i:05d}" for i in range(n)],
            "benefit": rng.choice(list(benefits), n),
            "probability": prob,
            "expected_wrong_sek": prob * rng.uniform(1000, 50000, n),
            "intent_probability": rng.uniform(0, 1, n),
            "score": prob,
            "overlap_forbidden_days": np.where(rng.uniform(0, 1, n) < 0.02, 3, 0),
            "tfp_in_sickpay_period_days": np.zeros(n),
        }
    )


@pytest.fixture
def config() -> SelectionConfig:
    return make_config()


@pytest.fixture
def scored() -> pd.DataFrame:
    return make_scored()


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    """A small contract-valid Parquet world (read only: copy it before changing it)."""
    from tests.world.active import active_tables
    from tests.world.write import write_world

    return write_world(tmp_path_factory.mktemp("world"), **active_tables())


@pytest.fixture(scope="session")
def night(world, tmp_path_factory):
    """One night published with fake features and model: (result, models, lists folder); read only."""
    from scoring.job import run_nightly
    from tests.scoring.world import AS_OF, fakes

    out = tmp_path_factory.mktemp("lists")
    night = fakes(world)
    result = run_nightly(world, as_of=AS_OF, out=out, **night)
    return result, night["models"], out
