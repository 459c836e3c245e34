"""Scenario files: the default at the agency's label density, variants that name a base."""

from __future__ import annotations

import pytest

from felrisk.errors import ConfigError
from felrisk.paths import config_dir
from synthetic.calibration import RANDOM_DENSITY_BAND
from synthetic.scenario import load_scenario


def test_the_default_scenario_is_at_the_agencys_density():
    k = load_scenario().controls
    low, high = RANDOM_DENSITY_BAND
    assert low <= k.random_per_1000_person_years <= high
    # tips alone already outnumber the random stream
    assert k.tips_per_1000_person_years >= k.random_per_1000_person_years


def test_the_dense_scenario_overrides_only_the_control_density():
    default = load_scenario()
    dense = load_scenario(config_dir() / "scenario_dense.toml")
    assert dense.controls.random_per_1000_person_years > 100
    assert dense.controls.random_weight == default.controls.random_weight
    assert dense.errors == default.errors and dense.population == default.population
    header = (config_dir() / "scenario_dense.toml").read_text(encoding="utf-8")
    assert "never for headline figures" in header


def test_a_variant_merges_tables_key_by_key(tmp_path):
    (tmp_path / "base.toml").write_text(
        (config_dir() / "scenario.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "v.toml").write_text(
        'base = "base.toml"\n[controls]\nrandom_weight = { SJP = 2.0 }\n', encoding="utf-8"
    )
    sc = load_scenario(tmp_path / "v.toml")
    assert sc.controls.random_weight["SJP"] == 2.0
    assert sc.controls.random_weight["KAR"] == load_scenario().controls.random_weight["KAR"]


def test_a_bad_base_is_a_config_error(tmp_path):
    (tmp_path / "a.toml").write_text('base = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('base = "a.toml"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="name each other"):
        load_scenario(tmp_path / "a.toml")
    (tmp_path / "c.toml").write_text('base = "missing.toml"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="not found"):
        load_scenario(tmp_path / "c.toml")


def test_negative_random_weights_are_refused(tmp_path):
    (tmp_path / "v.toml").write_text(
        f'base = "{config_dir() / "scenario.toml"}"\n[controls]\nrandom_weight = {{ SJP = -1.0 }}\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="random_weight"):
        load_scenario(tmp_path / "v.toml")
