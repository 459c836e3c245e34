"""Repeated KAR claims (the annual report's "systematiska uttag"): a person's claims in 12 months.

An employer may make at most `kar.max_claims_per_12_months` waiting-day deductions (karensavdrag)
in twelve months (sjuklönelagen), so compensation for more deductions than that has nothing to
compensate. A claim is a day paid as KAR (its period's first day), net of reversals, known by D-1.
"""

from __future__ import annotations

import ibis.expr.types as ir

from features.context import BuildContext
from features.feature import Feature
from features.pit import known_before

FAMILY = "history"
CASE_KEYS = ["case_id", "as_of_day"]

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
        "of waiting-day deductions per 12 months (features.toml [kar]), else 0.",
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


def build(ctx: BuildContext) -> list[ir.Table]:
    """Case-level (case_id, as_of_day) table of the KAR cases."""
    cap = ctx.settings.kar.max_claims_per_12_months
    c = claim_days(ctx)
    n = c.group_by(CASE_KEYS).aggregate(kar_claims_12m=c.count())
    over = (n.kar_claims_12m - cap).clip(lower=0)
    return [n.mutate(kar_claims_over_cap=over)]
