"""The agency's own calculation: each paid daily amount recomputed from the SGI and the rules in force.

For SJP, FP and TFP a full day is the replacement rate of the SGI, capped at the SGI cap, over
365 days and rounded to whole kronor; FP never below its basic level (grundnivå). A payment period
of a case (its period and extent) is set against that amount x its days x extent, with the SGI
decision in force on the period's first day (valid from it or before; the latest decided of those
known by D-1, also when decided after the payment: the decision of a new sickness often follows
its first payment) and the rates and caps in force that day (felrisk.benefit_rules). A decision
valid only from a later day is not applied to an earlier period. Reversals and corrections of the
same period net out: only what stands is judged. All rows known by D-1; `period_checks` is also
what the reasons' facts read.
"""

from __future__ import annotations

from functools import cache

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from features.context import FAR_FUTURE, BuildContext
from features.feature import Feature
from features.pit import day, known_before, known_from_day
from features.pit import day_date as _date
from features.settings import FeatureSettings
from felrisk import swedish
from felrisk.benefit_rules import BenefitRules, load_benefit_rules
from felrisk.contract import BENEFIT_NAMES_SV

FAMILY = "sgi"
BENEFITS = ("SJP", "FP", "TFP")
CASE_KEYS = ["case_id", "as_of_day"]
PERIOD_KEYS = ["case_id", "as_of_day", "ps", "pe", "extent"]
NAME = "paid_above_rules_sek"

FEATURES: tuple[Feature, ...] = (
    Feature(
        NAME,
        FAMILY,
        "For SJP, FP and TFP cases: SEK paid above the rules, summed over the case's payment "
        "periods touching the window: the net amount of a period's payments known by D-1 against "
        "their net count x days x extent x the daily amount, round(replacement rate x min(SGI, "
        "SGI cap) / 365) (FP: at least the basic level), with the latest SGI decision known by "
        "D-1 in force on the period's first day, and the rates and caps in force that day; "
        "periods above by more than 1 SEK a day and 1 % count.",
        "SEK",
        "{value} kr betalades ut i ärendet utöver det belopp som SGI:n, ersättningsnivån och "
        "taket ger.",
        dtype="float64",
    ),
)


@cache
def _default_rules() -> BenefitRules:
    return load_benefit_rules()


def amount_rules(rules: BenefitRules, benefits: tuple[str, ...] = BENEFITS) -> pd.DataFrame:
    """Per benefit, the periods over which its replacement rate, SGI cap (SEK) and basic level all
    stay the same: columns r_benefit, r_from, r_to (inclusive day numbers), rate, sgi_cap, basic.

    Days on which one of them is not in force have no row: their payments are not judged.
    """
    table = rules.table()
    table = table[
        table["name"].isin(["prisbasbelopp", "sgi_cap_pba", "replacement_rate", "fp_basic_daily"])
    ]
    rows = []
    for b in benefits:
        mine = table[table["benefit"].isna() | (table["benefit"] == b)]
        starts = mine["valid_from"].to_numpy("datetime64[D]").astype("int64")
        ends = mine["valid_to"].dropna().to_numpy("datetime64[D]").astype("int64") + 1
        cuts = np.unique(np.concatenate([starts, ends]))
        rate = rules.value("replacement_rate", cuts, b)
        cap = rules.max_sgi(b, cuts)
        basic = rules.value("fp_basic_daily", cuts, b) if b == "FP" else np.zeros(len(cuts))
        last = np.append(cuts[1:] - 1, FAR_FUTURE)
        for i in np.flatnonzero(~(np.isnan(rate) | np.isnan(cap) | np.isnan(basic))):
            rows.append((b, int(cuts[i]), int(last[i]), rate[i], cap[i], basic[i]))
    cols = ["r_benefit", "r_from", "r_to", "rate", "sgi_cap", "basic"]
    return pd.DataFrame(rows, columns=cols)


def _periods(ctx: BuildContext) -> ir.Table:
    """Per case key, payment period and extent touching the window: the net amount of its
    payments known by D-1 and how many stand (positive ones less reversals)."""
    k = ctx.keys.filter(ctx.keys.benefit.isin(BENEFITS))
    k = k.select("case_id", "as_of_day", "person_id", "benefit", "lo", "hi")
    p = ctx.tables["payments"]
    p = p.filter(p.benefit.isin(BENEFITS)).select(
        p_case=p.case_id,
        ps=day(p.period_start),
        pe=day(p.period_end),
        extent=p.extent,
        amount=p.amount_sek,
        paid_day=day(p.paid_date),
    )
    j = k.join(p, k.case_id == p.p_case)
    j = j.filter(known_before(j.paid_day, j.as_of_day), j.pe >= j.lo, j.ps <= j.hi)
    positive = j.amount > 0
    g = j.group_by([*PERIOD_KEYS, "person_id", "benefit"]).aggregate(
        net=j.amount.sum(),
        standing=positive.ifelse(1, -1).sum(),
    )
    return g.filter(g.standing > 0)


