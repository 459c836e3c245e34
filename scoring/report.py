"""report.html: one self-contained page for investigators (inline CSS, inline SVG, Swedish text).

This module turns the night's frames into formatted Swedish values; the markup lives in
`scoring/templates/report.html.j2` and `report_parts.html.j2`, which escape every value.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from felrisk import swedish, templates
from felrisk.contract import BENEFITS
from scoring.config import LANES, SelectionConfig
from scoring.outputs import (
    BENEFIT_NAMES_SV,
    LANE_HEADER_SV,
    LANE_NAMES_SV,
    SELECTION_NAMES_SV,
    percent_sv,
)
from scoring.reasons import NO_SINGLE_FACT_SV


def _sek(x: float) -> str:
    """An amount in kronor; "okänt" when there is none (no amount model)."""
    return swedish.sek(x)


def _sek_sum(amounts: pd.Series) -> str:
    """The sum of known amounts; "okänt" when none is known."""
    known = pd.to_numeric(amounts, errors="coerce").dropna()
    return _sek(known.sum()) if len(known) else swedish.UNKNOWN


def _num(x, digits: int = 3) -> str:
    """A number the Swedish way (decimal comma), or a dash when it is missing."""
    return swedish.number(x, digits, unknown="–")


def value_floor_sv(config: SelectionConfig) -> str:
    """The value floor and the investigation lane's floor as the page states them."""
    return (
        f"sannolikhet för fel minst {percent_sv(config.min_probability)} och förväntat felaktigt "
        f"belopp minst {_sek(config.min_expected_wrong_sek)}; kontrollutredning kräver dessutom "
        f"sannolikhet för fel minst {percent_sv(config.investigation_min_probability)}"
    )


def _unused_why(r) -> str:
    """Why a list has unused capacity, in Swedish, with the counts behind it when known."""
    if not int(r.unused):
        return ""
    text = "Inga fler valbara ärenden över värdegolvet"
    if pd.isna(r.eligible):
        return text
    if not int(r.eligible):
        return "Inga valbara ärenden i spåret i natt"
    taken = int(r.person_taken)
    also = f", {taken} där personen redan är vald i natt" if taken else ""
    return f"{text} ({int(r.eligible)} valbara i spåret: {int(r.below_floor)} under golvet{also})"


def _parts():
    """The page's macros (report_parts.html.j2)."""
    return templates.macros("scoring", "report_parts.html.j2")


def _summary(lst: pd.DataFrame, capacity: pd.DataFrame | None) -> dict:
    """The summary table's rows: selected cases and expected SEK per benefit and lane, with each
    list's capacity, unused slots and why when `capacity` (capacity_use) is given."""
    if capacity is None:
        keys = [(b, lane) for b in BENEFITS for lane in LANES]
        use = {}
    else:
        keys = list(zip(capacity["benefit"], capacity["lane"], strict=True))
        use = {(r.benefit, r.lane): r for r in capacity.itertuples(index=False)}
    rows = []
    for benefit, lane in keys:
        part = lst[(lst["benefit"] == benefit) & (lst["lane"] == lane)]
        if part.empty and (benefit, lane) not in use:
            continue
        row = {
            "benefit_name": BENEFIT_NAMES_SV[benefit],
            "benefit": benefit,
            "lane_name": LANE_NAMES_SV[lane],
            "n": len(part),
            "n_random": int((part["selection"] == "exploration").sum()),
            "n_rule": int(part["hard_rule_break"].sum()),
            "sek": _sek_sum(part["expected_wrong_sek"]),
        }
        if capacity is not None:
            r = use[(benefit, lane)]
            row |= {"capacity": int(r.capacity), "unused": int(r.unused), "why": _unused_why(r)}
        rows.append(row)
    return {"rows": rows, "lane_header": LANE_HEADER_SV, "with_capacity": capacity is not None}


def summary_table(lst: pd.DataFrame, capacity: pd.DataFrame | None = None) -> str:
    """Selected cases and expected SEK per benefit and lane; with `capacity` (capacity_use),
    every list with capacity, its capacity, unused slots and why they are unused."""
    return str(_parts().summary_table(_summary(lst, capacity)))


GROUP_NAMES_SV = {
    "sex": "Kön",
    "birth_region": "Födelseregion",
    "age_band": "Åldersgrupp",
    "income_band": "Inkomstgrupp",
}
GROUP_VALUES_SV = {
    "sex": {"F": "Kvinna", "M": "Man"},
    "birth_region": {
        "SE": "Sverige",
        "NORDIC": "Norden utom Sverige",
        "EU": "EU utom Norden",
        "OTHER": "Övriga världen",
    },
}
# The audit's verdicts (audit.burden) as the page says them.
VERDICTS_SV = {
    "fails": "Utanför bandet",
    "within band": "Inom bandet",
    "inconclusive": "Osäkert (intervallet når utanför bandet)",
    "too few random errors": "För få fel i slumpurvalet för en bedömning",
}
MISSING_VALUES = {"missing", "None", "nan", ""}


