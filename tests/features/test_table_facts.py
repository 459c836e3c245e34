"""The facts of the period features, in Swedish: the KAR claims' dates, the settlement periods'
hours, the TFP months' pay, each as the builders computed them from rows known by D-1."""

from __future__ import annotations

import pandas as pd
import pytest

from features.facts import explain
from felrisk.datadir import open_data
from tests.features import scenarios

NB = "\u00a0"
ITEMS = [
    ("KR_00", "kar_claims_12m"),
    ("KR_05", "kar_claims_over_cap"),
    ("KL_00", "kar_claims_over_cap"),
    ("SU_C", "ass_paid_hours_unreported"),
    ("SG_C", "ass_hours_over_granted"),
    ("AW_C", "ass_hours_over_granted"),
    ("TP_T", "work_tfp_pay_not_lowered_days"),
    ("TD_T", "work_tfp_pay_not_lowered_sek"),
    ("TQ_T", "work_tfp_pay_not_lowered_days"),
    ("TA_T", "work_tfp_pay_not_lowered_days"),
]
KR_DATES = ", ".join(scenarios.KR_DAYS)


@pytest.fixture(scope="module")
def told(hand_world) -> dict[tuple[str, str], str]:
    items = pd.DataFrame(
        [(c, scenarios.AS_OF, f) for c, f in ITEMS], columns=["case_id", "as_of", "feature"]
    )
    out = explain(open_data(hand_world), items)
    assert len(out) == len(ITEMS)
    return {(r.case_id, r.feature): r.reason_sv for r in out.itertuples()}


def test_kar_claims_list_their_dates_and_the_cap(told):
    """The claim before the window, the reversed one and the one paid on D are not told."""
    claims = f"Ersättning för karensavdrag betalades ut för 12 karensavdrag under de senaste tolv månaderna ({KR_DATES})"
    assert told["KR_00", "kar_claims_12m"] == claims + "."
    assert told["KR_05", "kar_claims_over_cap"] == (
        f"{claims}: 2 fler än de högst 10 som får göras under tolv månader."
    )


def test_claims_within_the_cap_are_told_as_none_over_it(told):
    assert told["KL_00", "kar_claims_over_cap"].startswith("0 av personens ersättningar")


def test_settlement_names_the_period_and_its_hours(told):
    running = (
        "avräkningsperioden 2025-01-01–2025-06-30 (pågående, uppgifter till och med 2025-05-31)"
    )
    assert told["SU_C", "ass_paid_hours_unreported"] == (
        f"Under {running} betalades 100 timmar assistans ut i ärendet, men assistenternas "
        "tidrapporter för perioden visar 80 timmar."
    )
    assert told["SG_C", "ass_hours_over_granted"] == (
        f"Under {running} betalades 60 timmar assistans ut i ärendet, men beviljat för perioden "
        "är 51,7 timmar (2 timmar per vecka)."
    )
    # hours moved between weeks within the period: nothing to tell
    assert told["AW_C", "ass_hours_over_granted"].startswith("0 timmar")


def test_tfp_months_name_days_pay_and_usual_pay(told):
    month = (
        f"I februari 2025 betalades tillfällig föräldrapenning ut för 5 dagar i ärendet, men arbetsgivarna "
        f"rapporterade 30{NB}000{NB}kr i lön för månaden och 30{NB}000{NB}kr för månaden därpå; "
        f"personens vanliga lön är 30{NB}000{NB}kr"
    )
    assert told["TP_T", "work_tfp_pay_not_lowered_days"] == (
        f"{month} (median av 9 månader utan ersättning)."
    )
    # the correction reported on D is not seen yet
    assert told["TD_T", "work_tfp_pay_not_lowered_sek"] == (
        f"{month} (median av 9 månader utan ersättning); lönen var 7{NB}500{NB}kr högre än den "
        "vanliga lönen minskad för dagarna med tillfällig föräldrapenning."
    )
    # a holiday-pay spike is not pay not lowered
    assert told["TQ_T", "work_tfp_pay_not_lowered_days"].startswith("0 dagar")
    # nor is pay lowered a month late
    assert told["TA_T", "work_tfp_pay_not_lowered_days"].startswith("0 dagar")


def test_the_kar_cap_is_the_rule_in_force_or_the_last_before():
    """Caps of 10 from 2020-03-11 and 12 from 2021-12-08 (KAR paused in between): a claim day
    takes the entry in force, or the last one before it; none before the first."""
    from datetime import date

    import ibis

    from features.kar import EPOCH, cap_on
    from felrisk.benefit_rules import BenefitRules, RuleEntry

    def entry(start, end, value):
        return RuleEntry(
            name="kar_claims_per_12_months", benefit="KAR", valid_from=start, valid_to=end,
            value=value, source="test",
        )  # fmt: skip

    rules = BenefitRules(
        rule=(
            entry(date(2020, 3, 11), date(2021, 9, 30), 10.0),
            entry(date(2021, 12, 8), date(2022, 3, 31), 12.0),
        )
    )
    days = [
        date(2020, 3, 10),
        date(2020, 3, 11),
        date(2021, 11, 1),
        date(2021, 12, 8),
        date(2025, 1, 1),
    ]
    t = ibis.memtable({"d": [(x - EPOCH).days for x in days]})
    got = ibis.duckdb.connect().execute(t.select(cap=cap_on(t.d, rules)))["cap"].tolist()
    assert got[0] != got[0]  # before the first entry: none (NaN)
    assert got[1:] == [10.0, 10.0, 12.0, 12.0]
