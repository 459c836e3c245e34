"""SGI and income features: the latest SGI decision known by D-1 against the reported pay behind it."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from features.context import BuildContext, left_attach
from features.feature import Feature
from features.pit import day, known_by, month_index
from felrisk.contract import TABLES

FAMILY = "sgi"
PERSON_KEYS = ["person_id", "as_of_day"]

FEATURES: tuple[Feature, ...] = (
    Feature(
        "sgi_hours_days_mixup",
        FAMILY,
        "1 when the person's latest SGI decision known by D-1 has annual_sgi_sek >= 100,000 and annual_work_hours <= 365, else 0.",
        "flag",
        "Senaste SGI-beslutet har hög SGI men en årsarbetstid på högst 365 timmar (dagar angivna som timmar?).",
        reason_sv_zero="Inget SGI-beslut med hög SGI och högst 365 timmars årsarbetstid.",
    ),
    Feature(
        "sgi_per_hour",
        FAMILY,
        "Annual SGI divided by the stated annual work hours of the latest SGI decision.",
        "SEK/hour",
        "SGI per angiven arbetstimme är {value} kr.",
        fill=None,
        dtype="float64",
    ),
    Feature(
        "sgi_to_pay_ratio",
        FAMILY,
        "Annual SGI of the latest decision divided by the pay reported for the 12 months before "
        "the decision's month (null without reported pay).",
        "ratio",
        "SGI är {value} gånger den rapporterade lönen för de tolv månaderna före beslutet.",
        fill=None,
        dtype="float64",
    ),
    Feature(
        "sgi_employment_no_pay",
        FAMILY,
        "1 when the latest SGI decision is based on employment and no pay is reported for the 12 "
        "months before the decision's month, else 0.",
        "flag",
        "SGI grundas på anställning men ingen lön är rapporterad för året före beslutet.",
        reason_sv_zero="Lön är rapporterad för året före SGI-beslutet.",
    ),
    Feature(
        "sgi_pay_jump_ratio",
        FAMILY,
        "Mean monthly pay in the 3 months before the SGI decision's month divided by the mean of "
        "months 4-12 before it (null when the earlier months have no pay).",
        "ratio",
        "Lönen de tre månaderna före SGI-beslutet var {value} gånger den tidigare lönen.",
        fill=None,
        dtype="float64",
    ),
    Feature(
        "sgi_employer_age_days",
        FAMILY,
        "Days from the registration of the employer behind the SGI (most pay in the 12 months "
        "before the decision) to the decision.",
        "days",
        "Arbetsgivaren bakom SGI:n var registrerad {value} dagar före beslutet.",
        higher_is_riskier=False,
        fill=None,
        dtype="float64",
    ),
    Feature(
        "sgi_employer_size",
        FAMILY,
        "Persons with reported pay from the employer behind the SGI in the 12 months before the "
        "decision, as reported by the end of the decision's month (by D-1 if earlier).",
        "persons",
        "Arbetsgivaren bakom SGI:n rapporterade lön för {value} personer året före beslutet.",
        higher_is_riskier=False,
        fill=None,
        dtype="float64",
    ),
)


def build(ctx: BuildContext) -> list[ir.Table]:
    """The family's person-level table, keyed on (person_id, as_of_day)."""
    cfg = ctx.settings.sgi
    s = ctx.latest_sgi
    inc = ctx.income_known
    lookback, recent = cfg.pay_lookback_months, cfg.pay_jump_recent_months
    j = s.join(inc, PERSON_KEYS)
    j = j.filter(j.ym >= j.decision_ym - lookback, j.ym < j.decision_ym)
    pay = j.group_by(PERSON_KEYS).aggregate(
        pay_all=j.pay.sum(),
        pay_recent=(j.ym >= j.decision_ym - recent).ifelse(j.pay, 0.0).sum(),
    )
    t = left_attach(s, pay, PERSON_KEYS)
    pay_all = t.pay_all.fill_null(0.0)
    earlier = pay_all - t.pay_recent.fill_null(0.0)
    mixup = (t.sgi >= cfg.mixup_min_sgi_sek) & (t.work_hours <= cfg.mixup_max_work_hours)
    base = t.select(
        *PERSON_KEYS,
        sgi_hours_days_mixup=mixup.ifelse(1, 0),
        sgi_per_hour=(t.work_hours > 0).ifelse(t.sgi / t.work_hours, ibis.null("float64")),
        sgi_to_pay_ratio=(pay_all > 0).ifelse(t.sgi / pay_all, ibis.null("float64")),
        sgi_employment_no_pay=((t.income_basis == "employment") & (pay_all <= 0)).ifelse(1, 0),
        sgi_pay_jump_ratio=(earlier > 0).ifelse(
            (t.pay_recent.fill_null(0.0) / recent) / (earlier / (lookback - recent)),
            ibis.null("float64"),
        ),
    )
    return [base, _employer_behind(ctx, j)]


def _employer_behind(ctx: BuildContext, j: ir.Table) -> ir.Table:
    """Age at the decision and size of the employer that paid the person most before the decision."""
    lookback = ctx.settings.sgi.pay_lookback_months
    by_emp = j.group_by([*PERSON_KEYS, "employer_id", "decision_ym", "decision_day"]).aggregate(
        emp_pay=j.pay.sum()
    )
    w = ibis.window(group_by=PERSON_KEYS, order_by=[ibis.desc("emp_pay"), ibis.asc("employer_id")])
    top = by_emp.mutate(_rank=ibis.row_number().over(w))
    top = top.filter((top._rank == 0) & (top.emp_pay > 0)).drop("_rank", "emp_pay")
    emp = ctx.tables["employers"]
    te = left_attach(top, emp.select("employer_id", "registered_date"), ["employer_id"])
    te = te.mutate(
        reg=known_by(te, "employers", te.as_of_day).ifelse(
            day(te.registered_date), ibis.null("int64")
        )
    )
    # size: distinct persons with pay from the employer in the lookback months, as reported by
    # the end of the decision's month (by D-1 when that comes first). Keyed by employer, decision
    # month and that cut-off, not by D, the count is made once for all dates after the month.
    te = ctx.with_month_start(te, te.decision_ym + 1, "next_month")
    te = te.mutate(cut=ibis.least(te.as_of_day, te.next_month)).drop("next_month")
    pairs = te.select("employer_id", "decision_ym", "cut").distinct()
    back = ibis.memtable({"back": list(range(1, lookback + 1))}, schema={"back": "int64"})
    months = pairs.cross_join(back).mutate(ym=lambda t: t.decision_ym - t.back).drop("back")
    inc = ctx.tables["income_reports"]
    known_from = TABLES["income_reports"].known_from
    paid = inc.filter(inc.gross_pay_sek > 0).select(
        "person_id", inc[known_from], i_employer=inc.employer_id, i_ym=month_index(inc.month)
    )
    pi = months.join(paid, [months.employer_id == paid.i_employer, months.ym == paid.i_ym])
    pi = pi.filter(known_by(pi, "income_reports", pi.cut))
    size = pi.group_by(["employer_id", "decision_ym", "cut"]).aggregate(n=pi.person_id.nunique())
    out = left_attach(te, size, ["employer_id", "decision_ym", "cut"])
    return out.select(
        out.person_id,
        out.as_of_day,
        sgi_employer_age_days=(out.decision_day - out.reg).cast("float64"),
        sgi_employer_size=out.n.fill_null(0).cast("float64"),
    )
