"""Property: broken tables and broken outcome files never give exit 1, never a partial output,
and never change the controls table unless an import succeeds whole."""

from __future__ import annotations

import math
import shutil
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from felrisk.cli import main
from felrisk.contract import TABLES
from tests.scoring.world import AS_OF, use_fakes

pytestmark = pytest.mark.slow

DAY = AS_OF.isoformat()
NIGHT_FILES = {
    "control_list.parquet",
    "control_list.csv",
    "control_list.xlsx",
    "report.html",
    "manifest.json",
}
BAD_VALUES = {
    "float": [math.nan, math.inf, -math.inf, -1.0, 1e308],
    "int": [-1, 2**40],
    "date": [date(2099, 12, 31), date(1800, 1, 1)],
    "str": ["=1+1", "", "@SUM(A1)", "-x", None, "a b"],
    "bool": [None],
}
SETTINGS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _set_value(t: pa.Table, column: str, row: int, value) -> pa.Table:
    values = t[column].to_pylist()
    values[row % len(values)] = value
    i = t.schema.get_field_index(column)
    typ = t.schema.field(column).type
    return t.set_column(i, pa.field(column, typ, nullable=True), pa.array(values, typ))


@st.composite
def table_damage(draw):
    """(table, description, function that damages the table's file in a data folder)."""
    table = draw(st.sampled_from(sorted(TABLES)))
    kind = draw(st.sampled_from(["value", "bytes", "drop column", "duplicate rows"]))
    spec = TABLES[table]
    col = draw(st.sampled_from(spec.columns))
    row = draw(st.integers(0, 10_000))
    value = draw(st.sampled_from(BAD_VALUES[col.type]))
    cut = draw(st.floats(0.0, 0.99))

    def damage(folder: Path) -> None:
        f = folder / f"{table}.parquet"
        if kind == "bytes":
            raw = f.read_bytes()
            f.write_bytes(raw[: int(len(raw) * cut)])
            return
        t = pq.read_table(f)
        if kind == "value" and len(t):
            t = _set_value(t, col.name, row, value)
        elif kind == "drop column":
            t = t.drop([col.name])
        elif kind == "duplicate rows":
            t = pa.concat_tables([t, t.slice(0, 3)])
        pq.write_table(t, f)

    return f"{kind} {table}.{col.name}={value!r} cut={cut:.2f}", damage


@SETTINGS
@given(case=table_damage())
def test_broken_tables_never_exit_1_nor_leave_a_partial_list(world, monkeypatch, case):
    what, damage = case
    use_fakes(monkeypatch, world)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(shutil.copytree(world, Path(tmp) / "data"))
        damage(data)
        out = Path(tmp) / "lists"
        code = main(["score", "--data", str(data), "--as-of", DAY, "--out", str(out)])
        assert code in (0, 3), what
        left = sorted(p.name for p in out.iterdir()) if out.exists() else []
        assert not [n for n in left if n.startswith((".tmp-", ".old-"))], what
        if code == 0:
            assert {p.name for p in (out / DAY).iterdir()} == NIGHT_FILES, what
        else:
            assert DAY not in left, what


@pytest.fixture(scope="module")
def issued(world, night):
    result, _, lists = night
    return lists, pd.read_parquet(result.folder / "control_list.parquet")


TEXT = st.one_of(
    st.sampled_from(["inf", "-inf", "nan", "NaN", "2099-12-31", "=1+1", "", " ", "1e400", "0,5"]),
    st.text(max_size=12),
)


@st.composite
def results_damage(draw):
    """A results CSV's text from the issued list, with cells, columns or bytes broken."""
    n = draw(st.integers(1, 6))
    edits = draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1),
                st.sampled_from(
                    ["control_id", "case_id", "outcome", "wrong_amount_sek", "closed_date"]
                ),
                TEXT,
            ),
            max_size=4,
        )
    )
    drop = draw(st.one_of(st.none(), st.sampled_from(["outcome", "closed_date", "case_id"])))
    cut = draw(st.one_of(st.none(), st.floats(0.0, 1.0)))
    sep = draw(st.sampled_from([",", ";"]))
    return n, edits, drop, cut, sep


@SETTINGS
@given(case=results_damage())
def test_broken_outcome_files_never_exit_1_and_never_half_change_controls(world, issued, case):
    lists, lst = issued
    n, edits, drop, cut, sep = case
    picks = lst.head(n)
    res = pd.DataFrame(
        {
            "control_id": picks["control_id"].to_numpy(),
            "case_id": picks["case_id"].to_numpy(),
            "outcome": np.resize(["error_customer", "no_error"], n),
            "wrong_amount_sek": np.resize(["1200.5", ""], n),
            "closed_date": "2025-10-20",
        }
    )
    for row, col, text in edits:
        res.loc[row, col] = text
    if drop:
        res = res.drop(columns=drop)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(shutil.copytree(world, Path(tmp) / "data"))
        before = (data / "controls.parquet").read_bytes()
        old_ids = set(pd.read_parquet(data / "controls.parquet")["control_id"])
        f = Path(tmp) / "r.csv"
        raw = res.to_csv(index=False, sep=sep).encode("utf-8", "surrogatepass")
        f.write_bytes(raw if cut is None else raw[: int(len(raw) * cut)])
        code = main(["outcomes", "import", str(f), "--lists", str(lists), "--data", str(data)])
        assert code in (0, 3), case
        if code == 0:
            after = pd.read_parquet(data / "controls.parquet")
            assert old_ids <= set(after["control_id"]), case
        else:
            assert (data / "controls.parquet").read_bytes() == before, case
        assert not [p for p in data.iterdir() if p.name.endswith(".tmp")], case
