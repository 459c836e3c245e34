"""The one way tests write a contract data directory: row dicts with defaults, or frames as given."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa

from felrisk.contract import TABLES, table_spec
from felrisk.datadir import to_arrow, write_table

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


def _frame_of_rows(name: str, raw_rows: list[dict], cases: dict[str, dict]) -> pd.DataFrame:
    """Rows with DEFAULTS for the columns they leave out, and ids and dates derived where missing."""
    rows = []
    for i, raw in enumerate(raw_rows):
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
    columns = list(TABLES[name].column_names)
    if not rows:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    return pd.DataFrame(rows, columns=columns)


def _arrow(name: str, df: pd.DataFrame) -> pa.Table:
    """The frame in contract types; a frame the contract refuses (a column missing, a null where
    none is allowed) keeps its own columns, typed where the contract knows them, so that a test can
    break a table on purpose and let validation find it."""
    spec = table_spec(name)
    required = [c.name for c in spec.columns if not c.nullable]
    if set(spec.column_names) <= set(df.columns) and not df[required].isna().any().any():
        return to_arrow(name, df)
    schema = spec.arrow_schema()
    t = pa.Table.from_pandas(df, preserve_index=False)
    fields = [
        schema.field(c).with_nullable(True) if c in schema.names else t.schema.field(c)
        for c in t.column_names
    ]
    return t.cast(pa.schema(fields))


def write_world(
    out: Path, *, case_truth: pd.DataFrame | None = None, **tables: list[dict] | pd.DataFrame
) -> Path:
    """Write every contract table to `out` (empty where not given); returns `out`.

    A table given as row dicts takes DEFAULTS for the columns its rows leave out, and ISO date
    strings become dates; cases fill insured_event_date from opened_date; payments fill
    person_id and benefit from their case and paid_date from period_end. A table given as a frame
    is written as it is (see `_arrow`). `case_truth`, where given, goes to truth/ as a synthetic
    world's does.
    """
    unknown = set(tables) - set(TABLES)
    assert not unknown, f"not contract tables: {sorted(unknown)}"
    raw_cases = tables.get("cases", [])
    cases = {c["case_id"]: c for c in raw_cases} if isinstance(raw_cases, list) else {}
    for name in TABLES:
        given = tables.get(name, [])
        df = given if isinstance(given, pd.DataFrame) else _frame_of_rows(name, given, cases)
        write_table(name, _arrow(name, df), out)
    if case_truth is not None:
        write_table("case_truth", _arrow("case_truth", case_truth), Path(out) / "truth")
    return Path(out)
