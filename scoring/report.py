"""report.html: one self-contained page for investigators (inline CSS, inline SVG, Swedish text)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from html import escape

import numpy as np
import pandas as pd

from felrisk import swedish
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

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1d232a;
background:#fff;max-width:1320px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:28px 0 8px;border-bottom:2px solid #dde6f0}
h3{font-size:16px;margin:0 0 6px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:14px}
th,td{border:1px solid #c9d3de;padding:4px 8px;text-align:left}th{background:#dde6f0}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.unused{background:#fff3cd}
.fail{background:#f8d7da;font-weight:600}.ok{background:#e3f1e6}.na{background:#f3f4f6}
.case{border:1px solid #c9d3de;border-radius:6px;padding:10px 12px;margin:12px 0}
.meta{color:#4a5663;font-size:13px;margin-bottom:6px}
.badge{display:inline-block;padding:1px 6px;border-radius:4px;font-size:12px;margin-left:6px;
background:#eef2f6}.badge.rule{background:#d62728;color:#fff}.badge.rand{background:#fff3cd}
svg.timeline{display:block;margin:6px 0;background:#fbfcfd;width:100%;max-width:1200px;height:auto}
svg .grid{stroke:#e3e8ee;stroke-width:1}svg .tick{font-size:10px;fill:#6b7785}
svg .lbl{font-size:11px;fill:#1d232a}svg .income{fill:#b7c4d1}
ol.reasons{margin:4px 0 0 18px;padding:0}ol.reasons li{margin:2px 0}
.note{color:#4a5663;font-size:13px}#filter{font-size:14px;padding:4px 8px;width:320px}
.notice{background:#f6f8fa;border-left:3px solid #8aa4bf;padding:6px 10px;margin:8px 0;font-size:14px}
.notice p{margin:4px 0 0}
"""

_SCRIPT = """
(function(){var box=document.getElementById('filter');if(!box){return;}
box.addEventListener('input',function(){var q=box.value.trim().toLowerCase();
document.querySelectorAll('.case').forEach(function(el){
el.style.display=(!q||el.dataset.search.indexOf(q)>=0)?'':'none';});});})();
"""


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


def summary_table(lst: pd.DataFrame, capacity: pd.DataFrame | None = None) -> str:
    """Selected cases and expected SEK per benefit and lane; with `capacity` (capacity_use),
    every list with capacity, its capacity, unused slots and why they are unused."""
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
        n_random = int((part["selection"] == "exploration").sum())
        extra = ""
        if capacity is not None:
            r = use[(benefit, lane)]
            cls = ' class="num unused"' if int(r.unused) else ' class="num"'
            extra = (
                f'<td class="num">{int(r.capacity)}</td><td{cls}>{int(r.unused)}</td>'
                f"<td>{escape(_unused_why(r))}</td>"
            )
        rows.append(
            f"<tr><td>{BENEFIT_NAMES_SV[benefit]} ({benefit})</td><td>{LANE_NAMES_SV[lane]}</td>"
            f'<td class="num">{len(part)}</td><td class="num">{n_random}</td>'
            f'<td class="num">{int(part["hard_rule_break"].sum())}</td>'
            f'<td class="num">{_sek_sum(part["expected_wrong_sek"])}</td>{extra}</tr>'
        )
    head = (
        f"<tr><th>Förmån</th><th>{LANE_HEADER_SV}</th><th>Valda ärenden</th>"
        "<th>Varav slumpmässigt urval</th>"
        "<th>Bryter samordningsregel</th><th>Förväntat felaktigt belopp</th>"
    )
    if capacity is not None:
        head += "<th>Kapacitet</th><th>Outnyttjad kapacitet</th><th>Varför</th>"
    return f'<table id="summary">{head}</tr>{"".join(rows)}</table>'


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


def _fairness_row(r, *, lead: str | None = None, share_random: bool = False) -> str:
    """One group's row of an equal-treatment table: an optional leading cell (the benefit),
    group and value, the shares (of the random stream only when asked), ratio, interval, verdict."""
    cls, verdict, assessable = _verdict_sv(r)
    group, value = group_label_sv(str(r.group), r.value)
    interval = _interval(r) if assessable else "–"
    first = f"<td>{lead}</td>" if lead is not None else ""
    population = f'<td class="num">{percent_sv(r.share_random)}</td>' if share_random else ""
    return (
        f'<tr class="{cls}">{first}<td>{escape(group)}</td><td>{escape(value)}</td>{population}'
        f'<td class="num">{percent_sv(r.share_random_errors)}</td>'
        f'<td class="num">{percent_sv(r.share_selected)}</td>'
        f'<td class="num">{_ratio(r.equal_burden_ratio)}</td>'
        f'<td class="num">{interval}</td>'
        f'<td class="num">{_detectable(getattr(r, "detectable_ratio", None))}</td>'
        f"<td>{verdict}</td></tr>"
    )


