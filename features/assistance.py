"""Assistance features (ASS): assistants' impossible days, billing while sick, providers' shares.

Hours paid against the reports and the grant are settled per period: features.settlement.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from features.context import BuildContext, left_attach
from features.feature import Feature
from features.pit import day, known_before, known_from_day

FAMILY = "assistance"
CASE_KEYS = ["case_id", "as_of_day"]

FEATURES: tuple[Feature, ...] = (
    Feature(
        "assistant_days_over_24h",
        FAMILY,
        "for ASS cases, days in the window on which an assistant who billed this case reported more than 24 hours in total across all clients.",
        "days",
        "{value} dagar rapporterade en assistent i ärendet mer än 24 timmar totalt hos "
        "alla assistansberättigade.",
    ),
    Feature(
        "ass_assistant_on_sjp_days",
        FAMILY,
        "For ASS cases: days in the window on which an assistant billed this case while being "
        "paid full (100 %) sickness benefit for that day.",
        "days",
        "{value} dagar rapporterades assistans i ärendet av en assistent som fick hel "
        "sjukpenning för samma dag.",
        is_reason=False,
        not_reason_why="tells another person's sick pay (secrecy): it scores, but is never told",
    ),
    Feature(
        "ass_provider_impossible_share",
        FAMILY,
        "For ASS cases: the highest share, over the providers that billed this case in the window, "
        "of a provider's assistants with at least one day over 24 hours in the window.",
        "share",
        "Hos assistansanordnaren har {value} av assistenterna minst en dag med mer än "
        "24 rapporterade timmar.",
        dtype="float64",
    ),
)


def _reports(ctx: BuildContext) -> ir.Table:
    """Work-time reports with day numbers, known-from day kept for the point-in-time filter."""
    w = ctx.tables["work_time_reports"]
    return w.select(
        assistant_id=w.assistant_id,
        r_case=w.client_case_id,
        provider_id=w.provider_id,
        wd=day(w.work_date),
        r_hours=w.hours,
        sub=known_from_day(w, "work_time_reports"),
    )


def _assistant_day_totals(ctx: BuildContext, wanted: ir.Table) -> ir.Table:
    """Hours per (assistant, as_of_day, work day) across all clients, reported by D-1, for the
    distinct (assistant_id, as_of_day, wd) rows of `wanted`."""
    r = _reports(ctx)
    j = wanted.join(r, ["assistant_id", "wd"])
    j = j.filter(known_before(j.sub, j.as_of_day))
    return j.group_by(["assistant_id", "as_of_day", "wd"]).aggregate(total=j.r_hours.sum())


def build(ctx: BuildContext) -> list[ir.Table]:
    """The family's case-level tables, keyed on (case_id, as_of_day)."""
    rule = ctx.rules.assistance
    tol = ctx.tolerance
    k = ctx.keys.filter(ctx.keys.benefit == "ASS")
    k = k.select("case_id", "as_of_day", "lo", "hi")
    r = _reports(ctx)
    billed = k.join(r, k.case_id == r.r_case)
    billed = billed.filter(
        known_before(billed.sub, billed.as_of_day), billed.wd >= billed.lo, billed.wd <= billed.hi
    )
    wanted = billed.select("assistant_id", "as_of_day", "wd").distinct()
    provider_days = _provider_days(ctx, billed)
    # The providers' assistant-days hold every assistant-day billed to the case: one total each.
    totals = _assistant_day_totals(
        ctx, provider_days.select("assistant_id", "as_of_day", "wd").distinct()
    )
    bt = billed.join(totals, ["assistant_id", "as_of_day", "wd"])
    over24 = bt.filter(bt.total > rule.max_assistant_hours_per_day + tol)
    over24 = over24.group_by(CASE_KEYS).aggregate(assistant_days_over_24h=over24.wd.nunique())

    p = ctx.payments.filter(ctx.payments.pay_benefit == "SJP")
    sj = wanted.join(p, wanted.assistant_id == p.pay_person)
    sj = sj.filter(known_before(sj.paid_day, sj.as_of_day), sj.ps <= sj.wd, sj.pe >= sj.wd)
    sick = sj.group_by(["assistant_id", "as_of_day", "wd"]).aggregate(ext=sj.ext.sum())
    sick = sick.filter(sick.ext >= 1.0 - tol)
    bs = billed.join(sick, ["assistant_id", "as_of_day", "wd"])
    on_sjp = bs.group_by(CASE_KEYS).aggregate(ass_assistant_on_sjp_days=bs.wd.nunique())

    return [over24, on_sjp, _provider_share(ctx, billed, provider_days, totals)]


def _provider_days(ctx: BuildContext, billed: ir.Table) -> ir.Table:
    """Reports known by D-1 in the window of every provider that billed a spine case in it."""
    pw = billed.select("provider_id", "as_of_day", "lo", "hi").distinct()
    r = _reports(ctx)
    pr = pw.join(r, "provider_id")
    return pr.filter(known_before(pr.sub, pr.as_of_day), pr.wd >= pr.lo, pr.wd <= pr.hi)


def _provider_share(
    ctx: BuildContext, billed: ir.Table, provider_days: ir.Table, totals: ir.Table
) -> ir.Table:
    """Per case key: max over its providers of the share of assistants with a day over 24 hours."""
    limit = ctx.rules.assistance.max_assistant_hours_per_day + ctx.tolerance
    provs = billed.select("case_id", "as_of_day", "provider_id").distinct()
    staff = provider_days.select("provider_id", "as_of_day", "assistant_id").distinct()
    bad = totals.filter(totals.total > limit).select("assistant_id", "as_of_day").distinct()
    bad = bad.mutate(is_bad=ibis.literal(1))
    sb = left_attach(staff, bad, ["assistant_id", "as_of_day"])
    share = sb.group_by(["provider_id", "as_of_day"]).aggregate(
        share=sb.is_bad.fill_null(0).sum() / sb.assistant_id.count()
    )
    j = provs.join(share, ["provider_id", "as_of_day"])
    return j.group_by(CASE_KEYS).aggregate(ass_provider_impossible_share=j.share.max())
