"""Overlap and rule features: coordination rules 1-6 of the contract, by sweeping periods."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from features.context import FAR_FUTURE, FAR_PAST, BuildContext
from features.feature import Feature
from features.pit import day
from features.sweep import align, days_where, interval_events, overlap_days, segments

FAMILY = "overlap"
CASE_KEYS = ["case_id", "as_of_day"]

FEATURES: tuple[Feature, ...] = (
    Feature(
        "overlap_excess_days",
        FAMILY,
        "days in the window that this case paid for and on which the person's paid extents over SJP, KAR, FP, TFP, AKS, SE and AE add up to more than 1.0.",
        "days",
        "{value} dagar i fönstret betalades förmåner med sammanlagd omfattning över 100 % för samma dag.",
    ),
    Feature(
        "overlap_forbidden_days",
        FAMILY,
        "days in the window that this case paid for and on which the person was also paid a benefit that rule 2 of the contract forbids beside this one.",
        "days",
        "{value} dagar i fönstret betalades även en förmån som inte får betalas samma dag.",
    ),
    Feature(
        "tfp_in_sickpay_period_days",
        FAMILY,
        "for TFP cases, days paid inside days 1-14 from insured_event_date of an SJP case of the same person with employment_type `employee`; 0 for other benefits.",
        "days",
        "{value} dagar tillfällig föräldrapenning betalades under sjuklöneperioden (dag 1–14).",
    ),
    Feature(
        "both_parents_tfp_days",
        FAMILY,
        "For TFP cases: days in the window that this case paid for and on which another parent "
        "was paid TFP for the same child (rule 4: never).",
        "days",
        "{value} dagar betalades tillfällig föräldrapenning till båda föräldrarna för samma barn.",
    ),
    Feature(
        "fp_double_days_excess",
        FAMILY,
        "For FP cases: days in the window paid to both parents for the same child beyond the "
        "allowed double days (after the child's 15 months, or past 60 double days; rule 4).",
        "days",
        "{value} dagar föräldrapenning till båda föräldrarna utöver tillåtna dubbeldagar.",
    ),
    Feature(
        "age_rule_days",
        FAMILY,
        "Days in the window that this case paid for outside the age limits of rule 5 (TFP and FP: "
        "child under 12; AE: 19-29 by month; SE: 30-64).",
        "days",
        "{value} dagar betalades utanför förmånens åldersgränser.",
    ),
    Feature(
        "before_insured_days",
        FAMILY,
        "Days in the window that this case paid for before the person's insured_from (rule 6).",
        "days",
        "{value} dagar betalades före försäkringstillhörighetens början.",
    ),
    Feature(
        "paid_days_in_window",
        FAMILY,
        "Days in the window that this case paid for (net of reversals).",
        "days",
        "Ärendet har betalat ut {value} dagar det senaste året.",
        higher_is_riskier=False,
    ),
)


def _forbidden(case_benefit: ir.StringValue, pay_benefit: ir.StringValue, ctx) -> ir.BooleanValue:
    """True where rule 2 forbids `pay_benefit` beside `case_benefit` on one day."""
    conds = [ibis.literal(False)]
    for pair in ctx.rules.forbidden_pairs:
        a, b = pair.benefits
        conds.append(
            ((case_benefit == a) & (pay_benefit == b)) | ((case_benefit == b) & (pay_benefit == a))
        )
    return ibis.or_(*conds)


def _age_bounds(ctx: BuildContext) -> ir.Table:
    """Per case key: allowed days [age_lo, age_hi) of rule 5 (null: no limit) and insured_from."""
    k = ctx.keys
    persons = ctx.tables["persons"].select(
        p_id="person_id", p_birth="birth_date", p_insured="insured_from"
    )
    children = ctx.tables["children"]
    kids = children.group_by(ch_id=children.child_id).aggregate(
        ch_birth=children.child_birth_date.min()
    )
    j = k.left_join(persons, k.person_id == persons.p_id)
    j = j.left_join(kids, j.child_id == kids.ch_id)
    lo_cases, hi_cases = [], []
    for benefit, rule in ctx.rules.age.items():
        birth = j.ch_birth if rule.subject == "child" else j.p_birth

        def bound(years: int | None, by_month: bool = rule.by_month, birth=birth):
            if years is None:
                return ibis.null("int64")
            d = (birth + ibis.interval(years=years)).cast("date")
            if by_month:
                d = ibis.date(d.year(), d.month(), 1)
            return day(d)

        lo_cases.append((j.benefit == benefit, bound(rule.min_age)))
        hi_cases.append((j.benefit == benefit, bound(rule.max_age_exclusive)))
    return j.select(
        "case_id",
        "as_of_day",
        age_lo=ibis.cases(*lo_cases, else_=ibis.null("int64")),
        age_hi=ibis.cases(*hi_cases, else_=ibis.null("int64")),
        ins=day(j.p_insured),
    )


def _main(ctx: BuildContext) -> ir.Table:
    """One sweep per case key over the person's payments: own extent, rule-1 total, rule-2 partners."""
    tol = ctx.tolerance
    k = ctx.keys.select("case_id", "as_of_day", "person_id", "lo", "hi", kb=ctx.keys.benefit)
    j = ctx.person_payments_in_window(k)
    rule1 = list(ctx.rules.extent.benefits)
    ev = interval_events(
        j,
        CASE_KEYS,
        "s",
        "e",
        {
            "own": (j.pay_case == j.case_id).ifelse(j.ext, 0.0),
            "tot": j.pay_benefit.isin(rule1).ifelse(j.ext, 0.0),
            "forb": _forbidden(j.kb, j.pay_benefit, ctx).ifelse(j.ext, 0.0),
        },
    )
    seg = segments(ev, CASE_KEYS, ["own", "tot", "forb"])
    bounds = _age_bounds(ctx).rename(b_case="case_id", b_day="as_of_day")
    seg = seg.join(
        bounds, [seg.case_id == bounds.b_case, seg.as_of_day == bounds.b_day], how="left"
    )
    own = seg.own > tol
    length = seg.end - seg.start
    inside_age = overlap_days(
        seg.start, seg.end, seg.age_lo.fill_null(FAR_PAST), seg.age_hi.fill_null(FAR_FUTURE)
    )
    before_ins = overlap_days(seg.start, seg.end, FAR_PAST, seg.ins.fill_null(FAR_PAST))
    return seg.group_by(CASE_KEYS).aggregate(
        overlap_excess_days=days_where(seg, own & (seg.tot > ctx.rules.extent.max_total + tol)),
        overlap_forbidden_days=days_where(seg, own & (seg.forb > tol)),
        age_rule_days=own.ifelse(length - inside_age, 0).sum(),
        before_insured_days=own.ifelse(before_ins, 0).sum(),
        paid_days_in_window=days_where(seg, own),
    )


