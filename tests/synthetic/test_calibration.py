"""Calibration of the world against the domain brief (../shared/domain.md), within tolerances."""

from __future__ import annotations

import numpy as np
import pytest
from rich.console import Console

from synthetic.calibration import (
    ERROR_RATE_TARGETS,
    MAX_RULE_SHARE,
    MIN_TARGETED_PER_RANDOM,
    RANDOM_DENSITY_BAND,
)
from synthetic.controls import person_years
from tests.synthetic.conftest import END, START

BIG_ENOUGH = 300  # benefits with fewer paid cases are too noisy for a rate test


def test_error_rates_per_benefit_within_tolerance(world):
    checked = 0
    for b in ERROR_RATE_TARGETS:
        row = world.report.row(f"error share, {b}")
        if row.n >= BIG_ENOUGH:
            assert row.ok, row
            checked += 1
    assert checked >= 3  # SJP, TFP and FP at least


def test_truth_rates_match_the_report(world):
    """The report is computed from the same truth that was written."""
    t = world["cases"].merge(world.truth, on="case_id")
    paid = set(world["payments"].loc[world["payments"]["amount_sek"] > 0, "case_id"])
    sjp = t[(t["benefit"] == "SJP") & t["case_id"].isin(paid)]
    assert world.report.row("error share, SJP").generated == pytest.approx(
        sjp["is_erroneous"].mean()
    )


def test_agency_share_intent_and_sickness_by_sex(world):
    fk = world.report.row("errors caused by the agency (fk)")
    assert fk.ok, fk
    intent = world.report.row("errors marked intentional")
    assert 0.05 < intent.generated < 0.6  # a separate flag, neither always nor never
    assert world.report.row("women among new SJP cases").ok
    assert world.report.row("women among erroneous cases").ok
    for b in ("TFP", "FP"):
        assert world.report.row(f"cases decided automatically, {b}").ok


def test_random_stream_error_share_near_the_internal_control(dense_world):
    """The benefits' random weights give FK's 3.1 %; the dense world has the labels to show it."""
    row = dense_world.report.row("random stream: true error share")
    assert row.n > 1000
    assert row.ok, row


def test_label_density_is_the_agencys(world):
    """Random controls 2-10 a year per 1,000 persons; targeted ones at least as many."""
    n_persons = len(world["persons"])
    span = (END - START).days + 1
    kilo_py = person_years(n_persons, 0, span - 1) / 1000
    k = world["controls"]
    n_random = int((k["selection"] == "random").sum())
    n_targeted = int((k["selection"] != "random").sum())
    low, high = RANDOM_DENSITY_BAND
    rnd = world.report.density_row("random controls")
    assert rnd.generated == pytest.approx(n_random / kilo_py)
    assert low <= rnd.generated <= high and rnd.ok
    # and near the scenario's own target (Poisson: four standard errors)
    want = world.scenario.controls.random_per_1000_person_years * kilo_py
    assert abs(n_random - want) <= 4 * np.sqrt(want)
    ratio = world.report.density_row("targeted per random control")
    assert ratio.generated == pytest.approx(n_targeted / n_random)
    assert ratio.generated >= MIN_TARGETED_PER_RANDOM and ratio.ok
    assert set(k["selection"]) == {"random", "rule", "tip"}


def test_the_dense_scenario_keeps_the_old_density(dense_world):
    """scenario_dense.toml: the dense random stream of the first worlds, flagged as unrealistic."""
    rnd = dense_world.report.density_row("random controls")
    assert rnd.generated > 100 and not rnd.ok
    assert dense_world.report.density_row("targeted per random control").generated < 0.1


def test_no_single_rule_catches_nearly_all_errors(world):
    shares = {r.rule: r.share_of_errors for r in world.report.rules}
    assert max(shares.values()) < MAX_RULE_SHARE
    # together the simple rules still miss most errors: the model has something to learn
    assert sum(shares.values()) < 0.6


def test_rules_hit_rates_resemble_the_agencys(world):
    hit = {r.rule: r for r in world.report.rules}
    assert hit["tfp_in_sickpay_period"].hit_rate >= 0.9  # agency: 279 of 279
    assert hit["kar_on_sjp_day"].hit_rate >= 0.9
    assert 0.15 <= hit["sgi_low_hours"].hit_rate <= 0.7  # agency: 36 %
    assert hit["sgi_low_hours"].flagged >= 10


def test_report_prints_as_rich_tables(world):
    console = Console(width=120, record=True)
    console.print(world.report)
    text = console.export_text()
    assert "error share, SJP" in text
    assert "5.0%" in text  # the target beside the generated rate
    assert "sgi_low_hours" in text
    assert str(START.year) in text and str(END.year) in text
    assert "Label density" in text and "2-10 (FK 2020: 3.8)" in text
    assert "targeted per random control" in text and ">= 1" in text


def test_random_controls_per_year_add_up(world):
    per_year = world.report.random_controls_per_year
    assert set(per_year) == set(range(START.year, END.year + 1))
    # about 9 a year per 1,000 persons: 90 in a 10,000-person world, minus those still open
    assert min(per_year.values()) > 0.4 * 9 * len(world["persons"]) / 1000
    assert np.isclose(
        sum(per_year.values()),
        ((world["controls"]["selection"] == "random") & world["controls"]["outcome"].notna()).sum(),
    )
