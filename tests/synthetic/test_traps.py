"""The traps of [false_alarms] move the rules' precision: without them the checks are always right."""

from __future__ import annotations

import pytest

from felrisk.paths import config_dir
from synthetic.scenario import load_scenario
from synthetic.world import generate
from tests.synthetic.conftest import END, PERSONS, SEED, START

MOVED = ("paid_past_age_limit", "tfp_both_parents", "aks_work_vs_income")


@pytest.fixture(scope="module")
def without_traps(tmp_path_factory: pytest.TempPathFactory):
    """The test world's calibration report with every trap of [false_alarms] switched off."""
    folder = tmp_path_factory.mktemp("no_traps")
    knobs = load_scenario().false_alarms.model_dump()
    off = "\n".join(f"{k} = {0 if isinstance(v, int) else 0.0}" for k, v in knobs.items())
    path = folder / "scenario.toml"
    path.write_text(f'base = "{config_dir() / "scenario.toml"}"\n[false_alarms]\n{off}\n')
    return generate(
        persons=PERSONS, start=START, end=END, seed=SEED, out=folder / "world", scenario_path=path
    )


def _false_flags(report) -> dict[str, tuple[int, float]]:
    """Per rule: the correct cases it flags, and its hit rate."""
    return {
        r.rule: (r.flagged - round(r.hit_rate * r.flagged), r.hit_rate)
        for r in report.rules
        if r.rule in MOVED
    }


def test_the_traps_lower_the_rules_precision(world, without_traps):
    with_, without = _false_flags(world.report), _false_flags(without_traps)
    # without the traps the age check is always right; with them it is not
    assert without["paid_past_age_limit"][1] == 1.0
    for rule in MOVED:
        assert with_[rule][0] > without[rule][0], rule
        assert with_[rule][1] < without[rule][1], rule
