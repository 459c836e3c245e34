"""The night's rule periods sweep only the picked persons' cases paid in the rules' window."""

from __future__ import annotations

from datetime import date

import ibis
import pandas as pd

from features.build import paid_cases
from features.facts import rule_break_periods
from felrisk.datadir import open_data, rows_with_ids
from scoring.timeline_data import rule_periods
from tests.world.write import write_world

D = date.fromisoformat
AS_OF = D("2025-10-01")


def _pay(case_id: str, start: str, end: str, paid: str, amount: float = 1000.0) -> dict:
    return {
        "case_id": case_id,
        "period_start": start,
        "period_end": end,
        "extent": 1.0,
        "amount_sek": amount,
        "paid_date": paid,
    }


def _world(tmp_path):
    return write_world(
        tmp_path / "w",
        persons=[{"person_id": "P1"}, {"person_id": "P2"}],
        cases=[
            {"case_id": "S1", "person_id": "P1", "benefit": "SJP"},
            {"case_id": "K1", "person_id": "P1", "benefit": "KAR"},
            {"case_id": "S0", "person_id": "P1", "benefit": "SJP"},  # broke a rule in 2023
            {"case_id": "K0", "person_id": "P1", "benefit": "KAR"},
            {"case_id": "S9", "person_id": "P1", "benefit": "SJP"},  # reaches into the window
            {"case_id": "SL", "person_id": "P1", "benefit": "SJP"},  # paid on D: not known
            {"case_id": "S2", "person_id": "P2", "benefit": "SJP"},  # not picked
            {"case_id": "K2", "person_id": "P2", "benefit": "KAR"},
        ],
        payments=[
            _pay("S1", "2025-09-01", "2025-09-10", "2025-09-12"),
            _pay("K1", "2025-09-05", "2025-09-05", "2025-09-12"),
            _pay("S0", "2023-03-01", "2023-03-10", "2023-03-12"),
            _pay("K0", "2023-03-05", "2023-03-05", "2023-03-12"),
            _pay("S9", "2024-09-20", "2024-10-02", "2024-10-03"),
            _pay("K1", "2024-10-01", "2024-10-01", "2024-10-03"),
            _pay("SL", "2025-09-05", "2025-09-05", "2025-10-01"),
            _pay("S2", "2025-09-01", "2025-09-10", "2025-09-12"),
            _pay("K2", "2025-09-05", "2025-09-05", "2025-09-12"),
        ],
    )


def test_only_cases_paid_in_the_window_as_known_by_d_minus_1_are_swept(tmp_path):
    data = open_data(_world(tmp_path))
    payments = rows_with_ids(data["payments"], "person_id", ["P1"])
    swept = paid_cases(payments, AS_OF, 365).to_pandas()
    # S9's period ends 2024-10-02, the window's first day (D-365 = 2024-10-01) is inside it
    assert sorted(swept["case_id"]) == ["K1", "S1", "S9"]
    assert set(pd.to_datetime(swept["as_of"]).dt.date) == {AS_OF}


def test_rule_periods_are_those_of_every_case_of_the_persons(tmp_path):
    data = open_data(_world(tmp_path))
    periods = rule_periods(data, pd.Series(["P1"]), AS_OF)
    every = rows_with_ids(data["cases"], "person_id", ["P1"])
    spine = every.select("case_id", as_of=ibis.literal(AS_OF, "date"))
    pd.testing.assert_frame_equal(periods, rule_break_periods(data, spine))
    # the 2023 break lies before the window; the 2024-10-01 one is its first day
    assert set(periods["case_id"]) == {"S1", "K1", "S9"}
    assert periods["first_day"].min() == (D("2024-10-01") - D("1970-01-01")).days
