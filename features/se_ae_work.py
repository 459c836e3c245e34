"""Paid work beside sjukersättning and aktivitetsersättning: pay in months the case paid in full.

`work_full_benefit_pay_months` measures pay against the SGI, which most SE and AE cases lack (their
decision predates the data). This detector needs none: for each month (of the `work.months`
calendar months before D's month) that an SE or AE case paid for every day, the pay employers
reported for it is set against the room the benefit leaves: nothing beside a full benefit,
(1 - extent) of the pay before the insured event beside a partial one, plus a small allowed amount.
Pay from a former employer in the benefit's first months (holiday pay, the last salary) is left out.
All rows known by D-1; the month table (`month_checks`) is also what the reasons' facts read.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from features.context import BuildContext, left_attach
from features.feature import Feature
from features.pit import day, day_date, known_before, known_from_day, month_index, signed_extent
from features.settings import FeatureSettings
from features.sweep import interval_events, segments
from felrisk import swedish
from felrisk.contract import BENEFIT_NAMES_SV

FAMILY = "work"
BENEFITS = ("SE", "AE")
CASE_KEYS = ["case_id", "as_of_day"]
MONTH_KEYS = ["case_id", "as_of_day", "ym"]
NAME = "se_ae_work_pay_sek"

FEATURES: tuple[Feature, ...] = (
    Feature(
        NAME,
        FAMILY,
        "For SE and AE cases: employer-reported pay (SEK) in the months (of the 12 calendar months "
        "before D's month) that the case paid for every day, above the room the benefit leaves: "
        "0 beside full benefit, (1 - extent) x the mean monthly pay of the 12 months before the "
        "insured event's month beside a partial one (unjudged without such pay), plus 1,000 SEK a "
        "month; a former employer's pay in the benefit's first 2 months (holiday pay) left out. "
        "Rounded to 6 decimals: the last bits of the months' sum follow the engine's order of rows.",
        "SEK",
        "Arbetsgivare rapporterade {value} kr mer i lön än förmånens omfattning ger utrymme för, "
        "för månader då sjukersättning eller aktivitetsersättning betalades ut för varje dag.",
        dtype="float64",
        legal_ground="110 kap. 46 § socialförsäkringsbalken",
    ),
)


def _case_keys(ctx: BuildContext) -> ir.Table:
    """SE and AE case keys with the insured event's month index."""
    k = ctx.keys.filter(ctx.keys.benefit.isin(BENEFITS))
    c = ctx.tables["cases"]
    c = c.filter(c.benefit.isin(BENEFITS)).select(
        c_case=c.case_id, ied_ym=month_index(c.insured_event_date)
    )
    k = k.join(c, k.case_id == c.c_case)
    return k.select("case_id", "as_of_day", "as_of_ym", "person_id", "benefit", "ied_day", "ied_ym")


def _payments(ctx: BuildContext, keys: ir.Table) -> ir.Table:
    """The keys' own SE/AE payments known by D-1: day numbers, signed extent, first paid month."""
    p = ctx.tables["payments"]
    p = p.filter(p.benefit.isin(BENEFITS)).select(
        p_case=p.case_id,
        ps=day(p.period_start),
        pe=day(p.period_end),
        ps_ym=month_index(p.period_start),
        ext=signed_extent(p),
        amount=p.amount_sek,
        paid_day=known_from_day(p, "payments"),
    )
    j = keys.join(p, keys.case_id == p.p_case)
    return j.filter(known_before(j.paid_day, j.as_of_day))


def _income(ctx: BuildContext, keys: ir.Table) -> ir.Table:
    """The keys beside their person's pay per employer and month, as known by D-1."""
    inc = ctx.income_known.rename(i_person="person_id", i_day="as_of_day")
    return keys.join(inc, [keys.person_id == inc.i_person, keys.as_of_day == inc.i_day])


def _pay_rows(ctx: BuildContext, keys: ir.Table) -> ir.Table:
    """Per key, employer and month of the work window: the pay known by D-1 (non-zero)."""
    j = _income(ctx, keys)
    months = ctx.settings.work.months
    return j.filter(j.ym >= j.as_of_ym - months, j.ym < j.as_of_ym, j.pay != 0)


