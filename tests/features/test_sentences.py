"""Every reason sentence rendered from hand-built facts and compared with the Swedish an
investigator can read out to the person: the registry's templates, and the facts of each rule."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from features import breaks
from features.facts import _rule_sentence, _template, _what
from features.registry import REGISTRY
from felrisk.rules import load_rules

NB = "\u00a0"

# (feature, value, sentence): one row per feature that may be a reason
TEMPLATES = [
    (
        "overlap_excess_days",
        3,
        "3 dagar under de senaste tolv månaderna betalades förmåner ut med en sammanlagd omfattning över 100\u00a0% för samma dag.",
    ),
    (
        "overlap_forbidden_days",
        3,
        "3 dagar under de senaste tolv månaderna betalades två förmåner ut för samma dag som inte får betalas ut samtidigt.",
    ),
    (
        "tfp_in_sickpay_period_days",
        3,
        "3 dagar betalades tillfällig föräldrapenning ut under sjuklöneperioden (dag 1–14 av en sjukperiod).",
    ),
    (
        "both_parents_tfp_days",
        3,
        "3 dagar betalades tillfällig föräldrapenning ut till båda föräldrarna för samma barn.",
    ),
    (
        "fp_double_days_excess",
        3,
        "3 dagar betalades föräldrapenning ut till båda föräldrarna utöver de tillåtna dubbeldagarna.",
    ),
    ("age_rule_days", 3, "3 dagar betalades förmånen ut utanför förmånens åldersgränser."),
    (
        "before_insured_days",
        3,
        "3 dagar betalades förmånen ut innan personen var försäkrad i Sverige.",
    ),
    (
        "sgi_hours_days_mixup",
        1,
        "Det senaste SGI-beslutet har en hög SGI men en årsarbetstid på högst 365 timmar. Årsarbetstiden kan ha registrerats i dagar i stället för timmar.",
    ),
    ("sgi_per_hour", 1154.0, "SGI:n per angiven arbetstimme är 1\u00a0154\u00a0kr."),
    (
        "sgi_to_pay_ratio",
        2.5,
        "SGI:n är 2,5 gånger den lön som rapporterades för de tolv månaderna före SGI-beslutet.",
    ),
    (
        "sgi_employment_no_pay",
        1,
        "SGI:n grundas på anställning, men ingen lön är rapporterad för de tolv månaderna före SGI-beslutet.",
    ),
    (
        "sgi_pay_jump_ratio",
        2.5,
        "Lönen de tre månaderna före SGI-beslutet var 2,5 gånger så hög som lönen de nio månaderna dessförinnan.",
    ),
    (
        "sgi_employer_age_days",
        3,
        "Arbetsgivaren bakom SGI:n registrerades 3 dagar före SGI-beslutet.",
    ),
    (
        "sgi_employer_size",
        3,
        "Arbetsgivaren bakom SGI:n har rapporterat lön för 3 personer under de senaste tolv månaderna.",
    ),
    (
        "work_full_benefit_pay_months",
        3,
        "3 månader betalades hel ersättning ut för varje vardag samtidigt som arbetsgivare rapporterade en lön över hälften av SGI:n per månad.",
    ),
    (
        "work_tfp_pay_not_lowered_days",
        5,
        "5 dagar betalades tillfällig föräldrapenning ut under månader då den rapporterade lönen inte var lägre än personens vanliga lön.",
    ),
    (
        "work_tfp_pay_not_lowered_sek",
        7500.0,
        "7\u00a0500\u00a0kr mer lön rapporterades under månader med tillfällig föräldrapenning än personens vanliga lön minskad för dagarna med tillfällig föräldrapenning.",
    ),
    (
        "aks_work_zero_pay_months",
        3,
        "3 månader angavs inget arbete i månadens ansökan om aktivitetsstöd, men arbetsgivare rapporterade lön för månaden.",
    ),
    (
        "aks_absence_gap_days",
        3,
        "3 vardagar betalades en annan dagersättning ut utöver den frånvaro som angavs i månadens ansökan om aktivitetsstöd.",
    ),
    (
        "assistant_days_over_24h",
        3,
        "3 dagar rapporterade en assistent i ärendet mer än 24 timmar totalt hos alla assistansberättigade.",
    ),
    (
        "ass_hours_over_granted",
        12.5,
        "12,5 timmar assistans betalades ut i ärendet utöver de beviljade timmarna för avräkningsperioden.",
    ),
    (
        "ass_paid_hours_unreported",
        20,
        "20 timmar assistans betalades ut i ärendet utöver de timmar som assistenterna tidrapporterade för samma avräkningsperiod.",
    ),
    (
        "ass_provider_impossible_share",
        0.4,
        "Hos assistansanordnaren har 40\u00a0% av assistenterna minst en dag med mer än 24 rapporterade timmar.",
    ),
    (
        "reversals_in_window",
        3,
        "3 utbetalningar i ärendet har återförts eller krävts tillbaka under de senaste tolv månaderna.",
    ),
    ("person_confirmed_errors", 3, "3 tidigare kontroller av personens ärenden har visat fel."),
    (
        "paid_above_rules_sek",
        5022.0,
        "5\u00a0022\u00a0kr betalades ut i ärendet utöver det belopp som SGI:n, ersättningsnivån "
        "och taket ger.",
    ),
    (
        "se_ae_work_pay_sek",
        22000.0,
        "Arbetsgivare rapporterade 22\u00a0000\u00a0kr mer i lön än förmånens omfattning ger "
        "utrymme för, för månader då sjukersättning eller aktivitetsersättning betalades ut för "
        "varje dag.",
    ),
    (
        "kar_claims_12m",
        12,
        "12 gånger under de senaste tolv månaderna har personen fått ersättning för karensavdrag.",
    ),
    (
        "kar_claims_over_cap",
        2,
        "2 av personens ersättningar för karensavdrag under de senaste tolv månaderna går utöver det högsta antal karensavdrag som får göras under tolv månader.",
    ),
]


def test_every_reason_template_is_pinned():
    assert {f for f, _, _ in TEMPLATES} == {n for n, f in REGISTRY.items() if f.is_reason}


@pytest.mark.parametrize(("feature", "value", "sentence"), TEMPLATES)
def test_reason_template_renders_the_expected_swedish(feature, value, sentence):
    assert _template(feature, value) == sentence


@pytest.mark.parametrize(
    ("feature", "value", "sentence"),
    [
        ("overlap_excess_days", 1, f"1 dag under de senaste tolv månaderna betalades förmåner ut "
         f"med en sammanlagd omfattning över 100{NB}% för samma dag."),
        ("work_full_benefit_pay_months", 1, "1 månad betalades hel ersättning ut för varje vardag "
         "samtidigt som arbetsgivare rapporterade en lön över hälften av SGI:n per månad."),
        ("person_confirmed_errors", 1, "1 tidigare kontroll av personens ärenden har visat fel."),
        ("sgi_to_pay_ratio", float("nan"), "Uppgift saknas för ärendet."),
    ],
)  # fmt: skip
def test_one_and_unknown_read_right(feature, value, sentence):
    assert _template(feature, value) == sentence


def _period(rule: str, benefit: str, **kw) -> dict:
    row = {f"ext_{b}": 0.0 for b in ("SJP", "KAR", "FP", "TFP", "AKS", "SE", "AE", "ASS")}
    row.update(rule=rule, benefit=benefit, other_case="S9", ref_day=0, first_day=0, last_day=0)
    row.update(limit=float("nan"))
    row.update(kw)
    return row


def _day(d: date) -> int:
    return (d - date(1970, 1, 1)).days


MAR1, MAR12 = _day(date(2025, 3, 1)), _day(date(2025, 3, 12))

# (feature, period, sentence) for n=12 days 2025-03-01–2025-03-12
RULE_FACTS = [
    (
        "overlap_excess_days",
        _period(breaks.EXTENT, "FP", ext_FP=1.0, ext_SJP=1.0),
        f"12 dagar 2025-03-01–2025-03-12 betalades föräldrapenning 100{NB}% och sjukpenning "
        f"100{NB}% ut för samma dag, sammanlagt 200{NB}%.",
    ),
    (
        "overlap_excess_days",
        _period(breaks.EXTENT, "FP", ext_FP=2.0),
        "12 dagar 2025-03-01–2025-03-12 betalades föräldrapenning ut två gånger för samma dag.",
    ),
    (
        "overlap_forbidden_days",
        _period(breaks.FORBIDDEN_PAIR, "KAR", ext_KAR=1.0, ext_SJP=1.0),
        "12 dagar 2025-03-01–2025-03-12 betalades ersättning för karensavdrag och sjukpenning ut "
        "för samma dag, fast de inte kan betalas ut samtidigt.",
    ),
    (
        "tfp_in_sickpay_period_days",
        _period(breaks.SICKPAY_PERIOD, "TFP", other_case="S1", ref_day=MAR1),
        "12 dagar 2025-03-01–2025-03-12 betalades tillfällig föräldrapenning ut under "
        "sjuklöneperioden (dag 1–14 i sjukfallet S1 från 2025-03-01).",
    ),
    (
        "both_parents_tfp_days",
        _period(breaks.BOTH_PARENTS, "TFP", other_case="OTHER_PARENT_CASE"),
        "12 dagar 2025-03-01–2025-03-12 betalades tillfällig föräldrapenning ut till båda "
        "föräldrarna för samma barn.",
    ),
    (
        "fp_double_days_excess",
        _period(
            breaks.DOUBLE_DAYS_AGE, "FP", other_case="OTHER_PARENT_CASE", ref_day=MAR1, limit=15.0
        ),
        "12 dagar 2025-03-01–2025-03-12 betalades föräldrapenning ut till båda föräldrarna utöver "
        "de tillåtna dubbeldagarna (barnet blev 15 månader 2025-03-01).",
    ),
    (  # the engine's limit in force: 12 months before 2024-07-01
        "fp_double_days_excess",
        _period(
            breaks.DOUBLE_DAYS_AGE, "FP", other_case="OTHER_PARENT_CASE", ref_day=MAR1, limit=12.0
        ),
        "12 dagar 2025-03-01–2025-03-12 betalades föräldrapenning ut till båda föräldrarna utöver "
        "de tillåtna dubbeldagarna (barnet blev 12 månader 2025-03-01).",
    ),
    (
        "fp_double_days_excess",
        _period(breaks.DOUBLE_DAYS_QUOTA, "FP", other_case="OTHER_PARENT_CASE", limit=60.0),
        "12 dagar 2025-03-01–2025-03-12 betalades föräldrapenning ut till båda föräldrarna utöver "
        "de tillåtna dubbeldagarna (högst 60 dubbeldagar per barn).",
    ),
    (
        "fp_double_days_excess",
        _period(breaks.DOUBLE_DAYS_QUOTA, "FP", other_case="OTHER_PARENT_CASE", limit=30.0),
        "12 dagar 2025-03-01–2025-03-12 betalades föräldrapenning ut till båda föräldrarna utöver "
        "de tillåtna dubbeldagarna (högst 30 dubbeldagar per barn).",
    ),
    (
        "age_rule_days",
        _period(breaks.AGE, "SE", ref_day=MAR12 + 1, last_day=MAR12),
        "12 dagar 2025-03-01–2025-03-12 betalades sjukersättning ut utanför åldersgränsen "
        "(förmånen kan betalas ut från 2025-03-13).",
    ),
    (
        "age_rule_days",
        _period(breaks.AGE, "TFP", ref_day=MAR1, last_day=MAR12),
        "12 dagar 2025-03-01–2025-03-12 betalades tillfällig föräldrapenning ut utanför "
        "åldersgränsen (förmånen kan betalas ut till och med 2025-02-28).",
    ),
    (
        "before_insured_days",
        _period(breaks.COVERAGE, "SJP", ref_day=MAR12 + 1),
        "12 dagar 2025-03-01–2025-03-12 betalades sjukpenning ut innan personen var försäkrad i "
        "Sverige (försäkrad från 2025-03-13).",
    ),
]


@pytest.mark.parametrize(("feature", "period", "sentence"), RULE_FACTS)
def test_rule_facts_read_as_the_person_may_hear_them(feature, period, sentence):
    from features.facts import _total
    from felrisk.contract import BENEFIT_NAMES_SV

    rules = load_rules()
    what = _what(pd.DataFrame([period]), rules)[0]
    total = _total(period, rules.extent.benefits) if period["rule"] == breaks.EXTENT else 0
    got = _rule_sentence(
        feature,
        n=12,
        span="2025-03-01–2025-03-12",
        benefit=BENEFIT_NAMES_SV[period["benefit"]],
        what=what,
        total=total,
    )
    assert got + "." == sentence
    assert "OTHER_PARENT_CASE" not in got  # never the other parent's case
