"""Work while paid: reported pay in months of full benefit, AKS declarations (TFP: features.vab).

Months are the `work.months` complete calendar months before D's month; pay is the latest gross pay
reported by D-1 per employer and month, summed over employers (features.context.month_pay).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from features.context import BuildContext
from features.feature import Feature
from features.pit import known_before, known_by, month_index, weekdays
from features.sweep import interval_events, segments

FAMILY = "work"
CASE_KEYS = ["case_id", "as_of_day"]
PERSON_KEYS = ["person_id", "as_of_day"]
MONTH_KEYS = ["person_id", "as_of_day", "ym"]

FEATURES: tuple[Feature, ...] = (
    Feature(
        "work_full_benefit_pay_months",
        FAMILY,
        "Months (of the 12 calendar months before D's month) in which every weekday was paid as a "
        "full day (rule-1 extents summing to at least 1.0) and the reported pay exceeds 50 % of the "
        "monthly SGI (latest SGI / 12): more than sick pay, holiday pay or back pay explain.",
        "months",
        "{value} månader betalades hel ersättning ut för varje vardag samtidigt som "
        "arbetsgivare rapporterade en lön över hälften av SGI:n per månad.",
        legal_ground="110 kap. 46 § socialförsäkringsbalken",
    ),
    Feature(
        "aks_work_zero_pay_months",
        FAMILY,
        "For AKS cases: months (of the 12 before D's month) whose latest activity report declares "
        "0 hours of work while employers reported more than 1,000 SEK of pay for the month.",
        "months",
        "{value} månader angavs inget arbete i månadens ansökan om aktivitetsstöd, men "
        "arbetsgivare rapporterade lön för månaden.",
    ),
    Feature(
        "aks_absence_gap_days",
        FAMILY,
        "For AKS cases: over the reported months (of the 12 before D's month), weekday-days on which "
        "the person was paid another daily benefit (SJP, KAR, FP, TFP) beyond the absence days "
        "declared for the month.",
        "days",
        "{value} vardagar betalades en annan dagersättning ut utöver den frånvaro som "
        "angavs i månadens ansökan om aktivitetsstöd.",
        dtype="float64",
    ),
)


def month_days(ctx: BuildContext, t: ir.Table) -> ir.Table:
    """Attach each month's first and last day number and weekday count (calendar join on ym)."""
    cal = ctx.calendar
    j = t.join(cal, t.ym == cal.cal_ym).drop("cal_ym")
    return j.mutate(m_start=j.cal_start, m_end=j.cal_start + j.cal_days - 1)


def person_pay_in_month(ctx: BuildContext, months: ir.Table, benefits: list[str]) -> ir.Table:
    """`months` (MONTH_KEYS, m_start, m_end) joined to the person's payments of `benefits` known by
    D-1 that touch the month, clipped to it (s, e)."""
    p = ctx.payments.filter(ctx.payments.pay_benefit.isin(benefits))
    j = months.join(p, months.person_id == p.pay_person)
    j = j.filter(known_before(j.paid_day, j.as_of_day), j.pe >= j.m_start, j.ps <= j.m_end)
    return j.mutate(s=ibis.greatest(j.ps, j.m_start), e=ibis.least(j.pe, j.m_end))


def _monthly_sgi(ctx: BuildContext) -> ir.Table:
    s = ctx.latest_sgi
    return s.select(s_person=s.person_id, s_day=s.as_of_day, msgi=s.sgi / 12.0)


def _pay_vs_sgi(ctx: BuildContext) -> ir.Table:
    """Month pay beside the monthly SGI, for persons with an SGI decision known by D-1."""
    mp, sg = ctx.month_pay, _monthly_sgi(ctx)
    j = mp.join(sg, [mp.person_id == sg.s_person, mp.as_of_day == sg.s_day])
    return j.drop("s_person", "s_day")


def _full_benefit_pay(ctx: BuildContext) -> ir.Table:
    cfg, tol = ctx.settings.work, ctx.tolerance
    cand = _pay_vs_sgi(ctx)
    cand = month_days(ctx, cand.filter(cand.pay > cfg.full_month_pay_factor * cand.msgi))
    j = person_pay_in_month(ctx, cand, list(ctx.rules.extent.benefits))
    ev = interval_events(j, MONTH_KEYS, "s", "e", {"tot": j.ext})
    seg = segments(ev, MONTH_KEYS, ["tot"])
    full = (seg.tot >= 1.0 - tol).ifelse(weekdays(seg.start, seg.end - 1), 0)
    per = seg.group_by(MONTH_KEYS).aggregate(full_wd=full.sum())
    per = month_days(ctx, per)
    per = per.filter(per.full_wd >= per.cal_wd)
    return per.group_by(PERSON_KEYS).aggregate(work_full_benefit_pay_months=per.count())


def _activity_months(ctx: BuildContext) -> ir.Table:
    """Per AKS case key and month of the work window: the latest activity report known by D-1."""
    months = ctx.settings.work.months
    k = ctx.keys.filter(ctx.keys.benefit == "AKS")
    k = k.select("case_id", "as_of_day", "as_of_ym", "person_id")
    a = ctx.tables["activity_reports"]
    a = a.select(
        a_case=a.case_id,
        ym=month_index(a.month),
        absence=a.declared_absence_days,
        work_hours=a.declared_work_hours,
        submitted_date=a.submitted_date,
    )
    j = k.join(a, k.case_id == a.a_case)
    j = j.filter(
        known_by(j, "activity_reports", j.as_of_day),
        j.ym >= j.as_of_ym - months,
        j.ym < j.as_of_ym,
    )
    w = ibis.window(group_by=[*CASE_KEYS, "ym"], order_by=[ibis.desc("submitted_date")])
    j = j.mutate(_rank=ibis.row_number().over(w))
    return j.filter(j._rank == 0).select(*CASE_KEYS, "person_id", "ym", "absence", "work_hours")


def _aks(ctx: BuildContext) -> list[ir.Table]:
    cfg = ctx.settings.work
    am = _activity_months(ctx)
    mp = ctx.month_pay.rename(mp_person="person_id", mp_day="as_of_day", mp_ym="ym")
    j = am.left_join(
        mp, [am.person_id == mp.mp_person, am.as_of_day == mp.mp_day, am.ym == mp.mp_ym]
    )
    zero = (j.work_hours <= 0) & (j.pay.fill_null(0.0) > cfg.aks_min_pay_sek)
    work_zero = j.group_by(CASE_KEYS).aggregate(aks_work_zero_pay_months=zero.ifelse(1, 0).sum())

    months = month_days(ctx, am)
    other = [b for b in ("SJP", "KAR", "FP", "TFP") if b in ctx.rules.extent.benefits]
    p = person_pay_in_month(ctx, months, other)
    other_days = p.group_by([*CASE_KEYS, "ym", "absence"]).aggregate(
        od=(p.ext * weekdays(p.s, p.e)).sum()
    )
    gap = ibis.greatest(other_days.od - other_days.absence, 0.0)
    gaps = other_days.group_by(CASE_KEYS).aggregate(aks_absence_gap_days=gap.sum())
    return [work_zero, gaps]


def build(ctx: BuildContext) -> list[ir.Table]:
    """Person-level (person_id, as_of_day) and AKS case-level (case_id, as_of_day) tables."""
    return [_full_benefit_pay(ctx), *_aks(ctx)]