def _detectable(x) -> str:
    """The power line's ratio; none without random errors."""
    return "–" if x is None or not np.isfinite(float(x)) else _ratio(x)


POWER_NOTE_SV = (
    "Minsta skillnad som syns: den kvot som gruppens antal fel i slumpurvalet räcker för att skilja "
    "från 1 (eller dess inverterade värde nedåt). Ligger den utanför bandet betyder "
    "”inom bandet” bara att felen är för få för att se en skillnad, inte att gruppen behandlas lika."
)


def fairness_table(fair: pd.DataFrame | None, message: str = "") -> str:
    """Equal treatment: each group's share of tonight's list against its share of random errors.

    Expects columns group, value, share_random, share_random_errors, share_selected,
    equal_burden_ratio, ci_low, ci_high, fails. A group with no errors in the random stream has
    no ratio and is shown as not assessable rather than as within the band.
    """
    if fair is None or fair.empty:
        text = message or "Likabehandlingskontrollen kunde inte göras i natt."
        return f'<p class="note" id="fairness-missing">{escape(text)}</p>'
    rows = [
        _fairness_row(r, share_random=True) for r in _in_reading_order(fair).itertuples(index=False)
    ]
    head = (
        "<tr><th>Grupp</th><th>Värde</th><th>Andel av slumpurvalet</th>"
        "<th>Andel av felen i slumpurvalet</th><th>Andel av nattens lista</th>"
        "<th>Kvot (lika börda)</th><th>Intervall</th><th>Minsta skillnad som syns</th>"
        "<th>Bedömning</th></tr>"
    )
    note = f'<p class="note" id="fairness-note">{escape(message)}</p>' if message else ""
    power = f'<p class="note" id="power-note">{escape(POWER_NOTE_SV)}</p>'
    return f'<table id="fairness">{head}{"".join(rows)}</table>{power}{note}'


def fairness_by_benefit_table(fair: pd.DataFrame | None) -> str:
    """The equal-treatment check within each benefit: its picks against its own random errors."""
    if fair is None or fair.empty:
        return (
            '<p class="note" id="fairness-benefit-missing">Ingen förmån har tillräckligt många '
            "modellvalda ärenden och fel i slumpurvalet för en jämförelse inom förmånen.</p>"
        )
    rows = []
    for benefit in BENEFITS:
        part = fair[fair["benefit"] == benefit]
        for r in _in_reading_order(part).itertuples(index=False) if len(part) else ():
            rows.append(_fairness_row(r, lead=BENEFIT_NAMES_SV.get(benefit, benefit)))
    head = (
        "<tr><th>Förmån</th><th>Grupp</th><th>Värde</th><th>Andel av felen i slumpurvalet</th>"
        "<th>Andel av nattens lista</th><th>Kvot (lika börda)</th><th>Intervall</th>"
        "<th>Minsta skillnad som syns</th><th>Bedömning</th></tr>"
    )
    return f'<table id="fairness-benefit">{head}{"".join(rows)}</table>'


def _notice(row) -> str:
    text = str(getattr(row, "notice", "") or "")
    if not text:
        return ""
    return (
        f'<div class="notice"><strong>Meddelande till personen</strong><p>{escape(text)}</p></div>'
    )


