"""Repeated KAR claims (the annual report's "systematiska uttag"): a person's claims in 12 months.

An employer may make at most 10 waiting-day deductions (karensavdrag) in twelve months (6 §
sjuklönelagen), so compensation for more deductions than that has nothing to compensate. The cap
is the rules' `kar_claims_per_12_months` (felrisk/config/benefit_rules.toml): the entry in force on
the person's latest claim day, or the last one in force before it (the benefit paused between its
periods; the cap did not change). A claim is a day paid as KAR (its period's first day), net of
reversals, known by D-1.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import ibis
import ibis.expr.types as ir

from features.context import BuildContext
from features.feature import Feature
from features.pit import known_before
from felrisk.benefit_rules import BenefitRules, load_benefit_rules

FAMILY = "history"
CASE_KEYS = ["case_id", "as_of_day"]
EPOCH = date(1970, 1, 1)

FEATURES: tuple[Feature, ...] = (
    Feature(
        "kar_claims_12m",
        FAMILY,
        "For KAR cases: the person's days paid as ersättning för karensavdrag (a payment's first "
        "day, net of reversals) in the window, over all the person's KAR cases.",
        "claims",
        "{value} gånger under de senaste tolv månaderna har personen fått ersättning för "
        "karensavdrag.",
    ),
    Feature(
        "kar_claims_over_cap",
        FAMILY,
        "For KAR cases: the person's KAR claims in the window (kar_claims_12m) beyond the cap "
        "per 12 months in force on the latest claim day (benefit rule kar_claims_per_12_months), "
        "else 0.",
        "claims",
        "{value} av personens ersättningar för karensavdrag under de senaste tolv månaderna går "
        "utöver det högsta antal karensavdrag som får göras under tolv månader.",
    ),
)


def claim_days(ctx: BuildContext) -> ir.Table:
    """Per KAR case key: the person's claim days in the window known by D-1, one row each.

    Columns case_id, as_of_day, claim_day. A claim reversed by D-1 is no claim.
    """
    k = ctx.keys.filter(ctx.keys.benefit == "KAR")
    k = k.select("case_id", "as_of_day", "person_id", "lo", "hi")
    p = ctx.payments.filter(ctx.payments.pay_benefit == "KAR")
    j = k.join(p, k.person_id == p.pay_person)
    j = j.filter(known_before(j.paid_day, j.as_of_day), j.ps >= j.lo, j.ps <= j.hi)
    net = j.group_by([*CASE_KEYS, j.ps.name("claim_day")]).aggregate(ext=j.ext.sum())
    return net.filter(net.ext > ctx.tolerance).select(*CASE_KEYS, "claim_day")


@cache
def _default_rules() -> BenefitRules:
    return load_benefit_rules()


def cap_on(day: ir.IntegerValue, rules: BenefitRules | None = None) -> ir.FloatingValue:
    """The claims cap of the entry in force on day number `day`, or of the last one before it;
    null before the first."""
    entries = (rules or _default_rules()).entries("kar_claims_per_12_months", "KAR")
    latest_first = sorted(entries, key=lambda e: e.valid_from, reverse=True)
    branches = [(day >= (e.valid_from - EPOCH).days, float(e.value)) for e in latest_first]
    return ibis.cases(*branches, else_=ibis.null("float64"))


def build(ctx: BuildContext) -> list[ir.Table]:
    """Case-level (case_id, as_of_day) table of the KAR cases."""
    c = claim_days(ctx)
    n = c.group_by(CASE_KEYS).aggregate(kar_claims_12m=c.count(), last=c.claim_day.max())
    over = ibis.greatest(n.kar_claims_12m - cap_on(n.last), 0).cast("int64")
    return [n.select(*CASE_KEYS, "kar_claims_12m", kar_claims_over_cap=over.fill_null(0))]
