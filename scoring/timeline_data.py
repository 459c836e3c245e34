"""The facts a timeline picture needs for a handful of selected persons, as known by D-1.

Raw rows only (payments, monthly income) plus the red marks: the rule engine's break periods of
the persons' cases (features.facts.rule_break_periods), the same periods the overlap features count and
the reasons name. Drawing data, no feature logic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from features.build import paid_cases
from features.compiled import QueryCache
from features.facts import MARK_COLUMNS, marks_of, rule_break_periods
from features.pit import latest_pay
from features.settings import load_feature_settings
from felrisk.datadir import rows_with_ids

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


def rule_periods(
    data, persons: pd.Series, as_of: date, cache: QueryCache | None = None
) -> pd.DataFrame:
    """The coordination rules' break periods (features.facts.rule_break_periods) of every case
    of `persons` as of `as_of`: the timelines' red marks and the picks' rule reasons, computed
    once a night for both; `cache` keeps the compiled query (features/compiled.py).

    Only cases paid in the rules' window are swept: every break period is a run of days the case
    itself paid for there (known by D-1), so a case without such a payment has none. A picked
    person has about nine cases, most of them closed long ago."""
    payments = rows_with_ids(data["payments"], "person_id", persons)
    spine = paid_cases(payments, as_of, load_feature_settings().window_days)
    return rule_break_periods(data, spine, cache=cache)


def fetch_timeline_facts(
    data,
    persons: pd.Series,
    as_of: date,
    *,
    window_days: int = 365,
    periods: pd.DataFrame | None = None,
) -> TimelineFacts:
    """Payments and monthly income (summed over employers, each employer's latest report of the
    month: `features.pit.latest_pay`) of `persons` in the window before as_of, known by D-1, and the red
    marks of every case of theirs as of `as_of`; `periods`: their `rule_periods`, when already
    computed."""
    last_known = as_of - timedelta(days=1)
    first = as_of - timedelta(days=window_days)
    pay = rows_with_ids(data["payments"], "person_id", persons)
    pay = pay.filter(
        pay.paid_date <= last_known,
        pay.period_end >= first,
        pay.period_start <= last_known,
    ).select("payment_id", *PAYMENT_COLUMNS)
    # A parallel scan returns rows in any order; the picture (and the page's hash) must not vary.
    payments = pay.to_pandas().sort_values("payment_id", kind="stable", ignore_index=True)
    payments = _dates(payments.drop(columns="payment_id"), ("period_start", "period_end"))
    if "income_reports" in data:
        inc = rows_with_ids(data["income_reports"], "person_id", persons)
        inc = latest_pay(
            inc.filter(inc.reported_date <= last_known, inc.month >= first), ["person_id"]
        )
        inc = inc.group_by("person_id", "month").aggregate(gross_pay_sek=inc.pay.sum())
        income = inc.to_pandas().sort_values(["person_id", "month"], ignore_index=True)
        income = _dates(income, ("month",))
    else:
        income = pd.DataFrame(columns=["person_id", "month", "gross_pay_sek"])
    if periods is None:
        periods = rule_periods(data, persons, as_of)
    marks = marks_of(periods).sort_values(list(MARK_COLUMNS), ignore_index=True)
    return TimelineFacts(payments, income, marks)


def empty_facts() -> TimelineFacts:
    """Facts with no rows (a night without selections)."""
    return TimelineFacts(
        pd.DataFrame(columns=list(PAYMENT_COLUMNS)),
        pd.DataFrame(columns=["person_id", "month", "gross_pay_sek"]),
        pd.DataFrame(columns=MARK_COLUMNS),
    )


__all__ = ["TimelineFacts", "empty_facts", "fetch_timeline_facts", "rule_periods"]