def group_label_sv(group: str, value: object) -> tuple[str, str]:
    """A group and its value as an investigator reads them ("Kön", "Kvinna"; "Åldersgrupp", "30–39 år")."""
    name = GROUP_NAMES_SV.get(group, group)
    text = "" if value is None else str(value)
    if text in MISSING_VALUES:
        return name, "Uppgift saknas"
    if group in GROUP_VALUES_SV:
        return name, GROUP_VALUES_SV[group].get(text, text)
    if group == "age_band":
        if text.startswith("<"):
            return name, f"under {text[1:]} år"
        if text.endswith("+"):
            return name, f"{text[:-1]} år och äldre"
        return name, text.replace("-", "–") + " år"
    return name, text


def _ratio(x) -> str:
    return swedish.number(x, 2, unknown="–")


def _interval(r) -> str:
    """An interval of ratios; an upper end without bound (no random error in a resample) is ∞."""
    high = r.ci_high
    open_top = high is not None and np.isposinf(float(high))
    return f"{_ratio(r.ci_low)}–{'∞' if open_top else _ratio(high)}"


def _age_floor(value: object) -> float:
    """The lower bound of an age band ("<30" -> 0, "30-39" -> 30, "65+" -> 65); others last."""
    text = str(value)
    if text.startswith("<"):
        return 0.0
    head = text.rstrip("+").split("-")[0]
    return float(head) if head.isdigit() else float("inf")


def _in_reading_order(fair: pd.DataFrame) -> pd.DataFrame:
    """Groups in the order given; age bands youngest first, other values as given."""
    order = {g: i for i, g in enumerate(dict.fromkeys(fair["group"]))}
    key = pd.Series(range(len(fair)), index=fair.index, dtype="float64")
    ages = fair["group"] == "age_band"
    key[ages] = fair.loc[ages, "value"].map(_age_floor)
    return fair.assign(_g=fair["group"].map(order), _k=key).sort_values(
        ["_g", "_k"], kind="mergesort"
    )


def _verdict_sv(r) -> tuple[str, str, bool]:
    """A row's CSS class, its verdict in Swedish, and whether it has a ratio at all."""
    assessable = (
        np.isfinite(float(r.equal_burden_ratio)) if r.equal_burden_ratio is not None else False
    )
    given = str(getattr(r, "verdict", "") or "")
    if bool(r.fails):
        return "fail", VERDICTS_SV["fails"], assessable
    if not assessable:
        return "na", "Kan inte bedömas (inga fel i slumpurvalet)", assessable
    if given in VERDICTS_SV:
        return ("ok" if given == "within band" else "na"), VERDICTS_SV[given], assessable
    return "ok", VERDICTS_SV["within band"], assessable


def _fairness_row(r) -> dict:
    """One group's row of an equal-treatment table: group and value, the shares, ratio,
    interval, the smallest detectable ratio and the verdict, with the row's CSS class."""
    cls, verdict, assessable = _verdict_sv(r)
    group, value = group_label_sv(str(r.group), r.value)
    return {
        "cls": cls,
        "group": group,
        "value": value,
        "share_random": percent_sv(r.share_random) if hasattr(r, "share_random") else "",
        "share_random_errors": percent_sv(r.share_random_errors),
        "share_selected": percent_sv(r.share_selected),
        "ratio": _ratio(r.equal_burden_ratio),
        "interval": _interval(r) if assessable else "–",
        "detectable": _detectable(getattr(r, "detectable_ratio", None)),
        "verdict": verdict,
    }


def _detectable(x) -> str:
    """The power line's ratio; none without random errors."""
    return "–" if x is None or not np.isfinite(float(x)) else _ratio(x)


POWER_NOTE_SV = (
    "Minsta skillnad som syns: den kvot som gruppens antal fel i slumpurvalet räcker för att skilja "
    "från 1 (eller dess inverterade värde nedåt). Ligger den utanför bandet betyder "
    "”inom bandet” bara att felen är för få för att se en skillnad, inte att gruppen behandlas lika."
)


def _fairness(fair: pd.DataFrame | None, message: str = "") -> dict:
    """The pooled equal-treatment table's rows, its note, and the text when there is none."""
    rows = (
        []
        if fair is None or fair.empty
        else [_fairness_row(r) for r in _in_reading_order(fair).itertuples(index=False)]
    )
    return {
        "rows": rows,
        "message": message,
        "missing": message or "Likabehandlingskontrollen kunde inte göras i natt.",
        "power_note": POWER_NOTE_SV,
    }