def case_section(row, svg: str) -> str:
    """One selected case: who, why (three Swedish reasons), the notice for the person and its
    timeline. The intent measure that chose the lane is never shown: the lane says what kind of
    control, not what the person is suspected of."""
    badges = f'<span class="badge">{LANE_NAMES_SV.get(row.lane, row.lane)}</span>'
    if row.selection == "exploration":
        badges += f'<span class="badge rand">{SELECTION_NAMES_SV["exploration"]}</span>'
    if bool(row.hard_rule_break):
        badges += '<span class="badge rule">Bryter samordningsregel</span>'
    reasons = [getattr(row, f"reason_{i}") for i in (1, 2, 3)]
    items = "".join(f"<li>{escape(r)}</li>" for r in reasons if r)
    if not items and row.selection == "exploration":
        items = "<li>Slumpmässigt urval: ärendet valdes utan hänsyn till modellen.</li>"
    elif not items:
        items = f"<li>{escape(NO_SINGLE_FACT_SV)}</li>"
    search = f"{row.control_id} {row.case_id} {row.person_id} {row.benefit}".lower()
    return (
        f'<section class="case" id="{escape(row.control_id)}" data-search="{escape(search)}">'
        f"<h3>{row.rank}. {escape(row.control_id)} – ärende {escape(row.case_id)}{badges}</h3>"
        f'<div class="meta">Person {escape(row.person_id)} · '
        f"{BENEFIT_NAMES_SV.get(row.benefit, row.benefit)} · "
        f"sannolikhet för fel {_num(row.probability, 2)} · "
        f"förväntat felaktigt belopp {_sek(row.expected_wrong_sek)}</div>"
        f'<ol class="reasons">{items}</ol>{svg}{_notice(row)}</section>'
    )


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
    total_sek = _sek_sum(lst["expected_wrong_sek"]) if len(lst) else _sek(0)
    n_random = int((lst["selection"] == "exploration").sum()) if len(lst) else 0
    unused_row, ceiling_note = "", ""
    if capacity is not None:
        unused_row = (
            f'<tr><th>Kapacitet</th><td class="num">{int(capacity["capacity"].sum())}</td></tr>'
            f'<tr><th>Outnyttjad kapacitet</th><td class="num" id="unused">'
            f"{int(capacity['unused'].sum())}</td></tr>"
        )
        floor = f" ({escape(value_floor)})" if value_floor else ""
        ceiling_note = (
            '<p class="note" id="capacity-note">Kapaciteten är ett tak, inget mål: modellen väljer '
            f"bara ärenden som når värdegolvet{floor}. Ett ärende som bryter en samordningsregel "
            "når golvet ändå, och det slumpmässiga urvalet görs utan golv. Outnyttjad kapacitet "
            "betyder att inga fler ärenden var värda en kontroll i natt. Ett ärende där en "
            "kontroll redan har bekräftat ett fel väljs inte igen.</p>"
        )
    cases = []
    for benefit in BENEFITS:
        for lane in LANES:
            part = lst[(lst["benefit"] == benefit) & (lst["lane"] == lane)].sort_values("rank")
            if part.empty:
                continue
            cases.append(f"<h2>{BENEFIT_NAMES_SV[benefit]} – {LANE_NAMES_SV[lane]}</h2>")
            cases.extend(
                case_section(r, timelines.get(r.case_id, "")) for r in part.itertuples(index=False)
            )
    return (
        '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">'
        f"<title>Kontrollista {as_of.isoformat()}</title><style>{_CSS}</style></head><body>"
        f"<h1>Kontrollista {as_of.isoformat()}</h1>"
        f'<p class="meta">Modell: {escape(model_label)}. Listan väljer ärenden för en utredning av '
        "en handläggare; den fattar inga beslut.</p>"
        '<h2>Nattens sammanfattning</h2><table id="night">'
        f'<tr><th>Ärenden som poängsatts</th><td class="num">{n_scored}</td></tr>'
        f'<tr><th>Valda ärenden</th><td class="num">{len(lst)}</td></tr>'
        f'<tr><th>Varav slumpmässigt urval</th><td class="num">{n_random}</td></tr>'
        f"{unused_row}"
        f'<tr><th>Förväntat felaktigt belopp</th><td class="num">{total_sek}</td></tr>'
        f"<tr><th>Modellversion</th><td>{escape(model_label)}</td></tr></table>"
        f"{summary_table(lst, capacity)}{ceiling_note}"
        "<h2>Likabehandling: nattens lista mot slumpurvalet</h2>"
        '<p class="note">Varje grupps andel av nattens lista jämförs med gruppens andel av de fel '
        "som hittats i det slumpmässiga kontrollurvalet. Kvoten bör ligga inom bandet.</p>"
        f"{fairness_table(fairness, fairness_message)}"
        "<h3>Inom varje förmån</h3>"
        '<p class="note">Samma jämförelse inom en förmån: förmånens valda ärenden mot förmånens '
        "egna fel i slumpurvalet. En sammanvägd lista kan se jämn ut fast en förmån inte är det."
        "</p>"
        f"{fairness_by_benefit_table(fairness_by_benefit)}"
        "<h2>Valda ärenden</h2>"
        '<p class="note">Tidslinjen visar ärendets utbetalningar, personens andra förmåner och '
        "rapporterad inkomst per månad. Rött markerar dagar som överlappar eller avviker. "
        "Slumpmässigt valda ärenden ska kontrolleras som alla andra: de är måttstocken.</p>"
        '<p><label for="filter">Sök ärende: </label>'
        '<input id="filter" type="search" placeholder="kontroll-id, ärende eller person"></p>'
        f"{''.join(cases)}<script>{_SCRIPT}</script></body></html>"
    )
