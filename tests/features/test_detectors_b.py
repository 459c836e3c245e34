"""Detectors B of issue 13 on the hand-built stories: their facts in Swedish, and their late rows.

The stories (tests/features/scenarios.py) hold rows known only on D; the known answers show that
they are not seen, and here the same rows known on D-1 move the values (they are not inert).
"""

from __future__ import annotations

import copy
from datetime import timedelta

import pandas as pd
import pytest

from features.build import build_features
from features.facts import explain
from felrisk.datadir import open_data
from tests.features import scenarios
from tests.features.conftest import run, spine_of
from tests.world.write import write_world

NB = "\u00a0"
D = scenarios.AS_OF
ITEMS = [
    ("FA_S", "paid_above_rules_sek"),
    ("FC_S", "paid_above_rules_sek"),
    ("FL_S", "paid_above_rules_sek"),
    ("SW_E", "se_ae_work_pay_sek"),
    ("SX_E", "se_ae_work_pay_sek"),
    ("SA_E", "se_ae_work_pay_sek"),
]


@pytest.fixture(scope="module")
def told(hand_world) -> dict[tuple[str, str], str]:
    items = pd.DataFrame([(c, D, f) for c, f in ITEMS], columns=["case_id", "as_of", "feature"])
    out = explain(open_data(hand_world), items)
    return {(r.case_id, r.feature): r.reason_sv for r in out.itertuples()}


def test_paid_above_the_rules_names_period_decision_rate_and_amounts(told):
    assert told["FA_S", "paid_above_rules_sek"] == (
        f"5{NB}022{NB}kr mer än SGI:n och reglerna ger betalades ut för 2025-03-01–2025-03-31 "
        f"(sjukpenning 100{NB}%, 31 dagar): 24{NB}800{NB}kr utbetalt, men SGI:n 300{NB}000{NB}kr "
        f"enligt beslutet 2025-01-10 ger med ersättningsnivån 77,6{NB}% ett dagbelopp på "
        f"638{NB}kr, alltså 19{NB}778{NB}kr."
    )


def test_an_uncapped_sgi_names_the_cap(told):
    assert (
        f"SGI:n 600{NB}000{NB}kr enligt beslutet 2025-01-10 ger med ersättningsnivån 77,6{NB}% "
        f"och SGI-taket 470{NB}400{NB}kr ett dagbelopp på 1{NB}000{NB}kr, alltså 31{NB}000{NB}kr."
    ) in told["FC_S", "paid_above_rules_sek"]


def test_only_the_sgi_in_force_and_known_is_applied(told):
    """FL's payment matches the decision made after it; the older, lower SGI, the one valid only
    from April and the one decided on D are not applied: nothing to tell."""
    assert told["FL_S", "paid_above_rules_sek"].startswith(f"0{NB}kr betalades ut")


def test_pay_beside_se_names_months_extent_and_pay(told):
    assert told["SW_E", "se_ae_work_pay_sek"] == (
        "2 månader 2025-02–2025-03 betalades hel sjukersättning ut för varje dag, samtidigt som "
        f"arbetsgivare rapporterade 24{NB}000{NB}kr i lön för dessa månader (som mest "
        f"12{NB}000{NB}kr för 2025-02)."
    )


def test_pay_beside_partial_se_names_the_pay_before_it(told):
    assert told["SX_E", "se_ae_work_pay_sek"] == (
        f"1 månad 2025-03 betalades sjukersättning 50{NB}% ut för varje dag, samtidigt som "
        f"arbetsgivare rapporterade 16{NB}000{NB}kr i lön för månaden; de 12 månaderna före "
        f"försäkringsfallet 2023-06-10 var lönen i genomsnitt 20{NB}000{NB}kr i månaden."
    )


def test_an_allowed_small_income_reads_as_the_registry_sentence(told):
    assert told["SA_E", "se_ae_work_pay_sek"].startswith(f"Arbetsgivare rapporterade 0{NB}kr mer")


def _features(tmp_path, tables, cases) -> pd.DataFrame:
    data = open_data(write_world(tmp_path / "w", **tables))
    return run(data, build_features(data, spine_of(cases, D))).set_index("case_id")


def test_late_rows_known_on_d_minus_1_move_the_values(tmp_path):
    """Rows known on D in the stories count when known a day earlier: SW's April pay (15,000 less
    the allowed 1,000), SR's February payment (its 10,000 of pay less 1,000), FA's reversal,
    FZ's too-high payment and FL's lower SGI."""
    tables = copy.deepcopy(scenarios.TABLES)
    day_before = str(D - timedelta(days=1))
    for row in tables["income_reports"]:
        if row["reported_date"] == str(D):
            row["reported_date"] = day_before
    for row in tables["payments"]:
        if row.get("paid_date") == str(D):
            row["paid_date"] = day_before
    for row in tables["sgi_decisions"]:
        if row["sgi_id"] == "G_FL4":
            row["decision_date"] = day_before
    early = _features(tmp_path, tables, ["SW_E", "SR_E", "FA_S", "FZ_S", "FL_S"])
    assert early.loc["SW_E", "se_ae_work_pay_sek"] == 22000.0 + 14000.0
    assert early.loc["SR_E", "se_ae_work_pay_sek"] == 9000.0
    # FA's March payment reversed: nothing stands; FZ's April 25,000 against 30 x 638
    assert early.loc["FA_S", "paid_above_rules_sek"] == 0.0
    assert early.loc["FZ_S", "paid_above_rules_sek"] == 25000.0 - 30 * 638.0
    # FL's SGI of 100,000 valid from January, decided a day before D: 213 SEK a day in March
    assert early.loc["FL_S", "paid_above_rules_sek"] == 31 * (850.0 - 213.0)
