"""Overlap and rule features: coordination rules 1-6 of the contract, as days of the rule engine's
break periods (features.breaks), plus the days the case paid for."""

from __future__ import annotations

import ibis.expr.types as ir

from features import breaks
from features.context import BuildContext
from features.feature import Feature
from features.sweep import days_where

FAMILY = "overlap"
CASE_KEYS = ["case_id", "as_of_day"]

FEATURES: tuple[Feature, ...] = (
    Feature(
        "overlap_excess_days",
        FAMILY,
        "days in the window that this case paid for and on which the person's paid extents over SJP, KAR, FP, TFP, AKS, SE and AE add up to more than 1.0.",
        "days",
        "{value} dagar under de senaste tolv månaderna betalades förmåner ut med en "
        "sammanlagd omfattning över 100 % för samma dag.",
    ),
    Feature(
        "overlap_forbidden_days",
        FAMILY,
        "days in the window that this case paid for and on which the person was also paid a benefit that rule 2 of the contract forbids beside this one.",
        "days",
        "{value} dagar under de senaste tolv månaderna betalades två förmåner ut för samma "
        "dag som inte får betalas ut samtidigt.",
    ),
    Feature(
        "tfp_in_sickpay_period_days",
        FAMILY,
        "for TFP cases, days paid inside days 1-14 from insured_event_date of an SJP case of the same person with employment_type `employee`; 0 for other benefits.",
        "days",
        "{value} dagar betalades tillfällig föräldrapenning ut under sjuklöneperioden "
        "(dag 1–14 av en sjukperiod).",
    ),
    Feature(
        "both_parents_tfp_days",
        FAMILY,
        "For TFP cases: days in the window that this case paid for and on which another parent "
        "was paid TFP for the same child (rule 4: never).",
        "days",
        "{value} dagar betalades tillfällig föräldrapenning ut till båda föräldrarna för "
        "samma barn.",
    ),
    Feature(
        "fp_double_days_excess",
        FAMILY,
        "For FP cases: days in the window paid to both parents for the same child beyond the "
        "allowed double days (past the child's age limit or the quota in force on the day; rule 4).",
        "days",
        "{value} dagar betalades föräldrapenning ut till båda föräldrarna utöver de "
        "tillåtna dubbeldagarna.",
    ),
    Feature(
        "age_rule_days",
        FAMILY,
        "Days in the window that this case paid for outside the age limits of rule 5 (TFP and FP: "
        "child under 12; AE: 19-29 by month; SE: 30-64).",
        "days",
        "{value} dagar betalades förmånen ut utanför förmånens åldersgränser.",
    ),
    Feature(
        "before_insured_days",
        FAMILY,
        "Days in the window that this case paid for before the person's insured_from (rule 6).",
        "days",
        "{value} dagar betalades förmånen ut innan personen var försäkrad i Sverige.",
        legal_ground="4 kap. 3 § socialförsäkringsbalken",
    ),
    Feature(
        "paid_days_in_window",
        FAMILY,
        "Days in the window that this case paid for (net of reversals).",
        "days",
        "I ärendet har {value} dagar betalats ut under de senaste tolv månaderna.",
        higher_is_riskier=False,
        is_reason=False,
        not_reason_why="states no fact that points to an error",
    ),
)


# Which rules of the engine each rule feature counts the days of.
RULE_FEATURES: dict[str, tuple[str, ...]] = {
    "overlap_excess_days": (breaks.EXTENT,),
    "overlap_forbidden_days": (breaks.FORBIDDEN_PAIR,),
    "tfp_in_sickpay_period_days": (breaks.SICKPAY_PERIOD,),
    "both_parents_tfp_days": (breaks.BOTH_PARENTS,),
    "fp_double_days_excess": (breaks.DOUBLE_DAYS_AGE, breaks.DOUBLE_DAYS_QUOTA),
    "age_rule_days": (breaks.AGE,),
    "before_insured_days": (breaks.COVERAGE,),
}


def rule_days(rule_breaks: ir.Table) -> ir.Table:
    """Per case key: the days of each rule feature, summed over the engine's break periods."""
    b = rule_breaks
    return b.group_by(CASE_KEYS).aggregate(
        **{f: b.rule.isin(rules).ifelse(b.days, 0).sum() for f, rules in RULE_FEATURES.items()}
    )


def build(ctx: BuildContext) -> list[ir.Table]:
    """The family's case-level tables, each keyed on (case_id, as_of_day)."""
    seg = breaks.person_segments(ctx)  # the rule engine's own sweep, shared
    paid = seg.group_by(CASE_KEYS).aggregate(
        paid_days_in_window=days_where(seg, seg.own > ctx.tolerance)
    )
    return [rule_days(breaks.rule_breaks(ctx)), paid]
