"""A case's timeline as a small inline SVG: payments per benefit, monthly income, marked days red.

The geometry is computed here; `scoring/templates/timeline.svg.j2` draws it and escapes every text.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import pandas as pd
from markupsafe import Markup

from felrisk import swedish, templates

BENEFIT_COLOURS = {
    "SJP": "#3b6ea5",
    "KAR": "#7a9cc6",
    "FP": "#4f9a6b",
    "TFP": "#8cc084",
    "AKS": "#c08b3e",
    "SE": "#7d5ba6",
    "AE": "#a98bc9",
    "ASS": "#5f8f8f",
}
MARK = "#d62728"
WIDTH = 880
LEFT = 150
RIGHT = 12
ROW_H = 22
INCOME_H = 56


def _x(day: date, start: date, days: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + span * ((day - start).days / days)


def _months(start: date, end: date) -> list[date]:
    first = date(start.year, start.month, 1)
    out = []
    while first < end:
        out.append(first)
        first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return out


PAYMENT_FIELDS = ("case_id", "benefit", "period_start", "period_end", "extent", "amount_sek")
INCOME_FIELDS = ("month", "gross_pay_sek")
MARK_FIELDS = ("start", "end", "label")


def _records(frame: pd.DataFrame, fields: tuple[str, ...]) -> list[tuple]:
    return list(zip(*(frame[c].tolist() for c in fields), strict=True)) if len(frame) else []


def render_timeline(
    case_id: str,
    benefit: str,
    as_of: date,
    payments: pd.DataFrame,
    income: pd.DataFrame,
    marks: pd.DataFrame,
    *,
    window_days: int = 365,
) -> str:
    """SVG of one case over the window before as_of.

    payments: case_id, benefit, period_start, period_end, extent, amount_sek (the person's);
    income: month, gross_pay_sek; marks: start, end, label (days to show in red on this case).
    """
    return _svg(
        case_id,
        benefit,
        as_of,
        _records(payments, PAYMENT_FIELDS),
        _records(income, INCOME_FIELDS),
        _records(marks, MARK_FIELDS),
        window_days,
    )


def _group(frame: pd.DataFrame, key: str, fields: tuple[str, ...]) -> dict[str, list[tuple]]:
    """Rows as plain tuples per key value: one pass, so each picture costs no pandas calls."""
    out: dict[str, list[tuple]] = {}
    if len(frame) == 0:
        return out
    for k, rec in zip(frame[key].tolist(), _records(frame, fields), strict=True):
        out.setdefault(k, []).append(rec)
    return out


def render_timelines(
    lst: pd.DataFrame,
    payments: pd.DataFrame,
    income: pd.DataFrame,
    marks: pd.DataFrame,
    as_of: date,
    *,
    window_days: int = 365,
) -> dict[str, str]:
    """One SVG per listed case (case_id -> svg), from the facts of all listed persons at once."""
    pays = _group(payments, "person_id", PAYMENT_FIELDS)
    incs = _group(income, "person_id", INCOME_FIELDS)
    mrks = _group(marks, "case_id", MARK_FIELDS)
    return {
        c: _svg(c, b, as_of, pays.get(p, []), incs.get(p, []), mrks.get(c, []), window_days)
        for c, b, p in _records(lst, ("case_id", "benefit", "person_id"))
    }


def _svg(
    case_id: str,
    benefit: str,
    as_of: date,
    payments: list[tuple],
    income: list[tuple],
    marks: list[tuple],
    window_days: int,
) -> str:
    """The picture's geometry (month lines, one row of bars per benefit with this case first, the
    marked periods over all rows, the income bars below), drawn by timeline.svg.j2.

    Coordinates are written here, with one decimal; the template escapes every text."""
    start, end = as_of - timedelta(days=window_days), as_of
    others = sorted({p[1] for p in payments if p[0] != case_id})
    rows = [("Detta ärende", benefit, [p for p in payments if p[0] == case_id])]
    rows += [
        ("Andra ärenden", b, [p for p in payments if p[0] != case_id and p[1] == b]) for b in others
    ]
    top = 18
    height = top + ROW_H * len(rows) + 14 + INCOME_H + 18
    lanes = []
    for i, (label, b, part) in enumerate(rows):
        y = top + i * ROW_H
        bars = []
        for _, pb, p_start, p_end, extent, amount in part:
            s, e = max(p_start, start), min(p_end + timedelta(days=1), end)
            if s >= e:
                continue
            x0, x1 = _x(s, start, window_days), _x(e, start, window_days)
            h = max(3.0, (ROW_H - 6) * min(max(float(extent), 0.0), 1.0))
            tip = (
                f"{pb} {p_start}–{p_end}, omfattning {swedish.percent(extent, 0)}, "
                f"{swedish.sek(amount)}"
            )
            fill = "#999999" if amount < 0 else BENEFIT_COLOURS.get(pb, "#777")
            bars.append((_box(x0, y + ROW_H - 4 - h, max(x1 - x0, 1.0), h), fill, tip))
        lanes.append((y + 14, label, b, bars))
    spans = []
    for m_start, m_end, m_label in marks:
        s, e = max(m_start, start), min(m_end + timedelta(days=1), end)
        if s >= e:
            continue
        x0, x1 = _x(s, start, window_days), _x(e, start, window_days)
        spans.append((f"{x0:.1f}", f"{max(x1 - x0, 2.0):.1f}", f"{m_label}: {m_start}–{m_end}"))
    y0 = top + ROW_H * len(rows) + 12
    first_month = date(start.year, start.month, 1)
    inc = [(m, pay) for m, pay in income if first_month <= m < end]
    top_pay = max((pay for _, pay in inc), default=0.0)
    incomes = []
    for month, pay in inc:
        if top_pay <= 0 or pay <= 0:
            continue
        nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        x0 = _x(max(month, start), start, window_days)
        x1 = _x(min(nxt, end), start, window_days)
        h = (INCOME_H - 6) * pay / top_pay
        tip = f"{month:%Y-%m}: {swedish.sek(pay)}"
        incomes.append((_box(x0 + 1, y0 + INCOME_H - h, max(x1 - x0 - 2, 1), h), tip))
    return str(
        _parts().picture(
            case_id,
            WIDTH,
            height,
            _grid(start, window_days, top, height),
            lanes,
            MARK,
            spans,
            top - 2,
            ROW_H * len(rows) + 2,
            f"{y0 + INCOME_H / 2:.0f}",
            incomes,
        )
    )


def _box(x: float, y: float, width: float, height: float) -> Markup:
    """A bar's place and size as SVG attributes, one decimal each. Numbers only, so there is
    nothing to escape: one value for the template instead of four, where each costs an escape
    call (the 200k world's night draws 18,600 bars in its 1,298 pictures)."""
    return Markup(f'x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}"')


def _parts() -> Any:
    """The picture's macros (timeline.svg.j2)."""
    return templates.macros("scoring", "timeline.svg.j2")


@lru_cache(maxsize=64)
def _grid(start: date, window_days: int, top: int, height: int) -> Markup:
    """The month lines and ticks, drawn once per picture height of a night: every picture of that
    height has the same ones."""
    lines = []
    for m in _months(start, start + timedelta(days=window_days)):
        if m >= start:
            x = _x(m, start, window_days)
            lines.append((f"{x:.1f}", f"{x + 2:.1f}", f"{m:%Y-%m}"))
    return _parts().grid(lines, top - 4, height - 16, height - 4)
