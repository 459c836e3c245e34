"""SGI and income features: the latest SGI decision known by D-1 against the reported pay behind it."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from features.context import BuildContext, left_attach
from features.feature import Feature
from features.pit import day, known_by

FAMILY = "sgi"
PERSON_KEYS = ["person_id", "as_of_day"]

FEATURES: tuple[Feature, ...] = (
    Feature(
        "sgi_hours_days_mixup",
        FAMILY,
        "1 when the person's latest SGI decision known by D-1 has annual_sgi_sek >= 100,000 and annual_work_hours <= 365, else 0.",
        "flag",
        "Det senaste SGI-beslutet har en hög SGI men en årsarbetstid på högst 365 timmar. "
        "Årsarbetstiden kan ha registrerats i dagar i stället för timmar.",
        reason_sv_zero="Inget SGI-beslut med hög SGI och högst 365 timmars årsarbetstid.",
    ),
    Feature(
        "sgi_per_hour",
        FAMILY,
        "Annual SGI divided by the stated annual work hours of the latest SGI decision.",
        "SEK/hour",
        "SGI:n per angiven arbetstimme är {value} kr.",
        fill=None,
        dtype="float64",
    ),
    Feature(
        "sgi_to_pay_ratio",
        FAMILY,
        "Annual SGI of the latest decision divided by the pay reported for the 12 months before "
        "the decision's month (null without reported pay).",
        "ratio",
        "SGI:n är {value} gånger den lön som rapporterades för de tolv månaderna före "
        "SGI-beslutet.",
        fill=None,
        dtype="float64",
        legal_ground="25 kap. 2 § socialförsäkringsbalken",
    ),
    Feature(
        "sgi_employment_no_pay",
        FAMILY,
        "1 when the latest SGI decision is based on employment and no pay is reported for the 12 "
        "months before the decision's month, else 0.",
        "flag",
        "SGI:n grundas på anställning, men ingen lön är rapporterad för de tolv månaderna "
        "före SGI-beslutet.",
        reason_sv_zero="Lön är rapporterad för de tolv månaderna före SGI-beslutet.",
        legal_ground="25 kap. 2 § socialförsäkringsbalken",
    ),
    Feature(
        "sgi_pay_jump_ratio",
        FAMILY,
        "Mean monthly pay in the 3 months before the SGI decision's month divided by the mean of "
        "months 4-12 before it (null when the earlier months have no pay).",
        "ratio",
        "Lönen de tre månaderna före SGI-beslutet var {value} gånger så hög som lönen "
        "de nio månaderna dessförinnan.",
        fill=None,
        dtype="float64",
        legal_ground="25 kap. 2 § socialförsäkringsbalken",
    ),
    Feature(
        "sgi_employer_age_days",
        FAMILY,
        "Days from the registration of the employer behind the SGI (most pay in the 12 months "
        "before the decision) to the decision.",
        "days",
        "Arbetsgivaren bakom SGI:n registrerades {value} dagar före SGI-beslutet.",
        higher_is_riskier=False,
        fill=None,
        dtype="float64",
    ),
    Feature(
        "sgi_employer_size",
        FAMILY,
        "Persons with reported pay from the employer behind the SGI in the 12 months before D's "
        "month, as known at its start (the employer's size now, counted as the network features "
        "count employees).",
        "persons",
        "Arbetsgivaren bakom SGI:n har rapporterat lön för {value} personer under de "
        "senaste tolv månaderna.",
        higher_is_riskier=False,
        fill=None,
        dtype="float64",
    ),
)


def build(ctx: BuildContext) -> list[ir.Table]:
    """The family's person-level table, keyed on (person_id, as_of_day)."""
    cfg = ctx.settings.sgi
    s = ctx.latest_sgi
    j = ctx.sgi_pay_months
    lookback, recent = cfg.pay_lookback_months, cfg.pay_jump_recent_months
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
    return [base, _employer_behind(ctx)]


def _employer_behind(ctx: BuildContext) -> ir.Table:
    """Age at the decision and size now of the employer that paid the person most before the
    decision."""
    top = ctx.sgi_employer
    emp = ctx.tables["employers"]
    te = left_attach(top, emp.select("employer_id", "registered_date"), ["employer_id"])
    te = te.mutate(
        reg=known_by(te, "employers", te.as_of_day).ifelse(
            day(te.registered_date), ibis.null("int64")
        )
    )
    pk = ctx.person_keys.select(k_person="person_id", k_day="as_of_day", as_of_ym="as_of_ym")
    te = te.join(pk, [te.person_id == pk.k_person, te.as_of_day == pk.k_day])
    staff = ctx.employer_staff
    size = staff.group_by(["employer_id", "as_of_ym"]).aggregate(n=staff.count())
    out = left_attach(te, size, ["employer_id", "as_of_ym"])
    return out.select(
        out.person_id,
        out.as_of_day,
        sgi_employer_age_days=(out.decision_day - out.reg).cast("float64"),
        sgi_employer_size=out.n.fill_null(0).cast("float64"),
    )
