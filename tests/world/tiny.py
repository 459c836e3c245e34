"""A hand-built, contract-valid world with a row or two per table, for breaking on purpose."""

from __future__ import annotations

from datetime import date

import pandas as pd

D = date.fromisoformat


def tiny_tables() -> dict[str, pd.DataFrame]:
    """Every contract table with a few valid rows."""
    return {
        "persons": pd.DataFrame(
            {
                "person_id": ["P1", "P2", "P3"],
                "birth_date": [D("1985-04-02"), D("1987-09-30"), D("2021-06-01")],
                "sex": ["F", "M", "F"],
                "birth_region": ["SE", None, "SE"],
                "municipality_code": ["0180", "0180", "0180"],
                "household_id": ["H1", "H1", "H1"],
                "insured_from": [None, D("2010-01-01"), None],
            }
        ),
        "children": pd.DataFrame(
            {
                "child_id": ["P3", "P3"],
                "parent_id": ["P1", "P2"],
                "child_birth_date": [D("2021-06-01"), D("2021-06-01")],
            }
        ),
        "employers": pd.DataFrame(
            {
                "employer_id": ["E1", "E2"],
                "registered_date": [D("2001-01-01"), D("2015-03-01")],
                "industry_code": ["86", "88"],
                "municipality_code": ["0180", "1480"],
            }
        ),
        "cases": pd.DataFrame(
            {
                "case_id": ["C1", "C2", "C3"],
                "person_id": ["P1", "P1", "P2"],
                "benefit": ["SJP", "TFP", "ASS"],
                "insured_event_date": [D("2024-02-01"), D("2024-03-04"), D("2023-01-01")],
                "opened_date": [D("2024-02-03"), D("2024-03-05"), D("2023-01-10")],
                "closed_date": [D("2024-03-31"), D("2024-03-06"), None],
                "child_id": [None, "P3", None],
                "employment_type": ["employee", None, None],
                "granted_hours_per_week": [None, None, 40.0],
            }
        ),
        "payments": pd.DataFrame(
            {
                "payment_id": ["U1", "U2", "U3"],
                "case_id": ["C1", "C2", "C3"],
                "person_id": ["P1", "P1", "P2"],
                "benefit": ["SJP", "TFP", "ASS"],
                "period_start": [D("2024-02-15"), D("2024-03-04"), D("2024-01-01")],
                "period_end": [D("2024-02-29"), D("2024-03-05"), D("2024-01-31")],
                "extent": [1.0, 0.5, 1.0],
                "hours": [None, None, 170.0],
                "amount_sek": [12_000.0, 1_000.0, 54_000.0],
                "paid_date": [D("2024-03-05"), D("2024-03-10"), D("2024-02-05")],
                "automated": [False, True, False],
            }
        ),
        "income_reports": pd.DataFrame(
            {
                "person_id": ["P1", "P2"],
                "employer_id": ["E1", "E2"],
                "month": [D("2024-01-01"), D("2024-01-01")],
                "gross_pay_sek": [32_000.0, 28_500.0],
                "reported_date": [D("2024-02-12"), D("2024-02-12")],
            }
        ),
        "sgi_decisions": pd.DataFrame(
            {
                "sgi_id": ["S1"],
                "person_id": ["P1"],
                "decision_date": [D("2024-02-05")],
                "valid_from": [D("2024-02-01")],
                "annual_sgi_sek": [384_000.0],
                "annual_work_hours": [2_080.0],
                "income_basis": ["employment"],
            }
        ),
        "work_time_reports": pd.DataFrame(
            {
                "report_id": ["R1"],
                "assistant_id": ["P1"],
                "client_case_id": ["C3"],
                "provider_id": ["E2"],
                "work_date": [D("2024-01-02")],
                "hours": [8.0],
                "submitted_date": [D("2024-02-01")],
            }
        ),
        "activity_reports": pd.DataFrame(
            {
                "person_id": ["P2"],
                "case_id": ["C3"],
                "month": [D("2024-01-01")],
                "declared_absence_days": [0],
                "declared_work_hours": [0.0],
                "submitted_date": [D("2024-02-03")],
            }
        ),
        "controls": pd.DataFrame(
            {
                "control_id": ["K1", "K2"],
                "case_id": ["C1", "C2"],
                "person_id": ["P1", "P1"],
                "benefit": ["SJP", "TFP"],
                "selected_date": [D("2024-03-10"), D("2024-03-20")],
                "selection": ["random", "rule"],
                "selection_probability": [0.01, None],
                "closed_date": [D("2024-04-20"), None],
                "outcome": ["no_error", None],
                "wrong_amount_sek": [0.0, None],
            }
        ),
    }