def _baseline(ctx: BuildContext, keys: ir.Table) -> tuple[ir.Table, ir.Table]:
    """Per key: the mean monthly pay of the baseline months before the insured event's month, and
    the employers that paid the person then (whose early pay in the benefit is final pay)."""
    n = ctx.settings.se_ae_work.baseline_months
    j = _income(ctx, keys)
    j = j.filter(j.ym >= j.ied_ym - n, j.ym < j.ied_ym)
    base = j.group_by(CASE_KEYS).aggregate(base_pay=j.pay.sum() / n)
    former = j.filter(j.pay > 0).select(
        f_case=j.case_id, f_day=j.as_of_day, f_employer=j.employer_id
    )
    return base, former.distinct()


def month_checks(ctx: BuildContext) -> ir.Table:
    """Per SE/AE case key and month of the work window with reported pay that the case paid for
    every day: extent (mean over the month), pay (all employers), final_pay (left out),
    base_pay (mean monthly pay before the insured event, null when none), room and excess (SEK).

    Columns case_id, as_of_day, ym, person_id, benefit, ied_day, m_start, extent, pay, final_pay,
    base_pay, room, excess; excess is null for a partial month without pay before the benefit (not judged).
    """
    cfg, tol = ctx.settings.se_ae_work, ctx.tolerance
    keys = _case_keys(ctx)
    pays = _payments(ctx, keys)
    first = pays.filter(pays.amount > 0)
    first = first.group_by(CASE_KEYS).aggregate(first_ym=first.ps_ym.min())
    base, former = _baseline(ctx, keys)

    rows = _pay_rows(ctx, keys)
    rows = left_attach(rows, first, CASE_KEYS)
    rows = rows.left_join(
        former,
        [
            rows.case_id == former.f_case,
            rows.as_of_day == former.f_day,
            rows.employer_id == former.f_employer,
        ],
    )
    is_final = rows.f_employer.notnull() & (rows.ym < rows.first_ym + cfg.final_pay_months)
    month_pay = rows.group_by([*MONTH_KEYS, "person_id", "benefit", "ied_day"]).aggregate(
        pay=rows.pay.sum(), final_pay=is_final.ifelse(rows.pay, 0.0).sum()
    )

    cal = ctx.calendar
    m = month_pay.join(cal, month_pay.ym == cal.cal_ym)
    m = m.mutate(m_start=m.cal_start, m_end=m.cal_start + m.cal_days - 1, m_days=m.cal_days)
    m = m.drop("cal_ym", "cal_start", "cal_days", "cal_wd")

    # the case's own extent on each day of the month, reversals cancelling (swept, not expanded)
    pc = pays.select(
        p_key=pays.case_id, p_asof=pays.as_of_day, ps=pays.ps, pe=pays.pe, ext=pays.ext
    )
    j = m.join(pc, [m.case_id == pc.p_key, m.as_of_day == pc.p_asof])
    j = j.filter(j.pe >= j.m_start, j.ps <= j.m_end)
    j = j.mutate(s=ibis.greatest(j.ps, j.m_start), e=ibis.least(j.pe, j.m_end))
    seg = segments(interval_events(j, MONTH_KEYS, "s", "e", {"tot": j.ext}), MONTH_KEYS, ["tot"])
    paid = seg.tot > tol
    cover = seg.group_by(MONTH_KEYS).aggregate(
        paid_days=paid.ifelse(seg.end - seg.start, 0).sum(),
        ext_days=paid.ifelse(ibis.least(seg.tot, 1.0) * (seg.end - seg.start), 0.0).sum(),
    )
    m = m.join(cover, MONTH_KEYS)
    m = left_attach(m.filter(m.paid_days >= m.m_days), base, CASE_KEYS)
    extent = m.ext_days / m.m_days
    full = extent >= 1.0 - tol
    base_pay = (m.base_pay > 0).ifelse(m.base_pay, ibis.null("float64"))
    room = cfg.allowed_pay_sek_per_month + full.ifelse(0.0, (1.0 - extent) * base_pay)
    counted = m.pay - m.final_pay
    return m.select(
        *MONTH_KEYS,
        "person_id",
        "benefit",
        "ied_day",
        "m_start",
        extent=extent,
        pay=m.pay,
        final_pay=m.final_pay,
        base_pay=base_pay,
        room=room,
        excess=ibis.greatest(counted - room, 0.0),
    )


