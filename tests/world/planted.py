"""A contract-shaped world with a planted signal (KAR paid on SJP days), for training tests.

Not the synthetic generator: just enough rows for the training pipeline to run in seconds.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from tests.world.persons import random_persons

START, END = date(2023, 1, 1), date(2025, 12, 31)


def planted_tables(persons: int = 3000, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Every contract table, and case_truth for the oracle figures (`write_world(out, **tables)`)."""
    rng = np.random.default_rng(seed)
    n = persons
    pid = np.array([f"P{i:06d}" for i in range(n)])
    people = random_persons(
        rng, pid, 40 * 365, {"SE": 0.7, "NORDIC": 0.05, "EU": 0.1, "OTHER": 0.1, None: 0.05}
    )
    span = (END - START).days - 120
    onset = np.array([START + timedelta(days=int(d)) for d in rng.integers(0, span, n)])
    bad = rng.random(n) < 0.12
    visible = bad & (rng.random(n) < 0.6)  # errors the overlap feature can see
    sjp_id = np.array([f"C{i:06d}S" for i in range(n)])
    cases = pd.DataFrame(
        {
            "case_id": sjp_id,
            "person_id": pid,
            "benefit": "SJP",
            "insured_event_date": onset,
            "opened_date": onset,
            "closed_date": None,
            "child_id": None,
            "employment_type": "self_employed",
            "granted_hours_per_week": None,
        }
    )
    length = rng.integers(20, 60, n)
    extent = np.where(rng.random(n) < 0.2, 0.5, 1.0)
    pay_end = np.array([o + timedelta(days=int(d) - 1) for o, d in zip(onset, length, strict=True)])
    paid = np.array([e + timedelta(days=3) for e in pay_end])
    amount = length * extent * np.where(bad & ~visible, 1600.0, 800.0)
    pays = [
        pd.DataFrame(
            {
                "payment_id": [f"Y{i:06d}S" for i in range(n)],
                "case_id": sjp_id,
                "person_id": pid,
                "benefit": "SJP",
                "period_start": onset,
                "period_end": pay_end,
                "extent": extent,
                "hours": None,
                "amount_sek": amount,
                "paid_date": paid,
                "automated": rng.random(n) < 0.5,
            }
        )
    ]
    kar = np.flatnonzero(visible)
    kar_day = onset[kar] + np.array([timedelta(days=int(d)) for d in rng.integers(0, 10, len(kar))])
    kar_ids = np.array([f"C{i:06d}K" for i in kar])
    cases = pd.concat(
        [
            cases,
            pd.DataFrame(
                {
                    "case_id": kar_ids,
                    "person_id": pid[kar],
                    "benefit": "KAR",
                    "insured_event_date": kar_day,
                    "opened_date": kar_day,
                    "closed_date": None,
                    "child_id": None,
                    "employment_type": "employee",
                    "granted_hours_per_week": None,
                }
            ),
        ],
        ignore_index=True,
    )
    pays.append(
        pd.DataFrame(
            {
                "payment_id": [f"Y{i:06d}K" for i in kar],
                "case_id": kar_ids,
                "person_id": pid[kar],
                "benefit": "KAR",
                "period_start": kar_day,
                "period_end": kar_day,
                "extent": 1.0,
                "hours": None,
                "amount_sek": 804.0,
                "paid_date": kar_day + timedelta(days=2),
                "automated": True,
            }
        )
    )
    payments = pd.concat(pays, ignore_index=True)

    # controls of the SJP cases: a random stream for everyone, rule picks for visible overlaps
    sel = np.array(
        [p + timedelta(days=int(d)) for p, d in zip(paid, rng.integers(1, 30, n), strict=True)]
    )
    ok_date = sel <= END
    random_pick = ok_date & (rng.random(n) < 0.5)
    rule_pick = ok_date & visible & ~random_pick & (rng.random(n) < 0.7)
    pick = random_pick | rule_pick
    idx = np.flatnonzero(pick)
    closed = np.array(
        [
            s + timedelta(days=int(d))
            for s, d in zip(sel[idx], rng.integers(10, 120, len(idx)), strict=True)
        ]
    )
    is_closed = closed <= END
    found = bad[idx] & (rng.random(len(idx)) < 0.9)
    outcome = np.where(
        found, np.where(rng.random(len(idx)) < 0.1, "suspected_crime", "error_customer"), "no_error"
    )
    wrong = np.where(found, amount[idx] * rng.uniform(0.2, 1.0, len(idx)), 0.0)
    controls = pd.DataFrame(
        {
            "control_id": [f"K{i:06d}" for i in idx],
            "case_id": sjp_id[idx],
            "person_id": pid[idx],
            "benefit": "SJP",
            "selected_date": sel[idx],
            "selection": np.where(random_pick[idx], "random", "rule"),
            "selection_probability": np.where(random_pick[idx], 0.01, np.nan),
            "closed_date": np.where(is_closed, closed, None),
            "outcome": np.where(is_closed, outcome, None),
            "wrong_amount_sek": np.where(is_closed, wrong, np.nan),
        }
    )
    income = pd.DataFrame(
        {
            "person_id": pid,
            "employer_id": "E1",
            "month": [date(o.year, o.month, 1) for o in onset],
            "gross_pay_sek": rng.lognormal(10, 0.5, n),
            "reported_date": [date(o.year, o.month, 1) for o in onset],
        }
    )
    employers = pd.DataFrame(
        {
            "employer_id": ["E1"],
            "registered_date": [date(2000, 1, 1)],
            "industry_code": ["62"],
            "municipality_code": ["0180"],
        }
    )
    sgi = pd.DataFrame(
        {
            "sgi_id": [f"G{i:06d}" for i in range(n)],
            "person_id": pid,
            "decision_date": [o - timedelta(days=200) for o in onset],
            "valid_from": [o - timedelta(days=200) for o in onset],
            "annual_sgi_sek": rng.uniform(200_000, 500_000, n),
            "annual_work_hours": 2080.0,
            "income_basis": "employment",
        }
    )
    # one row each where the world has nothing, so that every table holds data
    one = {
        "children": pd.DataFrame(
            {"child_id": ["X1"], "parent_id": [pid[0]], "child_birth_date": [date(2020, 1, 1)]}
        ),
        "work_time_reports": pd.DataFrame(
            {
                "report_id": ["W1"],
                "assistant_id": [pid[1]],
                "client_case_id": [sjp_id[0]],
                "provider_id": ["E1"],
                "work_date": [date(2023, 2, 1)],
                "hours": [8.0],
                "submitted_date": [date(2023, 2, 5)],
            }
        ),
        "activity_reports": pd.DataFrame(
            {
                "person_id": [pid[2]],
                "case_id": [sjp_id[2]],
                "month": [date(2023, 2, 1)],
                "declared_absence_days": [0],
                "declared_work_hours": [0.0],
                "submitted_date": [date(2023, 3, 5)],
            }
        ),
    }
    truth = pd.DataFrame(
        {
            "case_id": cases["case_id"],
            "is_erroneous": np.concatenate([bad, np.ones(len(kar), bool)]),
            "mechanism": None,
            "caused_by": None,
            "intentional": False,
            "wrong_amount_sek": 0.0,
        }
    )
    return {
        **one,
        "sgi_decisions": sgi,
        "persons": people,
        "cases": cases,
        "payments": payments,
        "controls": controls,
        "income_reports": income,
        "employers": employers,
        "case_truth": truth,
    }