def _with_sgi(ctx: BuildContext, g: ir.Table) -> ir.Table:
    """Each period with the SGI decision in force on its first day: of the person's decisions
    known by D-1 and valid from that day or before, the latest decided (ties by sgi_id). Periods
    without one drop out: they are not judged."""
    s = ctx.tables["sgi_decisions"]
    s = s.select(
        s_person=s.person_id,
        sgi_id=s.sgi_id,
        sgi=s.annual_sgi_sek,
        decision_day=known_from_day(s, "sgi_decisions"),
        s_from=day(s.valid_from),
    )
    j = g.join(s, g.person_id == s.s_person)
    j = j.filter(known_before(j.decision_day, j.as_of_day), j.s_from <= j.ps)
    w = ibis.window(group_by=PERIOD_KEYS, order_by=[ibis.desc("decision_day"), ibis.desc("sgi_id")])
    j = j.mutate(_rank=ibis.row_number().over(w))
    return j.filter(j._rank == 0).drop("_rank", "s_person", "s_from")


def period_checks(ctx: BuildContext, rules: BenefitRules | None = None) -> ir.Table:
    """Per SJP/FP/TFP case key and payment period (ps..pe, extent) touching the window, with an
    SGI decision to judge it by: net (SEK paid, net of reversals), standing (payments that stand),
    days, the decision (sgi_id, sgi, decision_day), the rules (rate, sgi_cap, basic), daily (the
    amount of a full day), allowed, excess (net - allowed) and over (whether excess counts)."""
    cfg = ctx.settings.amounts
    r = ibis.memtable(
        amount_rules(rules or _default_rules()),
        schema={
            "r_benefit": "string",
            "r_from": "int64",
            "r_to": "int64",
            "rate": "float64",
            "sgi_cap": "float64",
            "basic": "float64",
        },
    )
    g = _with_sgi(ctx, _periods(ctx))
    j = g.join(r, [g.benefit == r.r_benefit, g.ps >= r.r_from, g.ps <= r.r_to])
    full_day = (j.rate * ibis.least(j.sgi, j.sgi_cap) / 365.0).round(0)
    daily = ibis.greatest(full_day, j.basic)
    days = j.pe - j.ps + 1
    allowed = j.standing * days * j.extent * daily
    tol = ibis.greatest(cfg.tolerance_share * allowed, cfg.tolerance_sek_per_day * days)
    excess = j.net - allowed
    return j.select(
        *PERIOD_KEYS,
        "benefit",
        "net",
        "standing",
        "sgi_id",
        "sgi",
        "decision_day",
        "rate",
        "sgi_cap",
        "basic",
        days=days,
        daily=daily,
        allowed=allowed,
        excess=excess,
        over=excess > tol,
    )


def build(ctx: BuildContext) -> list[ir.Table]:
    """The case-level table (case_id, as_of_day): SEK above the rules over the periods that count."""
    c = period_checks(ctx)
    c = c.filter(c.over)
    return [c.group_by(CASE_KEYS).aggregate(**{NAME: c.excess.sum()})]


def _span(first: int, last: int) -> str:
    return swedish.span(_date(first), _date(last))


def _share(extent: float) -> str:
    """An extent as percent: '100 %', '12,5 %'."""
    return swedish.percent(extent, 0 if round(100 * extent, 6).is_integer() else 1)


def _one_period(r) -> str:
    """How one period's amount is reached: the decision, the rate, the cap or basic level."""
    sgi = f"SGI:n {swedish.sek(r.sgi)} enligt beslutet {swedish.day(_date(r.decision_day))}"
    rate = f"ersättningsnivån {swedish.percent(r.rate)}"
    if r.sgi > r.sgi_cap:
        rate += f" och SGI-taket {swedish.sek(r.sgi_cap)}"
    text = f"{sgi} ger med {rate} ett dagbelopp på {swedish.sek(r.daily)}"
    if r.basic > 0 and r.daily <= r.basic:
        text = f"{sgi} ger med {rate} grundnivån {swedish.sek(r.basic)} om dagen"
    days = f"{r.days} {'dag' if r.days == 1 else 'dagar'}"
    paid = "utbetalt" if r.standing == 1 else f"utbetalt {r.standing} gånger"
    return (
        f"{_span(r.ps, r.pe)} ({BENEFIT_NAMES_SV[r.benefit]} {_share(r.extent)}, "
        f"{days}): {swedish.sek(r.net)} {paid}, men {text}, alltså {swedish.sek(r.allowed)}"
    )


def fact_rows(ctx: BuildContext) -> ir.Table:
    """The rows the facts are worded from: `period_checks` that count."""
    c = period_checks(ctx)
    return c.filter(c.over)


def facts_sv(checks: pd.DataFrame, settings: FeatureSettings | None = None) -> pd.DataFrame:
    """The facts behind the feature, in Swedish, from `period_checks` rows (executed) of a few case
    keys: how much above the rules, over which periods, and the largest period worked through.
    Columns case_id, as_of_day, reason_sv; one row per key with periods that count. `settings`
    is unused: the facts' common signature (features.table_facts.SOURCES)."""
    c = checks[checks["over"]]
    rows = []
    for (case, as_of_day), g in c.groupby(["case_id", "as_of_day"], sort=True):
        top = g.sort_values(["excess", "ps"], ascending=[False, True]).iloc[0]
        total = swedish.sek(g["excess"].sum())
        if len(g) == 1:
            text = f"{total} mer än SGI:n och reglerna ger betalades ut för {_one_period(top)}"
        else:
            text = (
                f"{total} mer än SGI:n och reglerna ger betalades ut för {len(g)} "
                f"utbetalningsperioder "
                f"{_span(int(g['ps'].min()), int(g['pe'].max()))}. Mest för {_one_period(top)}"
            )
        rows.append((case, as_of_day, swedish.tie_units(text)))
    return pd.DataFrame(rows, columns=["case_id", "as_of_day", "reason_sv"])