def build(ctx: BuildContext) -> list[ir.Table]:
    """The case-level table (case_id, as_of_day): pay above the room, summed over the months."""
    m = month_checks(ctx)
    # A sum of fractions depends on the order of its terms, which the engine chooses per run.
    # Not to the öre: pay x (1 - days/days) lands on half an öre, where that order decides the
    # rounding (146 of 156,306 cases at 1M); at 6 decimals no such sum lies within its noise.
    return [m.group_by(CASE_KEYS).aggregate(**{NAME: m.excess.sum().round(6)})]


def _month(ym: int) -> str:
    return f"{ym // 12:04d}-{ym % 12 + 1:02d}"


def _extent_sv(benefit: str, extents: pd.Series) -> str:
    """'hel sjukersättning', 'sjukersättning 50 %' or 'sjukersättning 25–50 %'."""
    name = BENEFIT_NAMES_SV[benefit]
    lo, hi = round(100 * extents.min()), round(100 * extents.max())
    if lo >= 100:
        return f"hel {name}"
    return f"{name} {lo} %" if lo == hi else f"{name} {lo}–{hi} %"


def fact_rows(ctx: BuildContext) -> ir.Table:
    """The rows the facts are worded from: `month_checks`."""
    return month_checks(ctx)


def facts_sv(months: pd.DataFrame, settings: FeatureSettings) -> pd.DataFrame:
    """The facts behind the feature, in Swedish, from `month_checks` rows (executed) of a few case
    keys: the months with pay above the room, the benefit and extent paid for every day of them,
    the pay reported for them and, beside a partial benefit, the pay before it. Columns case_id,
    as_of_day, reason_sv; one row per key with such months."""
    m = months[months["excess"].fillna(0) > 0]
    m = m.assign(counted=m["pay"] - m["final_pay"])
    rows = []
    for (case, as_of_day), g in m.sort_values("ym").groupby(["case_id", "as_of_day"], sort=True):
        n, first, last = len(g), int(g["ym"].min()), int(g["ym"].max())
        when = _month(first) if n == 1 else f"{_month(first)}–{_month(last)}"
        text = (
            f"{n} {'månad' if n == 1 else 'månader'} {when} betalades "
            f"{_extent_sv(g['benefit'].iloc[0], g['extent'])} ut för varje dag, samtidigt som "
            f"arbetsgivare rapporterade {swedish.sek(g['counted'].sum())} i lön för "
            f"{'månaden' if n == 1 else 'dessa månader'}"
        )
        if n > 1:
            top = g.sort_values(["counted", "ym"], ascending=[False, True]).iloc[0]
            text += f" (som mest {swedish.sek(top['counted'])} för {_month(int(top['ym']))})"
        if g["final_pay"].sum() > 0:
            text += (
                f", utöver {swedish.sek(g['final_pay'].sum())} från en tidigare arbetsgivare "
                "under förmånens första månader (slutlön, semesterersättning)"
            )
        partial = g["extent"] < 1.0 - 1e-9
        if partial.any():
            ied = swedish.day(day_date(g["ied_day"].iloc[0]))
            text += (
                f"; de {settings.se_ae_work.baseline_months} månaderna före försäkringsfallet "
                f"{ied} var lönen i genomsnitt "
                f"{swedish.sek(g.loc[partial, 'base_pay'].iloc[0])} i månaden"
            )
        rows.append((case, as_of_day, swedish.tie_units(text)))
    return pd.DataFrame(rows, columns=["case_id", "as_of_day", "reason_sv"])
