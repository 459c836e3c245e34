"""A case's timeline as a small inline SVG: payments per benefit, monthly income, marked days red."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

import numpy as np
import pandas as pd

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
    start, end = as_of - timedelta(days=window_days), as_of
    others = sorted(set(payments.loc[payments["case_id"] != case_id, "benefit"]) - set())
    rows = [("Detta ärende", benefit, payments["case_id"] == case_id)]
    rows += [
        (f"Annan förmån: {b}", b, (payments["case_id"] != case_id) & (payments["benefit"] == b))
        for b in others
    ]
    top = 18
    height = top + ROW_H * len(rows) + 14 + INCOME_H + 18
    parts = [
        f'<svg class="timeline" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" aria-label="Tidslinje för ärende {escape(case_id)}">'
    ]
    for m in _months(start, end):
        if m < start:
            continue
        x = _x(m, start, window_days)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 16}" class="grid"/>'
            f'<text x="{x + 2:.1f}" y="{height - 4}" class="tick">{m:%Y-%m}</text>'
        )
    for i, (label, b, mask) in enumerate(rows):
        y = top + i * ROW_H
        parts.append(f'<text x="4" y="{y + 14}" class="lbl">{escape(label)} ({b})</text>')
        part = payments[mask]
        for r in part.itertuples(index=False):
            s, e = max(r.period_start, start), min(r.period_end + timedelta(days=1), end)
            if s >= e:
                continue
            x0, x1 = _x(s, start, window_days), _x(e, start, window_days)
            h = max(3.0, (ROW_H - 6) * float(np.clip(r.extent, 0, 1)))
            fill = "#999999" if r.amount_sek < 0 else BENEFIT_COLOURS.get(r.benefit, "#777")
            tip = (
                f"{r.benefit} {r.period_start}–{r.period_end}, omfattning {r.extent:g}, "
                f"{r.amount_sek:,.0f} kr".replace(",", " ")
            )
            parts.append(
                f'<rect x="{x0:.1f}" y="{y + ROW_H - 4 - h:.1f}" width="{max(x1 - x0, 1.0):.1f}" '
                f'height="{h:.1f}" fill="{fill}"><title>{escape(tip)}</title></rect>'
            )
    for r in marks.itertuples(index=False):
        s, e = max(r.start, start), min(r.end + timedelta(days=1), end)
        if s >= e:
            continue
        x0, x1 = _x(s, start, window_days), _x(e, start, window_days)
        parts.append(
            f'<rect class="mark" x="{x0:.1f}" y="{top - 2}" width="{max(x1 - x0, 2.0):.1f}" '
            f'height="{ROW_H * len(rows) + 2}" fill="{MARK}" fill-opacity="0.28" stroke="{MARK}">'
            f"<title>{escape(str(r.label))}: {r.start}–{r.end}</title></rect>"
        )
    y0 = top + ROW_H * len(rows) + 12
    parts.append(
        f'<text x="4" y="{y0 + INCOME_H / 2:.0f}" class="lbl">Inkomst per månad (AGI)</text>'
    )
    if not income.empty:
        inc = income[
            (income["month"] >= date(start.year, start.month, 1)) & (income["month"] < end)
        ]
        top_pay = float(inc["gross_pay_sek"].max()) if len(inc) else 0.0
        for r in inc.itertuples(index=False):
            if top_pay <= 0 or r.gross_pay_sek <= 0:
                continue
            nxt = date(r.month.year + r.month.month // 12, r.month.month % 12 + 1, 1)
            x0 = _x(max(r.month, start), start, window_days)
            x1 = _x(min(nxt, end), start, window_days)
            h = (INCOME_H - 6) * r.gross_pay_sek / top_pay
            tip = f"{r.month:%Y-%m}: {r.gross_pay_sek:,.0f} kr".replace(",", " ")
            parts.append(
                f'<rect class="income" x="{x0 + 1:.1f}" y="{y0 + INCOME_H - h:.1f}" '
                f'width="{max(x1 - x0 - 2, 1):.1f}" height="{h:.1f}"><title>{escape(tip)}</title></rect>'
            )
    parts.append("</svg>")
    return "".join(parts)