def _own_events(ctx: BuildContext, k: ir.Table, clip_low: bool = True) -> ir.Table:
    """Events of a case key's own payments known by D-1 (value `own`), clipped to the window
    (only at its end when `clip_low` is False)."""
    p = ctx.payments
    j = k.join(p, k.case_id == p.pay_case)
    j = j.filter(j.paid_day < j.as_of_day, j.pe >= (j.lo if clip_low else FAR_PAST), j.ps <= j.hi)
    j = j.mutate(s=ibis.greatest(j.ps, j.lo) if clip_low else j.ps, e=ibis.least(j.pe, j.hi))
    return interval_events(j, CASE_KEYS, "s", "e", {"own": j.ext})


def _other_parent_events(ctx: BuildContext, k: ir.Table, benefit: str, clip_low: bool) -> ir.Table:
    """Events (value `other`) of payments of `benefit` known by D-1 to other persons' cases for
    the same child as the case key."""
    c = ctx.cases.filter(ctx.cases.c_benefit == benefit)
    kc = k.join(c, [k.child_id == c.c_child, k.person_id != c.c_person])
    p = ctx.payments
    j = kc.join(p, kc.c_case == p.pay_case)
    j = j.filter(j.paid_day < j.as_of_day, j.pe >= (j.lo if clip_low else FAR_PAST), j.ps <= j.hi)
    j = j.mutate(s=ibis.greatest(j.ps, j.lo) if clip_low else j.ps, e=ibis.least(j.pe, j.hi))
    return interval_events(j, CASE_KEYS, "s", "e", {"other": j.ext})


def _sickpay_period(ctx: BuildContext) -> ir.Table:
    """Rule 3 for cases of the blocked benefit: days in the employer's sick-pay period of the
    person's own employee SJP cases; rule 4's never-together benefits: days paid to both parents."""
    rule = ctx.rules.sickpay_period
    tol = ctx.tolerance
    k = ctx.keys.filter(ctx.keys.benefit == rule.blocked_benefit)
    k = k.select("case_id", "as_of_day", "person_id", "child_id", "lo", "hi")
    c = ctx.cases.filter(
        (ctx.cases.c_benefit == rule.sickness_benefit)
        & (ctx.cases.c_employment == rule.employment_type)
    )
    j = k.join(c, k.person_id == c.c_person)
    j = j.filter(j.c_opened < j.as_of_day)
    j = j.mutate(
        s=ibis.greatest(j.c_ied + (rule.first_day - 1), j.lo),
        e=ibis.least(j.c_ied + (rule.last_day - 1), j.hi),
    )
    sick = interval_events(j, CASE_KEYS, "s", "e", {"sick": ibis.literal(1.0)})
    ev = align([_own_events(ctx, k), sick], CASE_KEYS, ["own", "sick"])
    seg = segments(ev, CASE_KEYS, ["own", "sick"])
    return seg.group_by(CASE_KEYS).aggregate(
        tfp_in_sickpay_period_days=days_where(seg, (seg.own > tol) & (seg.sick > 0.5))
    )


