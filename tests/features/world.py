"""Hand-built tiny worlds for feature tests: rows with sensible defaults, written as contract Parquet."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from felrisk.contract import TABLES
from felrisk.datadir import write_table

D = date.fromisoformat

DEFAULTS: dict[str, dict] = {
    "persons": {
        "birth_date": D("1985-01-01"),
        "sex": "F",
        "birth_region": "SE",
        "municipality_code": "0180",
        "household_id": None,
        "insured_from": None,
    },
    "children": {},
    "employers": {
        "registered_date": D("2000-01-01"),
        "industry_code": "47",
        "municipality_code": "0180",
    },
    "cases": {
        "opened_date": D("2024-01-01"),
        "closed_date": None,
        "child_id": None,
        "employment_type": None,
        "granted_hours_per_week": None,
    },
    "payments": {"extent": 1.0, "hours": None, "amount_sek": 1000.0, "automated": True},
    "income_reports": {},
    "sgi_decisions": {"income_basis": "employment"},
    "work_time_reports": {"provider_id": "E1"},
    "activity_reports": {"declared_absence_days": 0, "declared_work_hours": 0.0},
    "controls": {
        "selection": "random",
        "selection_probability": 0.01,
        "closed_date": None,
        "outcome": None,
        "wrong_amount_sek": None,
    },
}


def _dates(row: dict) -> dict:
    return {
        k: D(v) if isinstance(v, str) and len(v) == 10 and v[4] == "-" else v
        for k, v in row.items()
    }


def write_world(out: Path, **tables: list[dict]) -> Path:
    """Write every contract table to `out`; rows take DEFAULTS for columns they leave out.

    ISO date strings become dates. Cases fill person_id/benefit/insured_event_date if missing;
    payments fill person_id and benefit from their case, paid_date from period_end.
    """
    cases = {c["case_id"]: c for c in tables.get("cases", [])}
    for name, spec in TABLES.items():
        rows = []
        for i, raw in enumerate(tables.get(name, [])):
            row = {**DEFAULTS[name], **_dates(raw)}
            if name == "cases":
                row.setdefault("insured_event_date", row["opened_date"])
            if name == "payments":
                case = cases[raw["case_id"]]
                row.setdefault("payment_id", f"P{i}")
                row.setdefault("person_id", case["person_id"])
                row.setdefault("benefit", case["benefit"])
                row.setdefault("paid_date", row["period_end"])
            if name == "work_time_reports":
                row.setdefault("report_id", f"R{i}")
                row.setdefault("submitted_date", row["work_date"])
            if name == "income_reports":
                row.setdefault("employer_id", "E1")
            if name == "controls":
                row.setdefault("control_id", f"K{i}")
            rows.append(row)
        df = (
            pd.DataFrame(rows, columns=list(spec.column_names))
            if rows
            else pd.DataFrame({c: pd.Series([], dtype=object) for c in spec.column_names})
        )
        write_table(name, df, out)
    return out
