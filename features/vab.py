"""TFP (VAB) while working: pay in a month with TFP days not lowered against the person's usual pay.

An employee home with a sick child loses the pay of those days, which TFP replaces; pay as high as
usual in a month with several TFP days says the person worked, or was paid twice. The usual pay is
the median monthly pay of the months without any benefit among the `work.months` calendar months
before D's month (robust to a spike in one of them); a TFP month whose pay is far above it is a
holiday-pay or back-pay spike and is not counted. Employers often deduct an absence from the
next month's pay, so the month after must not be lowered either (a month counts once the next
month's pay is known). Pay is the latest report known by D-1 for each
employer and month (a correction replaces the report it corrects), summed over employers.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from features.context import BuildContext, left_attach
from features.feature import Feature
from features.pit import weekdays
from features.work import (
    CASE_KEYS,
    FAMILY,
    MONTH_KEYS,
    PERSON_KEYS,
    month_days,
    person_pay_in_month,
)

FEATURES: tuple[Feature, ...] = (
    Feature(
        "work_tfp_pay_not_lowered_days",
        FAMILY,
        "For TFP cases: the case's TFP days (extent x days paid) in the months (of the 12 before "
        "D's month) in which the person was paid TFP for at least 3 weekdays, reported pay between 97 % and 110 % of the "
        "person's usual pay (the median pay of at least 3 months without any benefit) and the "
        "next month's pay at least 97 % of it (deductions often come a month late).",
        "days",
        "{value} dagar betalades tillfällig föräldrapenning ut under månader då den rapporterade "
        "lönen inte var lägre än personens vanliga lön.",
        dtype="float64",
        legal_ground="110 kap. 46 § socialförsäkringsbalken",
    ),
    Feature(
        "work_tfp_pay_not_lowered_sek",
        FAMILY,
        "For TFP cases: over the months of work_tfp_pay_not_lowered_days, the reported pay above "
        "the usual pay less the TFP weekdays' share of it (usual pay x TFP weekdays / weekdays of "
        "the month).",
        "SEK",
        "{value} kr mer lön rapporterades under månader med tillfällig föräldrapenning än "
        "personens vanliga lön minskad för dagarna med tillfällig föräldrapenning.",
        dtype="float64",
        legal_ground="110 kap. 46 § socialförsäkringsbalken",
    ),
)


def _usual_pay(months: ir.Table) -> ir.Table:
    """Per person key: the median pay of `months` (those without benefit) and how many there are."""
    n = months.pay.count().over(ibis.window(group_by=PERSON_KEYS))
    rank = ibis.row_number().over(ibis.window(group_by=PERSON_KEYS, order_by=months.pay))
    t = months.mutate(_n=n, _rank=rank)
    mid = t.filter((t._rank == (t._n - 1) // 2) | (t._rank == t._n // 2))
    return mid.group_by(PERSON_KEYS).aggregate(usual=mid.pay.mean(), usual_months=mid._n.max())


def tfp_months(ctx: BuildContext) -> ir.Table:
    """Per TFP case key: the months of the work window in which the case paid TFP, its person's
    pay is reported and the person was paid TFP for at least `work.tfp_min_days_in_month`
    weekdays, beside the usual pay.

    Columns case_id, as_of_day, ym, m_start, case_days (the case's own TFP days, extent x days
    paid), tfp_days and tfp_wd (the person's TFP days and weekdays that month, over all TFP
    cases), pay, next_pay (the next month's, which must be known), usual, usual_months, cal_wd.
    """
    cfg, tol = ctx.settings.work, ctx.tolerance
    k = ctx.keys.filter(ctx.keys.benefit == "TFP").select(*CASE_KEYS, "person_id")
    persons = k.select(k_person=k.person_id, k_day=k.as_of_day).distinct()
    mp = ctx.month_pay
    mp = mp.join(persons, [mp.person_id == persons.k_person, mp.as_of_day == persons.k_day])
    mp = month_days(ctx, mp.drop("k_person", "k_day"))
    j = person_pay_in_month(ctx, mp, list(ctx.rules.extent.benefits))
    j = j.mutate(days=j.ext * (j.e - j.s + 1), is_tfp=j.pay_benefit == "TFP")
    paid = j.group_by(MONTH_KEYS).aggregate(
        benefit_days=j.days.sum(),
        tfp_days=j.is_tfp.ifelse(j.days, 0.0).sum(),
        tfp_wd=j.is_tfp.ifelse(j.ext * weekdays(j.s, j.e), 0.0).sum(),
    )
    m = left_attach(mp, paid, MONTH_KEYS)
    usual = _usual_pay(m.filter(m.benefit_days.isnull() | (m.benefit_days <= tol)))
    usual = usual.filter(usual.usual_months >= cfg.tfp_usual_pay_min_months)
    # a weekend off costs no pay: the month counts by its TFP weekdays
    t = m.filter(m.tfp_wd >= cfg.tfp_min_days_in_month).join(usual, PERSON_KEYS)
    nxt = ctx.month_pay
    nxt = nxt.select(*PERSON_KEYS, ym=nxt.ym - 1, next_pay=nxt.pay)
    t = t.join(nxt, MONTH_KEYS)
    own = j.filter(j.is_tfp)
    own = own.group_by([*MONTH_KEYS, own.pay_case.name("case_id")]).aggregate(
        case_days=own.days.sum()
    )
    own = own.filter(own.case_days > tol)
    t = k.join(t.join(own, MONTH_KEYS), CASE_KEYS)
    return t.select(
        *CASE_KEYS, "ym", "m_start", "case_days", "tfp_days", "tfp_wd", "pay", "next_pay", "usual",
        "usual_months", "cal_wd",
    )  # fmt: skip


def not_lowered(ctx: BuildContext) -> ir.Table:
    """`tfp_months` whose pay is not lowered (within the factor and the spike factor of the usual
    pay) nor the next month's, with `kept`: the pay above the usual pay less the TFP weekdays'
    share of it."""
    cfg = ctx.settings.work
    t = tfp_months(ctx)
    t = t.filter(
        t.usual > 0,
        t.pay >= cfg.tfp_pay_not_lowered_factor * t.usual,
        t.pay <= cfg.tfp_pay_spike_factor * t.usual,
        t.next_pay >= cfg.tfp_pay_not_lowered_factor * t.usual,
    )
    kept = t.pay - t.usual * (1.0 - t.tfp_wd / t.cal_wd)
    return t.mutate(kept=ibis.greatest(kept, 0.0))


def build(ctx: BuildContext) -> list[ir.Table]:
    """Case-level (case_id, as_of_day) table of the TFP cases."""
    t = not_lowered(ctx)
    return [
        t.group_by(CASE_KEYS).aggregate(
            work_tfp_pay_not_lowered_days=t.case_days.sum(),
            work_tfp_pay_not_lowered_sek=t.kept.sum(),
        )
    ]
