"""Every row checked: finite floats, ranges, no dates from the future, unreadable files named."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from felrisk.cli import main
from felrisk.errors import ContractError
from felrisk.validate import PANDERA_GATE_ROWS, validate_data
from tests.world.tiny import tiny_tables
from tests.world.write import write_world


def _problems(path, **kw):
    with pytest.raises(ContractError) as info:
        validate_data(path, **kw)
    return {(p.table, p.column, p.rule.split(" (")[0]): p for p in info.value.problems}


@pytest.mark.slow  # 209,378 rows
def test_nan_and_inf_in_the_last_rows_of_a_long_table_are_refused(tmp_path):
    """Past the rows pandera sees: the issue's 209,378-row payments table, NaN and inf at its end."""
    n = 209_378
    assert n > PANDERA_GATE_ROWS
    tables = tiny_tables()
    one = tables["payments"].iloc[[0]]
    pay = one.loc[one.index.repeat(n)].reset_index(drop=True)
    pay["payment_id"] = [f"U{i}" for i in range(n)]
    tables["payments"] = pay
    write_world(tmp_path, **tables)
    t = pq.read_table(tmp_path / "payments.parquet")
    amount = t["amount_sek"].to_numpy()
    amount[[n - 1, n - 2]] = [np.nan, np.inf]  # a real NaN, not the null pandas would make of it
    extent = t["extent"].to_numpy()
    extent[n - 3] = -np.inf
    for name, values in (("amount_sek", amount), ("extent", extent)):
        t = t.set_column(t.schema.get_field_index(name), name, pa.array(values, pa.float64()))
    pq.write_table(t, tmp_path / "payments.parquet")
    found = _problems(tmp_path)
    amount = found[("payments", "amount_sek", "not a finite number")]
    assert amount.n_rows == 2
    assert {e["payment_id"] for e in amount.examples} == {f"U{n - 1}", f"U{n - 2}"}
    assert found[("payments", "extent", "not a finite number")].n_rows == 1
    assert ("payments", "extent", "value below 0") not in found  # one rule per broken value


def test_negative_values_are_refused_where_the_contract_says_non_negative(tmp_path):
    tables = tiny_tables()
    tables["sgi_decisions"].loc[0, "annual_sgi_sek"] = -1.0
    tables["payments"].loc[0, "amount_sek"] = -500.0  # a reversal: allowed
    found = _problems(write_world(tmp_path, **tables))
    assert set(found) == {("sgi_decisions", "annual_sgi_sek", "value below 0")}


def test_dates_after_the_datas_last_day_are_refused(tmp_path):
    tables = tiny_tables()
    tables["payments"].loc[1, "period_end"] = date(2099, 12, 31)  # not a known-from date
    tables["payments"].loc[2, "paid_date"] = date(2099, 12, 31)  # known-from: after today
    found = _problems(write_world(tmp_path, **tables), today=date(2026, 1, 1))
    late = found[("payments", "period_end", "date after the data's last day")]
    assert late.examples[0]["payment_id"] == "U2" and "2024-04-20" in late.rule
    future = found[("payments", "paid_date", "date after today")]
    assert future.examples[0]["payment_id"] == "U3"


def test_dates_within_the_slack_after_the_last_day_pass(tmp_path):
    tables = tiny_tables()
    tables["payments"].loc[1, "period_end"] = date(2024, 5, 15)  # 25 days after 2024-04-20
    assert validate_data(write_world(tmp_path, **tables), today=date(2026, 1, 1)).ok


DAMAGES = {
    "zero bytes": lambda b: b"",
    "cut off": lambda b: b[: len(b) // 2],
    "not parquet": lambda b: b"person_id,sex\nP1,F\n",
    "corrupted pages": lambda b: b[:4] + bytes(x ^ 0x5A for x in b[4:-200]) + b[-200:],
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_an_unreadable_parquet_file_is_exit_3_naming_the_file(tmp_path, capsys, damage):
    write_world(tmp_path, **tiny_tables())
    f = tmp_path / "payments.parquet"
    f.write_bytes(DAMAGES[damage](f.read_bytes()))
    assert main(["validate", "--data", str(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert "payments.parquet" in err and "Traceback" not in err


def test_a_damaged_duckdb_file_is_exit_3_naming_it(tmp_path, capsys):
    db = tmp_path / "world.duckdb"
    db.write_bytes(b"not a database at all" * 100)
    assert main(["validate", "--data", str(db)]) == 3
    assert "world.duckdb" in capsys.readouterr().err
