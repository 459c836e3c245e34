"""Leakage: rows known on D or later change no feature as of D; rows known on D-1 do."""

from __future__ import annotations

import copy
from datetime import timedelta

import pandas as pd
import pytest

from features.build import build_features
from felrisk.datadir import open_data
from tests.features import scenarios
from tests.features.conftest import run, spine_of
from tests.world.write import write_world

pytestmark = pytest.mark.slow  # feature builds before and after each change

D = scenarios.AS_OF


def _late_rows(known: str) -> dict[str, list[dict]]:
    """Rows of every time-stamped table, each known from `known`, aimed at the hand-built stories:
    overlapping payments, a fresh SGI mix-up, pay while sick, an assistant's 30-hour day,
    AKS declarations, controls with errors, a new employer and a new case."""
    return {
        "employers": [{"employer_id": "ELATE", "registered_date": known}],
        "cases": [
            {
                "case_id": "LATE_F",
                "person_id": "HF",
                "benefit": "FP",
                "child_id": "HFC",
                "opened_date": known,
            },
        ],
        "payments": [
            {
                "case_id": "HF_F",
                "period_start": "2025-03-01",
                "period_end": "2025-03-31",
                "paid_date": known,
            },
            {
                "case_id": "LATE_F",
                "period_start": "2025-04-01",
                "period_end": "2025-04-30",
                "paid_date": known,
            },
            {
                "case_id": "AC2",
                "period_start": "2025-04-01",
                "period_end": "2025-04-30",
                "hours": 300.0,
                "paid_date": known,
            },
            {
                "case_id": "RV_F",
                "period_start": "2025-03-10",
                "period_end": "2025-03-19",
                "paid_date": known,
            },
            {
                "case_id": "TS_T",
                "period_start": "2025-02-04",
                "period_end": "2025-02-10",
                "paid_date": known,
            },
        ],
        "sgi_decisions": [scenarios._sgi("G_LATE", "MY", known, 500000.0, 100.0)],
        "income_reports": [
            scenarios._inc("WG", "2025-02", 40000.0, reported=known),
            scenarios._inc("AK", "2025-04", 9000.0, reported=known),
            scenarios._inc("N4", "2025-04", 9000.0, "EN", reported=known),
        ],
        "work_time_reports": [
            {
                "assistant_id": "AS2",
                "client_case_id": "AC2",
                "work_date": "2025-03-05",
                "hours": 20.0,
                "submitted_date": known,
            },
        ],
        "activity_reports": [
            {
                "person_id": "AK",
                "case_id": "AK_A",
                "month": "2025-02-01",
                "declared_absence_days": 10,
                "declared_work_hours": 40.0,
                "submitted_date": known,
            },
        ],
        "controls": [
            scenarios._control("MY_S", "MY", "SJP", known, known, "error_customer"),
            scenarios._control("N1_S", "N1", "SJP", known, known, "error_fk"),
        ],
    }


def _world_with(tmp_path, extra: dict[str, list[dict]]):
    tables = copy.deepcopy(scenarios.TABLES)
    for name, rows in extra.items():
        tables.setdefault(name, []).extend(rows)
    return write_world(tmp_path / "w", **tables)


def _features(path) -> pd.DataFrame:
    data = open_data(path)
    spine = spine_of([c["case_id"] for c in scenarios.CASES], D)
    return run(data, build_features(data, spine)).set_index("case_id")


@pytest.fixture(scope="module")
def base(hand_features) -> pd.DataFrame:
    return hand_features


@pytest.mark.parametrize("lag", [0, 40])
def test_rows_known_on_d_or_later_change_nothing(tmp_path, base, lag):
    late = _features(_world_with(tmp_path, _late_rows(str(D + timedelta(days=lag)))))
    pd.testing.assert_frame_equal(late, base)


def test_the_same_rows_known_on_d_minus_1_do_change_features(tmp_path, base):
    """The leak test's rows are not inert: known one day earlier, they move the features."""
    early = _features(_world_with(tmp_path, _late_rows(str(D - timedelta(days=1)))))
    changed = [c for c in base.columns if not early[c].equals(base[c])]
    for name in (
        "overlap_excess_days",
        "sgi_hours_days_mixup",
        "assistant_days_over_24h",
        "person_confirmed_errors",
        "tfp_in_sickpay_period_days",
        "aks_work_zero_pay_months",
    ):
        assert name in changed, name
