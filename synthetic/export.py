"""Turn the internal frames (integer keys, day numbers) into the contract's Arrow tables.

Ids become strings with a prefix per entity, day numbers become date32 (the sentinel NA_DAY
becomes null). Only rows the agency knows by the world's last day are exported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from felrisk.contract import table_spec
from synthetic.population import EXT_CHILD_BASE
from synthetic.timeaxis import NA_DAY


def _labels(prefix: str, keys: np.ndarray, width: int) -> np.ndarray:
    """prefix + zero-padded key for each key (numpy's zfill fails on empty arrays)."""
    keys = np.asarray(keys, dtype="int64")
    if len(keys) == 0:
        return np.array([], dtype="U1")
    return np.char.add(prefix, np.char.zfill(keys.astype("U20"), width))


def ids(prefix: str, keys: np.ndarray, width: int = 8) -> pa.Array:
    """String ids like P00000042 from integer keys (vectorised)."""
    return pa.array(_labels(prefix, keys, width), type=pa.string())


def opt_ids(prefix: str, keys: np.ndarray, missing: np.ndarray, width: int = 8) -> pa.Array:
    """Ids where present, null where `missing`."""
    keys = np.where(missing, 0, np.asarray(keys, dtype="int64"))
    return pa.array(
        _labels(prefix, keys, width), type=pa.string(), mask=np.asarray(missing, dtype=bool)
    )


def dates(days: np.ndarray) -> pa.Array:
    """date32 from day numbers; NA_DAY becomes null."""
    d = np.asarray(days, dtype="int64")
    na = d == NA_DAY
    return pa.array(np.where(na, 0, d).astype("int32"), type=pa.date32(), mask=na)


def floats(x: np.ndarray) -> pa.Array:
    """float64 with NaN as null."""
    x = np.asarray(x, dtype="float64")
    return pa.array(x, type=pa.float64(), mask=np.isnan(x))


def strings(x: np.ndarray) -> pa.Array:
    """Strings with None as null."""
    return pa.array(np.asarray(x, dtype=object), type=pa.string(), from_pandas=True)


def table(name: str, cols: dict[str, pa.Array]) -> pa.Table:
    """An Arrow table in the contract's column order and schema."""
    schema = table_spec(name).arrow_schema()
    arrays = [cols[f.name].cast(f.type) for f in schema]
    return pa.Table.from_arrays(
        arrays, schema=pa.schema([pa.field(f.name, f.type) for f in schema])
    )


def person_ids(pid: np.ndarray) -> pa.Array:
    return ids("P", pid)


def case_ids(case: np.ndarray) -> pa.Array:
    return ids("C", case, 9)


def employer_ids(eid: np.ndarray) -> pa.Array:
    return ids("E", eid, 7)


def child_ids(child: np.ndarray) -> pa.Array:
    """Children in `persons` keep their person id; others get their own B-prefixed id."""
    child = np.asarray(child, dtype="int64")
    ext = child >= EXT_CHILD_BASE
    inner = np.char.add("P", np.char.zfill(np.where(ext, 0, child).astype("U20"), 8))
    outer = np.char.add(
        "B", np.char.zfill(np.where(ext, child - EXT_CHILD_BASE, 0).astype("U20"), 8)
    )
    return pa.array(np.where(ext, outer, inner), type=pa.string())


def persons_table(p: pd.DataFrame) -> pa.Table:
    hh = p["household"].to_numpy()
    return table(
        "persons",
        {
            "person_id": person_ids(p["pid"].to_numpy()),
            "birth_date": dates(p["birth"].to_numpy()),
            "sex": strings(p["sex"].to_numpy()),
            "birth_region": strings(p["region"].to_numpy()),
            "municipality_code": strings(p["muni"].to_numpy()),
            "household_id": opt_ids("H", hh, hh < 0),
            "insured_from": dates(p["insured_from"].to_numpy()),
        },
    )


def children_table(ch: pd.DataFrame) -> pa.Table:
    return table(
        "children",
        {
            "child_id": child_ids(ch["child"].to_numpy()),
            "parent_id": person_ids(ch["parent"].to_numpy()),
            "child_birth_date": dates(ch["child_birth"].to_numpy()),
        },
    )


def employers_table(e: pd.DataFrame) -> pa.Table:
    return table(
        "employers",
        {
            "employer_id": employer_ids(e["eid"].to_numpy()),
            "registered_date": dates(e["registered"].to_numpy()),
            "industry_code": strings(e["industry"].to_numpy()),
            "municipality_code": strings(e["muni"].to_numpy()),
        },
    )


def cases_table(c: pd.DataFrame) -> pa.Table:
    child = c["child"].to_numpy()
    return table(
        "cases",
        {
            "case_id": case_ids(c["case"].to_numpy()),
            "person_id": person_ids(c["pid"].to_numpy()),
            "benefit": strings(c["benefit"].to_numpy()),
            "insured_event_date": dates(c["event"].to_numpy()),
            "opened_date": dates(c["opened"].to_numpy()),
            "closed_date": dates(c["closed"].to_numpy()),
            "child_id": _masked(child_ids(np.maximum(child, 0)), child < 0),
            "employment_type": strings(c["emp_type"].to_numpy()),
            "granted_hours_per_week": floats(c["granted"].to_numpy()),
        },
    )


def _masked(arr: pa.Array, missing: np.ndarray) -> pa.Array:
    return pa.array(
        arr.to_numpy(zero_copy_only=False), type=arr.type, mask=np.asarray(missing, dtype=bool)
    )


def payments_table(pay: pd.DataFrame) -> pa.Table:
    return table(
        "payments",
        {
            "payment_id": ids("U", pay["payment"].to_numpy(), 10),
            "case_id": case_ids(pay["case"].to_numpy()),
            "person_id": person_ids(pay["pid"].to_numpy()),
            "benefit": strings(pay["benefit"].to_numpy()),
            "period_start": dates(pay["ps"].to_numpy()),
            "period_end": dates(pay["pe"].to_numpy()),
            "extent": floats(pay["extent"].to_numpy()),
            "hours": floats(pay["hours"].to_numpy()),
            "amount_sek": floats(pay["amount"].to_numpy()),
            "paid_date": dates(pay["paid"].to_numpy()),
            "automated": pa.array(pay["automated"].to_numpy(dtype=bool), type=pa.bool_()),
        },
    )


def income_table(inc: pd.DataFrame) -> pa.Table:
    return table(
        "income_reports",
        {
            "person_id": person_ids(inc["pid"].to_numpy()),
            "employer_id": employer_ids(inc["eid"].to_numpy()),
            "month": dates(inc["month"].to_numpy()),
            "gross_pay_sek": floats(inc["pay"].to_numpy()),
            "reported_date": dates(inc["reported"].to_numpy()),
        },
    )


def sgi_table(s: pd.DataFrame) -> pa.Table:
    return table(
        "sgi_decisions",
        {
            "sgi_id": ids("S", s["sgi_id"].to_numpy(), 9),
            "person_id": person_ids(s["pid"].to_numpy()),
            "decision_date": dates(s["decided"].to_numpy()),
            "valid_from": dates(s["valid_from"].to_numpy()),
            "annual_sgi_sek": floats(s["sgi"].to_numpy()),
            "annual_work_hours": floats(s["hours"].to_numpy()),
            "income_basis": strings(s["basis"].to_numpy()),
        },
    )


def time_reports_table(r: pd.DataFrame) -> pa.Table:
    return table(
        "work_time_reports",
        {
            "report_id": ids("T", np.arange(1, len(r) + 1), 10),
            "assistant_id": person_ids(r["aid"].to_numpy()),
            "client_case_id": case_ids(r["case"].to_numpy()),
            "provider_id": employer_ids(r["provider"].to_numpy()),
            "work_date": dates(r["day"].to_numpy()),
            "hours": floats(r["hours"].to_numpy()),
            "submitted_date": dates(r["submitted"].to_numpy()),
        },
    )


def activity_table(a: pd.DataFrame) -> pa.Table:
    return table(
        "activity_reports",
        {
            "person_id": person_ids(a["pid"].to_numpy()),
            "case_id": case_ids(a["case"].to_numpy()),
            "month": dates(a["month"].to_numpy()),
            "declared_absence_days": pa.array(a["declared_absence_days"].to_numpy(dtype="int64")),
            "declared_work_hours": floats(a["declared_work_hours"].to_numpy()),
            "submitted_date": dates(a["submitted"].to_numpy()),
        },
    )


def controls_table(k: pd.DataFrame) -> pa.Table:
    return table(
        "controls",
        {
            "control_id": ids("K", k["control"].to_numpy(), 8),
            "case_id": case_ids(k["case"].to_numpy()),
            "person_id": person_ids(k["pid"].to_numpy()),
            "benefit": strings(k["benefit"].to_numpy()),
            "selected_date": dates(k["selected"].to_numpy()),
            "selection": strings(k["selection"].to_numpy()),
            "selection_probability": floats(k["probability"].to_numpy()),
            "closed_date": dates(k["closed"].to_numpy()),
            "outcome": strings(k["outcome"].to_numpy()),
            "wrong_amount_sek": floats(k["wrong"].to_numpy()),
        },
    )


def truth_table(c: pd.DataFrame) -> pa.Table:
    return table(
        "case_truth",
        {
            "case_id": case_ids(c["case"].to_numpy()),
            "is_erroneous": pa.array(c["err"].to_numpy(dtype=bool)),
            "mechanism": strings(c["mechanism"].to_numpy()),
            "caused_by": strings(c["caused_by"].to_numpy()),
            "intentional": pa.array(c["intentional"].to_numpy(dtype=bool)),
            "wrong_amount_sek": floats(c["wrong"].to_numpy(dtype="float64")),
            "corrected_date": dates(c["corrected"].to_numpy()),
        },
    )
