"""The facts behind a value, in Swedish: dates, benefits and amounts an investigator can check."""

from __future__ import annotations

import pandas as pd
import pytest

from features.facts import explain
from felrisk.datadir import open_data
from tests.features import scenarios

ITEMS = [
    ("EX_S", "overlap_excess_days"),
    ("KS_K", "overlap_forbidden_days"),
    ("AS_A", "overlap_forbidden_days"),
    ("TS_T", "tfp_in_sickpay_period_days"),
    ("MX_S", "sgi_hours_days_mixup"),
    ("MZ_S", "sgi_hours_days_mixup"),
    ("AC1", "assistant_days_over_24h"),
    ("HF_S", "overlap_excess_days"),
    ("N1_S", "net_employer_benefit_share"),
    ("KS_K", "amount_in_window_sek"),
    ("BA_T", "both_parents_tfp_days"),
    ("EA_F", "fp_double_days_excess"),
    ("QA_F", "fp_double_days_excess"),
    ("SE_1", "age_rule_days"),
    ("IN_S", "before_insured_days"),
]


@pytest.fixture(scope="module")
def told(hand_world) -> dict[tuple[str, str], str]:
    items = pd.DataFrame(
        [(c, scenarios.AS_OF, f) for c, f in ITEMS] + [("EX_S", scenarios.AS_OF, ITEMS[0][1])],
        columns=["case_id", "as_of", "feature"],
    )
    out = explain(open_data(hand_world), items)
    assert list(out.columns) == ["case_id", "feature", "reason_sv"]
    assert len(out) == len(ITEMS)  # one sentence per distinct item
    return {(r.case_id, r.feature): r.reason_sv for r in out.itertuples()}


def test_overlap_names_days_benefits_and_extents(told):
    assert told["EX_S", "overlap_excess_days"] == (
        "12 dagar 2025-03-20–2025-03-31 betalades föräldrapenning 100 % och sjukpenning 100 % "
        "för samma dag (över 100 %)."
    )


def test_forbidden_pairs_name_both_benefits(told):
    assert told["KS_K", "overlap_forbidden_days"].startswith(
        "1 dag 2025-03-01 betalades ersättning för karensavdrag och sjukpenning för samma dag"
    )
    assert told["AS_A", "overlap_forbidden_days"].startswith(
        "6 dagar 2025-04-05–2025-04-10 betalades aktivitetsstöd och sjukpenning"
    )


def test_sickpay_period_names_the_sickness_case(told):
    text = told["TS_T", "tfp_in_sickpay_period_days"]
    assert text.startswith("3 dagar 2025-02-01–2025-02-03 betalades tillfällig föräldrapenning")
    assert "TS_S" in text and "2025-02-01" in text


def test_every_rule_feature_names_its_periods(told):
    """The facts of rules 4-6 come from the same break periods as those of rules 1-3."""
    assert told["BA_T", "both_parents_tfp_days"] == (
        "2 dagar 2025-03-06–2025-03-07 betalades tillfällig föräldrapenning till båda föräldrarna "
        "för samma barn (den andra förälderns ärende BB_T)."
    )
    assert told["EA_F", "fp_double_days_excess"].startswith(
        "10 dagar 2024-09-01–2024-09-10 betalades föräldrapenning till båda föräldrarna för samma "
        "barn (efter barnets 15 månader 2024-09-01, den andra förälderns ärende EB_F)"
    )
    assert "utöver 60 dubbeldagar per barn" in told["QA_F", "fp_double_days_excess"]
    assert told["SE_1", "age_rule_days"] == (
        "16 dagar 2025-04-15–2025-04-30 betalades sjukersättning utanför åldersgränsen "
        "(tillåtet till 2025-04-14)."
    )
    assert told["IN_S", "before_insured_days"].startswith(
        "9 dagar 2025-03-01–2025-03-09 betalades sjukpenning före försäkringstillhörighetens"
    )


def test_sgi_mixup_names_the_decision_known_by_d_minus_1(told):
    text = told["MX_S", "sgi_hours_days_mixup"]
    assert "2025-01-10" in text and "300 000 kr" in text and "260 timmar" in text
    # MZ's mixed-up decision is dated D: not known yet, so no flag and no facts of it
    assert "2025-06-01" not in told["MZ_S", "sgi_hours_days_mixup"]
    assert told["MZ_S", "sgi_hours_days_mixup"].startswith("Inget SGI-beslut")


def test_assistant_days_name_assistant_day_and_hours(told):
    assert told["AC1", "assistant_days_over_24h"] == (
        "1 dag 2025-03-03 rapporterade assistent AS1 mer än 24 timmar totalt hos alla kunder "
        "(som mest 25 timmar)."
    )


def test_other_features_use_the_registry_sentence_with_the_value(told):
    assert told["HF_S", "overlap_excess_days"].startswith("0 dagar")  # a legitimate 50/50
    assert told["N1_S", "net_employer_benefit_share"].startswith("67 % av arbetsgivarens")
    assert told["KS_K", "amount_in_window_sek"] == "804 kr utbetalat i ärendet det senaste året."


def test_unknown_feature_and_empty_items(hand_world):
    data = open_data(hand_world)
    with pytest.raises(KeyError, match="not_a_feature"):
        explain(
            data,
            pd.DataFrame(
                {"case_id": ["EX_S"], "as_of": [scenarios.AS_OF], "feature": ["not_a_feature"]}
            ),
        )
    empty = explain(data, pd.DataFrame(columns=["case_id", "as_of", "feature"]))
    assert empty.empty and list(empty.columns) == ["case_id", "feature", "reason_sv"]


@pytest.mark.parametrize(
    ("feature", "one", "two"),
    [
        ("payments_in_window", "1 utbetalning i ärendet", "2 utbetalningar i ärendet"),
        ("person_earlier_controls", "kontrollerats 1 gång tidigare", "kontrollerats 2 gånger"),
        ("person_confirmed_errors", "1 tidigare kontroll av personen", "2 tidigare kontroller"),
        ("net_household_confirmed_errors", "1 bekräftat fel hos", "2 bekräftade fel hos"),
        ("paid_days_in_window", "betalat ut 1 dag det", "betalat ut 2 dagar det"),
    ],
)
def test_sentences_agree_with_the_count(feature, one, two):
    from features.facts import _template

    assert one in _template(feature, 1)
    assert two in _template(feature, 2)
    assert "Uppgift saknas" in _template(feature, float("nan"))
