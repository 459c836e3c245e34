"""The facts a timeline picture needs for a handful of selected persons, as known by D-1.

Raw rows only (payments, monthly income) plus the red marks: the rule engine's break periods of
the persons' cases (features.facts.rule_marks), the same periods the overlap features count and
the reasons name. Drawing data, no feature logic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import ibis
import pandas as pd

from features.facts import MARK_COLUMNS, rule_marks

PAYMENT_COLUMNS = (
    "person_id",
    "case_id",
    "benefit",
    "period_start",
    "period_end",
    "extent",
    "amount_sek",
)


@dataclass
class TimelineFacts:
    """Payments and income of the selected persons, and red marks per selected case."""

    payments: pd.DataFrame  # PAYMENT_COLUMNS
    income: pd.DataFrame  # person_id, month, gross_pay_sek
    marks: pd.DataFrame  # case_id, start, end (inclusive dates), label


def _dates(frame: pd.DataFrame, cols: tuple[str, ...]) -> pd.DataFrame:
    for c in cols:
        frame[c] = pd.to_datetime(frame[c]).dt.date
    return frame


def fetch_timeline_facts(
    data, persons: pd.Series, as_of: date, *, window_days: int = 365
) -> TimelineFacts:
    """Payments and income of `persons` in the window before as_of, known by D-1, and the red
    marks of every case of theirs as of `as_of`."""
    last_known = as_of - timedelta(days=1)
    first = as_of - timedelta(days=window_days)
    ids = sorted(set(persons.astype(str)))
    pay = data["payments"]
    pay = pay.filter(
        pay.person_id.isin(ids),
        pay.paid_date <= last_known,
        pay.period_end >= first,
        pay.period_start <= last_known,
    ).select("payment_id", *PAYMENT_COLUMNS)
    # A parallel scan returns rows in any order; the picture (and the page's hash) must not vary.
    payments = pay.to_pandas().sort_values("payment_id", kind="stable", ignore_index=True)
    payments = _dates(payments.drop(columns="payment_id"), ("period_start", "period_end"))
    if "income_reports" in data:
        inc = data["income_reports"]
        inc = (
            inc.filter(inc.person_id.isin(ids), inc.reported_date <= last_known, inc.month >= first)
            .group_by("person_id", "month")
            .aggregate(gross_pay_sek=inc.gross_pay_sek.sum())
        )
        income = inc.to_pandas().sort_values(["person_id", "month"], ignore_index=True)
        income = _dates(income, ("month",))
    else:
        income = pd.DataFrame(columns=["person_id", "month", "gross_pay_sek"])
    cases = data["cases"]
    spine = cases.filter(cases.person_id.isin(ids)).select(
        "case_id", as_of=ibis.literal(as_of, "date")
    )
    marks = rule_marks(data, spine).sort_values(list(MARK_COLUMNS), ignore_index=True)
    return TimelineFacts(payments, income, marks)


def empty_facts() -> TimelineFacts:
    """Facts with no rows (a night without selections)."""
    return TimelineFacts(
        pd.DataFrame(columns=list(PAYMENT_COLUMNS)),
        pd.DataFrame(columns=["person_id", "month", "gross_pay_sek"]),
        pd.DataFrame(columns=MARK_COLUMNS),
    )


__all__ = ["TimelineFacts", "fetch_timeline_facts", "empty_facts"]