def _both_parents_never(ctx: BuildContext) -> ir.Table:
    """Rule 4: days this case paid for on which another parent was paid the same benefit for the
    same child, for the benefits never paid to both parents."""
    tol = ctx.tolerance
    never = list(ctx.rules.both_parents.never)
    k = ctx.keys.filter(ctx.keys.benefit.isin(never) & ctx.keys.child_id.notnull())
    k = k.select("case_id", "as_of_day", "person_id", "child_id", "lo", "hi", "benefit")
    parts = [_own_events(ctx, k)]
    for benefit in never:
        kb = k.filter(k.benefit == benefit)
        parts.append(_other_parent_events(ctx, kb, benefit, clip_low=True))
    seg = segments(align(parts, CASE_KEYS, ["own", "other"]), CASE_KEYS, ["own", "other"])
    return seg.group_by(CASE_KEYS).aggregate(
        both_parents_tfp_days=days_where(seg, (seg.own > tol) & (seg.other > tol))
    )


def _double_days(ctx: BuildContext) -> ir.Table:
    """Rule 4 double days: both parents paid for one child on one day is allowed only before the
    child's age limit and for at most the quota of days per child, counted over all history."""
    rule = ctx.rules.both_parents
    tol = ctx.tolerance
    k = ctx.keys.filter((ctx.keys.benefit == rule.double_day_benefit) & ctx.keys.child_id.notnull())
    k = k.select("case_id", "as_of_day", "person_id", "child_id", "lo", "hi")
    children = ctx.tables["children"]
    kids = children.group_by(ch_id=children.child_id).aggregate(
        ch_birth=children.child_birth_date.min()
    )
    kk = k.join(kids, k.child_id == kids.ch_id)
    limit = (kk.ch_birth + ibis.interval(months=rule.double_days_before_child_age_months)).cast(
        "date"
    )
    kk = kk.mutate(s=day(kk.ch_birth), e=day(limit) - 1)
    young = interval_events(kk, CASE_KEYS, "s", "e", {"young": ibis.literal(1.0)})
    mark = interval_events(k.mutate(s=k.lo), CASE_KEYS, "s", "s", {"young": ibis.literal(0.0)})
    values = ["own", "other", "young"]
    ev = align(
        [
            _own_events(ctx, k, clip_low=False),
            _other_parent_events(ctx, k, rule.double_day_benefit, clip_low=False),
            young,
            mark,
        ],
        CASE_KEYS,
        values,
    )
    seg = segments(ev, CASE_KEYS, values)
    length = seg.end - seg.start
    double = (seg.own > tol) & (seg.other > tol)
    is_young = seg.young > 0.5
    seg = seg.mutate(_yd=(double & is_young).ifelse(length, 0))
    running = ibis.window(group_by=CASE_KEYS, order_by="start", rows=(None, 0))
    seg = seg.mutate(_cum=seg._yd.sum().over(running))
    quota = rule.max_double_days_per_child
    over_quota = ibis.greatest(seg._cum - quota, 0) - ibis.greatest(seg._cum - seg._yd - quota, 0)
    excess = ibis.cases((double & ~is_young, length), (double & is_young, over_quota), else_=0)
    keys_lo = k.select(w_case="case_id", w_day="as_of_day", w_lo="lo")
    seg = seg.mutate(_excess=excess)
    seg = seg.join(keys_lo, [seg.case_id == keys_lo.w_case, seg.as_of_day == keys_lo.w_day])
    seg = seg.filter(seg.start >= seg.w_lo)
    return seg.group_by(CASE_KEYS).aggregate(fp_double_days_excess=seg._excess.sum())


def build(ctx: BuildContext) -> list[ir.Table]:
    """The family's case-level tables, each keyed on (case_id, as_of_day)."""
    return [_main(ctx), _sickpay_period(ctx), _both_parents_never(ctx), _double_days(ctx)]