def fairness_table(fair: pd.DataFrame | None, message: str = "") -> str:
    """Equal treatment: each group's share of tonight's list against its share of random errors.

    Expects columns group, value, share_random, share_random_errors, share_selected,
    equal_burden_ratio, ci_low, ci_high, fails. A group with no errors in the random stream has
    no ratio and is shown as not assessable rather than as within the band.
    """
    return str(_parts().fairness_table(_fairness(fair, message)))


def _fairness_by_benefit(fair: pd.DataFrame | None) -> list[dict]:
    """The per-benefit rows, benefits in the contract's order, each row led by its benefit."""
    if fair is None or fair.empty:
        return []
    rows = []
    for benefit in BENEFITS:
        part = fair[fair["benefit"] == benefit]
        name = BENEFIT_NAMES_SV.get(benefit, benefit)
        for r in _in_reading_order(part).itertuples(index=False) if len(part) else ():
            rows.append({**_fairness_row(r), "benefit_name": name})
    return rows


def fairness_by_benefit_table(fair: pd.DataFrame | None) -> str:
    """The equal-treatment check within each benefit: its picks against its own random errors."""
    return str(_parts().fairness_by_benefit_table(_fairness_by_benefit(fair)))


def _case(row) -> dict:
    """One selected case's values for the page; the intent measure is not among them."""
    reasons = [r for r in (getattr(row, f"reason_{i}") for i in (1, 2, 3)) if r]
    return {
        "rank": row.rank,
        "control_id": row.control_id,
        "case_id": row.case_id,
        "person_id": row.person_id,
        "lane_name": LANE_NAMES_SV.get(row.lane, row.lane),
        "exploration": row.selection == "exploration",
        "exploration_name": SELECTION_NAMES_SV["exploration"],
        "rule_break": bool(row.hard_rule_break),
        "benefit_name": BENEFIT_NAMES_SV.get(row.benefit, row.benefit),
        "probability": _num(row.probability, 2),
        "expected_wrong_sek": _sek(row.expected_wrong_sek),
        "reasons": reasons,
        "no_single_fact": NO_SINGLE_FACT_SV,
        "search": f"{row.control_id} {row.case_id} {row.person_id} {row.benefit}".lower(),
        "notice": str(getattr(row, "notice", "") or ""),
    }


def case_section(row, svg: str) -> str:
    """One selected case: who, why (three Swedish reasons), the notice for the person and its
    timeline. The intent measure that chose the lane is never shown: the lane says what kind of
    control, not what the person is suspected of."""
    return str(_parts().case_section(_case(row), svg))


def render_report(
    lst: pd.DataFrame,
    *,
    as_of: date,
    model_label: str,
    n_scored: int,
    timelines: Mapping[str, str],
    fairness: pd.DataFrame | None,
    fairness_message: str = "",
    fairness_by_benefit: pd.DataFrame | None = None,
    capacity: pd.DataFrame | None = None,
    value_floor: str = "",
) -> str:
    """The whole page as one string; nothing is fetched from elsewhere.

    `capacity` (capacity_use) adds each list's capacity and unused slots; `value_floor`
    (value_floor_sv) states the floor a model pick had to clear.
    """
    groups = []
    for benefit in BENEFITS:
        for lane in LANES:
            part = lst[(lst["benefit"] == benefit) & (lst["lane"] == lane)].sort_values("rank")
            if part.empty:
                continue
            cases = [
                {**_case(r), "svg": timelines.get(r.case_id, "")}
                for r in part.itertuples(index=False)
            ]
            groups.append(
                {
                    "benefit_name": BENEFIT_NAMES_SV[benefit],
                    "lane_name": LANE_NAMES_SV[lane],
                    "cases": cases,
                }
            )
    return templates.render(
        "scoring",
        "report.html.j2",
        as_of=as_of.isoformat(),
        model_label=model_label,
        n_scored=n_scored,
        n_selected=len(lst),
        n_random=int((lst["selection"] == "exploration").sum()) if len(lst) else 0,
        total_sek=_sek_sum(lst["expected_wrong_sek"]) if len(lst) else _sek(0),
        capacity=None
        if capacity is None
        else {"total": int(capacity["capacity"].sum()), "unused": int(capacity["unused"].sum())},
        value_floor=value_floor,
        summary=_summary(lst, capacity),
        fairness=_fairness(fairness, fairness_message),
        fairness_by_benefit=_fairness_by_benefit(fairness_by_benefit),
        groups=groups,
    )
