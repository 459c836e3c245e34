"""The facts behind the features whose builders keep a detail table, in Swedish: KAR claims in
twelve months, assistance hours per settlement period, TFP months with pay not lowered, SEK paid
above the rules (sgi_amounts), SE/AE pay beside the benefit (se_ae_work).

Each fact comes from the builder's own detail table (features.kar.claim_days,
features.settlement.excesses, features.vab.not_lowered, and the checks of sgi_amounts.fact_rows and
se_ae_work.fact_rows), executed for a handful of cases, so the dates, hours and amounts told are
those the value was computed from. Only the person's own case: hours and pay summed, never an
assistant or an employer by name.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import pandas as pd

from features import kar, se_ae_work, settlement, sgi_amounts, vab
from features.build import build_context
from features.pit import day_date as _date
from felrisk import swedish

COLUMNS = ["case_id", "as_of", "feature", "reason_sv"]
KAR = ("kar_claims_12m", "kar_claims_over_cap")
ASS = ("ass_hours_over_granted", "ass_paid_hours_unreported")
TFP = ("work_tfp_pay_not_lowered_days", "work_tfp_pay_not_lowered_sek")
MONTHS_SV = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
             "oktober", "november", "december")  # fmt: skip
# Claim dates are listed one by one up to this many, else as a span.
MAX_LISTED_DATES = 12


def _hours(v: float) -> str:
    return swedish.number(v, 0 if abs(v - round(v)) < 0.05 else 1)


def _kar(execute, ctx) -> pd.DataFrame:
    df = execute(kar.claim_days(ctx))
    over_of = execute(kar.build(ctx)[0]).set_index(["case_id", "as_of_day"])["kar_claims_over_cap"]
    rows = []
    for (case, d), g in df.groupby(["case_id", "as_of_day"]):
        days = sorted(_date(x) for x in g["claim_day"])
        n = len(days)
        when = (
            ", ".join(swedish.day(x) for x in days)
            if n <= MAX_LISTED_DATES
            else swedish.span(days[0], days[-1])
        )
        told = (
            f"Ersättning för karensavdrag betalades ut för {n} karensavdrag under de senaste "
            f"tolv månaderna ({when})"
        )
        rows.append((case, d, "kar_claims_12m", told))
        beyond = int(over_of[case, d])
        if beyond > 0:
            cap = n - beyond
            text = f"{told}: {beyond} fler än de högst {cap} som får göras under tolv månader"
            rows.append((case, d, "kar_claims_over_cap", text))
    return pd.DataFrame(rows, columns=["case_id", "as_of_day", "feature", "reason_sv"])


def _days(v: float) -> str:
    """Days, with the decimals a part-time extent leaves (7,75; 2,5; 50)."""
    if v == round(v):
        return swedish.number(v, 0)
    return swedish.number(v, 2).rstrip("0")


def _month(day_number: int) -> str:
    d = _date(day_number)
    return f"{MONTHS_SV[d.month - 1]} {d.year}"


def _period_name(start: int, end: int, as_of_day: int) -> str:
    name = f"avräkningsperioden {swedish.span(_date(start), _date(end))}"
    if end >= as_of_day:  # still running: as far as known
        name += f" (pågående, uppgifter till och med {swedish.day(_date(as_of_day - 1))})"
    return name


def _ass(execute, ctx) -> pd.DataFrame:
    df = execute(settlement.excesses(ctx)).sort_values("p_start")
    rows = []
    for (case, d), g in df.groupby(["case_id", "as_of_day"]):
        r = g.to_dict("records")
        granted = [
            f"under {_period_name(x['p_start'], x['p_end'], d)} betalades {_hours(x['paid'])} "
            f"timmar assistans ut i ärendet, men beviljat för perioden är {_hours(x['granted'])} "
            f"timmar ({_hours(x['per_week'])} timmar per vecka)"
            for x in r
            if x["over_granted"] > 0
        ]
        unreported = [
            f"under {_period_name(x['p_start'], x['p_end'], d)} betalades {_hours(x['paid'])} "
            f"timmar assistans ut i ärendet, men assistenternas tidrapporter för perioden visar "
            f"{_hours(x['reported'])} timmar"
            for x in r
            if x["unreported"] > 0
        ]
        for feature, parts in (
            ("ass_hours_over_granted", granted),
            ("ass_paid_hours_unreported", unreported),
        ):
            if parts:
                text = "; ".join(parts)
                rows.append((case, d, feature, text[0].upper() + text[1:]))
    return pd.DataFrame(rows, columns=["case_id", "as_of_day", "feature", "reason_sv"])


def _tfp(execute, ctx) -> pd.DataFrame:
    df = execute(vab.not_lowered(ctx)).sort_values("ym")
    rows = []
    for (case, d), g in df.groupby(["case_id", "as_of_day"]):
        parts = [
            f"i {_month(x['m_start'])} betalades tillfällig föräldrapenning ut för "
            f"{_days(x['case_days'])} dagar i ärendet"
            + ("" if x["case_days"] == x["tfp_days"] else f" ({_days(x['tfp_days'])} sammanlagt)")
            + f", men arbetsgivarna rapporterade {swedish.sek(x['pay'])} i lön för månaden "
            f"och {swedish.sek(x['next_pay'])} för månaden därpå"
            for x in g.to_dict("records")
        ]
        first = g.iloc[0]
        usual = (
            f"personens vanliga lön är {swedish.sek(first['usual'])} (median av "
            f"{int(first['usual_months'])} månader utan ersättning)"
        )
        told = "; ".join(parts) + "; " + usual
        told = told[0].upper() + told[1:]
        rows.append((case, d, "work_tfp_pay_not_lowered_days", told))
        kept = (
            f"{told}; lönen var {swedish.sek(g['kept'].sum())} högre än den vanliga lönen "
            "minskad för dagarna med tillfällig föräldrapenning"
        )
        rows.append((case, d, "work_tfp_pay_not_lowered_sek", kept))
    return pd.DataFrame(rows, columns=["case_id", "as_of_day", "feature", "reason_sv"])


def _checks(module) -> Callable:
    """A detector with its own table of checks (NAME, fact_rows(ctx), facts_sv(rows, settings))."""

    def tell(execute, ctx) -> pd.DataFrame:
        told = module.facts_sv(execute(module.fact_rows(ctx)), ctx.settings)
        return told.assign(feature=module.NAME)[["case_id", "as_of_day", "feature", "reason_sv"]]

    return tell


# Each source: the features it tells, and how (the wanted keys' context in, one row per key and
# feature with facts out: case_id, as_of_day, feature, reason_sv).
SOURCES: tuple[tuple[tuple[str, ...], Callable], ...] = (
    (KAR, _kar),
    (ASS, _ass),
    (TFP, _tfp),
    ((sgi_amounts.NAME,), _checks(sgi_amounts)),
    ((se_ae_work.NAME,), _checks(se_ae_work)),
)


def table_facts(data, it: pd.DataFrame, rules, config) -> pd.DataFrame:
    """Sentences for the items (case_id, as_of, feature) of the SOURCES' features; others ignored.

    Returns case_id, as_of, feature, reason_sv (no final full stop), one row per item with facts.
    """
    want = it[it["feature"].isin([f for features, _ in SOURCES for f in features])]
    if want.empty:
        return pd.DataFrame(columns=COLUMNS)
    keys = want[["case_id", "as_of"]].drop_duplicates()
    spine = ibis.memtable(keys, schema={"case_id": "string", "as_of": "date"})
    ctx = build_context(data, spine, rules, config)
    asked = set(want["feature"])
    parts = [tell(data.con.execute, ctx) for features, tell in SOURCES if asked & set(features)]
    out = pd.concat(parts, ignore_index=True)
    if out.empty:
        return pd.DataFrame(columns=COLUMNS)
    out["as_of"] = [_date(d) for d in out["as_of_day"]]
    out["reason_sv"] = [swedish.tie_units(t) for t in out["reason_sv"]]
    out = out.merge(want[["case_id", "as_of", "feature"]], on=["case_id", "as_of", "feature"])
    return out[COLUMNS]
