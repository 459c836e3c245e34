"""The facts a timeline picture needs for a handful of selected persons, as known by D-1.

Raw rows only (payments, monthly income) plus the days where this case's payments meet another
payment of the person beyond what the coordination rules allow: drawing data, not features.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from felrisk.rules import load_rules


@dataclass
class TimelineFacts:
    """Payments and income of the selected persons, and red marks per selected case."""

    payments: (
        pd.DataFrame
    )  # person_id, case_id, benefit, period_start, period_end, extent, amount_sek
    income: pd.DataFrame  # person_id, month, gross_pay_sek
    marks: pd.DataFrame  # case_id, start, end, label


def _dates(frame: pd.DataFrame, cols: tuple[str, ...]) -> pd.DataFrame:
    for c in cols:
        frame[c] = pd.to_datetime(frame[c]).dt.date
    return frame


def fetch_timeline_facts(
    data, persons: pd.Series, as_of: date, *, window_days: int = 365
) -> TimelineFacts:
    """Payments and income of `persons` in the window before as_of, known by D-1."""
    last_known = as_of - timedelta(days=1)
    first = as_of - timedelta(days=window_days)
    ids = sorted(set(persons.astype(str)))
    pay = data["payments"]
    pay = pay.filter(
        pay.person_id.isin(ids),
        pay.paid_date <= last_known,
        pay.period_end >= first,
        pay.period_start <= last_known,
    ).select(
        "person_id", "case_id", "benefit", "period_start", "period_end", "extent", "amount_sek"
    )
    payments = _dates(pay.to_pandas(), ("period_start", "period_end"))
    if "income_reports" in data:
        inc = data["income_reports"]
        inc = (
            inc.filter(inc.person_id.isin(ids), inc.reported_date <= last_known, inc.month >= first)
            .group_by("person_id", "month")
            .aggregate(gross_pay_sek=inc.gross_pay_sek.sum())
        )
        income = _dates(inc.to_pandas(), ("month",))
    else:
        income = pd.DataFrame(columns=["person_id", "month", "gross_pay_sek"])
    return TimelineFacts(
        payments, income, pd.DataFrame(columns=["case_id", "start", "end", "label"])
    )


def overlap_marks(payments: pd.DataFrame, case_ids: pd.Series, rules=None) -> pd.DataFrame:
    """Days where a selected case's payment meets another of the person's payments unlawfully.

    Pairwise on the few payments of selected persons: extents above the rule-1 total, or a
    rule-2 forbidden pair. Reversals (negative amounts) are ignored.
    """
    rules = rules or load_rules()
    pos = payments[payments["amount_sek"] > 0]
    mine = pos[pos["case_id"].isin(set(case_ids.astype(str)))]
    pairs = mine.merge(pos, on="person_id", suffixes=("", "_o"))
    pairs = pairs[pairs["case_id"] != pairs["case_id_o"]]
    start = np.maximum(pairs["period_start"].to_numpy(), pairs["period_start_o"].to_numpy())
    end = np.minimum(pairs["period_end"].to_numpy(), pairs["period_end_o"].to_numpy())
    forbidden = {(a, b) for a in rules.extent.benefits for b in rules.forbidden_partners(a)}
    pair_key = list(zip(pairs["benefit"], pairs["benefit_o"], strict=True))
    is_forbidden = np.array([k in forbidden for k in pair_key], dtype=bool)
    in_extent = pairs["benefit"].isin(rules.extent.benefits) & pairs["benefit_o"].isin(
        rules.extent.benefits
    )
    excess = in_extent.to_numpy() & (
        (pairs["extent"] + pairs["extent_o"]).to_numpy() > rules.extent.max_total + 1e-9
    )
    keep = (start <= end) & (is_forbidden | excess)
    label = np.where(
        is_forbidden, "Förmåner som inte får betalas samma dag", "Summa omfattning över 100 %"
    )
    out = pd.DataFrame(
        {
            "case_id": pairs["case_id"].to_numpy()[keep],
            "start": start[keep],
            "end": end[keep],
            "label": label[keep] + " (" + pairs["benefit_o"].to_numpy()[keep] + ")",
        }
    )
    return out.drop_duplicates().reset_index(drop=True)


def empty_facts() -> TimelineFacts:
    """Facts with no rows (a night without selections)."""
    return TimelineFacts(
        pd.DataFrame(
            columns=[
                "person_id",
                "case_id",
                "benefit",
                "period_start",
                "period_end",
                "extent",
                "amount_sek",
            ]
        ),
        pd.DataFrame(columns=["person_id", "month", "gross_pay_sek"]),
        pd.DataFrame(columns=["case_id", "start", "end", "label"]),
    )


__all__ = ["TimelineFacts", "fetch_timeline_facts", "overlap_marks", "empty_facts"]
