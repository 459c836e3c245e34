"""Assistance hours settled per period (avräkning): paid hours against reported and granted hours.

FK settles assistansersättning per settlement period (rule 7's `settlement_months` calendar
months, aligned to the year; felrisk/config/rules.toml): the hours paid for the period are compared with the hours the
assistants reported and with the grant, which may be used unevenly across the weeks of the
period. A payment belongs to the period of its first day; a reversal (negative amount) subtracts
its hours. Only payments and time reports known by D-1 count, for the periods that overlap the
window; the period still running is compared as far as it is known (hours paid beyond the whole
period's grant cannot be taken back by later weeks).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from features.context import BuildContext, left_attach
from features.feature import Feature
from features.pit import known_before, known_from_day, month_index

FAMILY = "assistance"
CASE_KEYS = ["case_id", "as_of_day"]
PERIOD_KEYS = ["case_id", "as_of_day", "period"]

FEATURES: tuple[Feature, ...] = (
    Feature(
        "ass_hours_over_granted",
        FAMILY,
        "For ASS cases: hours paid to this case above the grant, summed over the settlement "
        "periods (6 calendar months) that overlap the window; the grant of a period is "
        "granted_hours_per_week x its days from insured_event_date / 7 (rule 7).",
        "hours",
        "{value} timmar assistans betalades ut i ärendet utöver de beviljade timmarna för "
        "avräkningsperioden.",
        dtype="float64",
    ),
    Feature(
        "ass_paid_hours_unreported",
        FAMILY,
        "For ASS cases: hours paid to this case above the hours its assistants reported for the "
        "same settlement period (6 calendar months), summed over the periods that overlap the "
        "window; a period counts from 1 hour above.",
        "hours",
        "{value} timmar assistans betalades ut i ärendet utöver de timmar som assistenterna "
        "tidrapporterade för samma avräkningsperiod.",
        dtype="float64",
    ),
)


def periods(ctx: BuildContext) -> ir.Table:
    """Per ASS case key and settlement period with hours paid in it: the period's first and last
    day numbers, hours paid, hours reported and hours granted (null without a grant).

    Columns case_id, as_of_day, period, p_start, p_end, paid, reported, granted, per_week.
    """
    months = ctx.rules.assistance.settlement_months
    k = ctx.keys.filter(ctx.keys.benefit == "ASS")
    k = k.select(*CASE_KEYS, "lo", "hi", "ied_day", "granted_hours")
    p = ctx.tables["payments"]
    p = p.filter(p.benefit == "ASS")
    p = p.select(
        pay_case=p.case_id,
        pay_period=month_index(p.period_start) // months,
        pay_known=known_from_day(p, "payments"),
        pay_hours=(p.amount_sek < 0).ifelse(-p.hours, p.hours).fill_null(0.0),
    )
    kp = k.join(p, k.case_id == p.pay_case)
    kp = kp.filter(known_before(kp.pay_known, kp.as_of_day))
    paid = kp.group_by([*CASE_KEYS, kp.pay_period.name("period")]).aggregate(
        paid=kp.pay_hours.sum()
    )
    w = ctx.tables["work_time_reports"]
    w = w.select(
        r_case=w.client_case_id,
        r_period=month_index(w.work_date) // months,
        r_known=known_from_day(w, "work_time_reports"),
        r_hours=w.hours,
    )
    kr = k.select(*CASE_KEYS).join(w, k.case_id == w.r_case)
    kr = kr.filter(known_before(kr.r_known, kr.as_of_day))
    reported = kr.group_by([*CASE_KEYS, kr.r_period.name("period")]).aggregate(
        reported=kr.r_hours.sum()
    )
    t = left_attach(paid, reported, PERIOD_KEYS)
    t = ctx.with_month_start(t, t.period * months, "p_start")
    t = ctx.with_month_start(t, (t.period + 1) * months, "p_next")
    t = t.join(k, CASE_KEYS)
    t = t.filter(t.p_next - 1 >= t.lo, t.p_start <= t.hi)
    granted_days = ibis.greatest(t.p_next - ibis.greatest(t.p_start, t.ied_day), 0)
    return t.select(
        *PERIOD_KEYS,
        "p_start",
        p_end=t.p_next - 1,
        paid=t.paid,
        reported=t.reported.fill_null(0.0),
        granted=t.granted_hours * granted_days / 7.0,
        per_week=t.granted_hours,
    )


def excesses(ctx: BuildContext) -> ir.Table:
    """`periods` with over_granted and unreported: the hours paid above the grant and above the
    reports (0 below; unreported also 0 up to `assistance.unreported_min_hours`)."""
    t = periods(ctx)
    over_reports = t.paid - t.reported
    floor = ctx.settings.assistance.unreported_min_hours
    return t.mutate(
        over_granted=ibis.greatest(t.paid - t.granted, 0.0),
        unreported=(over_reports > floor).ifelse(over_reports, 0.0),
    )


def build(ctx: BuildContext) -> list[ir.Table]:
    """Case-level (case_id, as_of_day) table of the ASS cases."""
    t = excesses(ctx)
    return [
        t.group_by(CASE_KEYS).aggregate(
            ass_hours_over_granted=t.over_granted.sum(),
            ass_paid_hours_unreported=t.unreported.sum(),
        )
    ]
