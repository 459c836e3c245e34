"""A small contract-valid world with many active cases on AS_OF, and a random stream of controls."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from tests.world.persons import random_persons

AS_OF = date(2025, 10, 1)
D = date.fromisoformat


def active_tables(n_persons: int = 300, seed: int = 1) -> dict[str, pd.DataFrame]:
    """Persons with SJP, KAR, FP or TFP cases paid in the 90 days before AS_OF, a random stream."""
    rng = np.random.default_rng(seed)
    pid = [f"P{i:04d}" for i in range(n_persons)]
    persons = random_persons(rng, pid, 14000, {"SE": 0.7, "NORDIC": 0.1, "EU": 0.1, "OTHER": 0.1})
    children = pd.DataFrame(
        {
            "child_id": [f"B{i:04d}" for i in range(n_persons)],
            "parent_id": pid,
            "child_birth_date": D("2020-05-01"),
        }
    )
    employers = pd.DataFrame(
        {
            "employer_id": ["E1", "E2", "E3"],
            "registered_date": [D("2001-01-01"), D("2010-01-01"), D("2024-01-01")],
            "industry_code": ["86", "47", "62"],
            "municipality_code": "0180",
        }
    )
    cases, payments = [], []
    for i, p in enumerate(pid):
        benefits = ["SJP"] if i % 3 else ["SJP", "KAR"]
        if i % 4 == 0:
            benefits = ["FP", "TFP"] if i % 8 == 0 else ["TFP"]
        for j, b in enumerate(benefits):
            cid = f"C{i:04d}{j}"
            start = AS_OF - timedelta(days=int(rng.integers(20, 80)))
            cases.append(
                {
                    "case_id": cid,
                    "person_id": p,
                    "benefit": b,
                    "insured_event_date": start,
                    "opened_date": start + timedelta(days=1),
                    "closed_date": None,
                    "child_id": f"B{i:04d}" if b in ("FP", "TFP") else None,
                    "employment_type": "employee" if b == "SJP" else None,
                    "granted_hours_per_week": None,
                }
            )
            days = 1 if b == "KAR" else int(rng.integers(5, 15))
            for k in range(2):
                ps = start + timedelta(days=k * 16 + (0 if b != "KAR" else 2))
                pe = ps + timedelta(days=days - 1)
                payments.append(
                    {
                        "payment_id": f"U{cid}{k}",
                        "case_id": cid,
                        "person_id": p,
                        "benefit": b,
                        "period_start": ps,
                        "period_end": pe,
                        "extent": 1.0 if b != "TFP" else 0.5,
                        "hours": None,
                        "amount_sek": float(days * rng.integers(500, 1100)),
                        "paid_date": min(pe + timedelta(days=3), AS_OF - timedelta(days=1)),
                        "automated": bool(rng.integers(0, 2)),
                    }
                )
    cases = pd.DataFrame(cases)
    payments = pd.DataFrame(payments)
    months = pd.date_range("2024-10-01", "2025-08-01", freq="MS").date
    income = pd.DataFrame(
        [
            {
                "person_id": p,
                "employer_id": "E1" if i % 2 else "E2",
                "month": m,
                "gross_pay_sek": float(20000 + (i * 37) % 25000),
                "reported_date": date(m.year + m.month // 12, m.month % 12 + 1, 12),
            }
            for i, p in enumerate(pid)
            for m in months
            if i % 5
        ]
    )
    sgi = pd.DataFrame(
        {
            "sgi_id": ["S1"],
            "person_id": [pid[0]],
            "decision_date": [D("2025-01-10")],
            "valid_from": [D("2025-01-01")],
            "annual_sgi_sek": [350_000.0],
            "annual_work_hours": [2080.0],
            "income_basis": ["employment"],
        }
    )
    work = pd.DataFrame(
        {
            "report_id": ["W1"],
            "assistant_id": [pid[1]],
            "client_case_id": [cases["case_id"].iloc[0]],
            "provider_id": ["E3"],
            "work_date": [D("2025-08-04")],
            "hours": [8.0],
            "submitted_date": [D("2025-08-10")],
        }
    )
    activity = pd.DataFrame(
        {
            "person_id": [pid[2]],
            "case_id": [cases["case_id"].iloc[2]],
            "month": [D("2025-08-01")],
            "declared_absence_days": [0],
            "declared_work_hours": [0.0],
            "submitted_date": [D("2025-09-03")],
        }
    )
    # A random stream of closed controls (the yardstick), on the persons' older SJP/TFP cases.
    n_ctrl = n_persons // 2
    ctrl_idx = rng.choice(len(cases), n_ctrl, replace=False)
    sel = [AS_OF - timedelta(days=int(x)) for x in rng.integers(200, 500, n_ctrl)]
    controls = pd.DataFrame(
        {
            "control_id": [f"R{i:05d}" for i in range(n_ctrl)],
            "case_id": cases["case_id"].to_numpy()[ctrl_idx],
            "person_id": cases["person_id"].to_numpy()[ctrl_idx],
            "benefit": cases["benefit"].to_numpy()[ctrl_idx],
            "selected_date": sel,
            "selection": "random",
            "selection_probability": 0.02,
            "closed_date": [s + timedelta(days=40) for s in sel],
            "outcome": rng.choice(
                ["no_error", "error_customer", "error_fk"], n_ctrl, p=[0.7, 0.2, 0.1]
            ),
            "wrong_amount_sek": 0.0,
        }
    )
    controls.loc[controls["outcome"] != "no_error", "wrong_amount_sek"] = 5000.0
    # one person controlled a week ago, still open: in cooldown tonight
    recent = controls.iloc[[0]].assign(
        control_id="R99999",
        selected_date=AS_OF - timedelta(days=7),
        selection="rule",
        selection_probability=np.nan,
        closed_date=None,
        outcome=None,
        wrong_amount_sek=np.nan,
    )
    controls = pd.concat([controls, recent], ignore_index=True)
    return {
        "persons": persons,
        "children": children,
        "employers": employers,
        "cases": cases,
        "payments": payments,
        "income_reports": income,
        "sgi_decisions": sgi,
        "work_time_reports": work,
        "activity_reports": activity,
        "controls": controls,
    }
