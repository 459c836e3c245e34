"""Clean data is validated in two queries and pyarrow's read of each table's first rows, with the
report the rule-by-rule check gives; anything else is left to that check."""

from __future__ import annotations

from datetime import date

import pyarrow.parquet as pq
import pytest

from felrisk import validate as validate_module
from felrisk.contract import TABLES, load_contract_config
from felrisk.datadir import open_data
from felrisk.row_rules import forms_implied_by_references, orphan_count
from tests.world.tiny import tiny_tables
from tests.world.write import write_world

TODAY = date(2026, 1, 1)


def test_clean_data_gets_the_rule_by_rule_report_from_the_one_pass(tmp_path):
    write_world(tmp_path, **tiny_tables())
    config = load_contract_config()
    clean = validate_module._clean_report(tmp_path, config, TODAY)
    by_rule = validate_module._check(tmp_path, config, TODAY, forms_implied_by_references())
    assert clean is not None and by_rule.ok
    assert clean.row_counts == by_rule.row_counts
    assert list(clean.row_counts) == list(TABLES)


def test_a_broken_rule_leaves_the_report_to_the_rule_by_rule_check(tmp_path):
    tables = tiny_tables()
    tables["controls"].loc[1, "person_id"] = "P9"  # refers to no person
    write_world(tmp_path, **tables)
    assert validate_module._clean_report(tmp_path, load_contract_config(), TODAY) is None


def test_orphans_are_counted_over_every_column_that_refers_to_a_target(tmp_path):
    tables = tiny_tables()
    tables["payments"].loc[[0, 2], "person_id"] = "P9"
    tables["work_time_reports"].loc[0, "provider_id"] = "E9"
    tables["controls"].loc[0, "case_id"] = None  # a null refers to nothing: not an orphan
    data = open_data(write_world(tmp_path, **tables))
    assert orphan_count(data.tables).execute() == 3


@pytest.mark.parametrize("n", [1, 3, 5])
def test_the_gate_reads_the_files_first_rows_across_row_groups(tmp_path, monkeypatch, n):
    """pyarrow's read of a Parquet folder gives the rows DuckDB's LIMIT gave, in file order."""
    tables = tiny_tables()
    pay = tables["payments"]
    tables["payments"] = pay.loc[pay.index.repeat(2)].reset_index(drop=True)
    tables["payments"]["payment_id"] = [f"U{i}" for i in range(6)]
    write_world(tmp_path, **tables)
    path = tmp_path / "payments.parquet"
    pq.write_table(pq.read_table(path), path, row_group_size=2)
    monkeypatch.setattr(validate_module, "PANDERA_GATE_ROWS", n)
    data = open_data(tmp_path)
    spec = TABLES["payments"]
    head = validate_module._first_rows(spec, data)
    by_duckdb = data["payments"].select(*spec.column_names).limit(n).to_pyarrow()
    assert head.to_pylist() == by_duckdb.to_pylist()


def test_a_key_repeated_in_file_order_leaves_the_fast_path(tmp_path):
    """Keys in order prove uniqueness; a repeat breaks the order, and the count finds it."""
    tables = tiny_tables()
    tables["payments"].loc[1, "payment_id"] = "U1"  # U1, U1, U3: in order but for the repeat
    write_world(tmp_path, **tables)
    config = load_contract_config()
    assert validate_module._clean_report(tmp_path, config, TODAY) is None
    report = validate_module.validate_data(tmp_path, raise_on_error=False, today=TODAY)
    [problem] = report.problems
    assert (problem.table, problem.column, problem.rule) == (
        "payments",
        "payment_id",
        "duplicated id",
    )
    assert problem.n_rows == 2


def test_clean_data_with_keys_out_of_order_passes_by_the_count(tmp_path):
    tables = tiny_tables()
    tables["payments"] = tables["payments"].iloc[::-1].reset_index(drop=True)
    write_world(tmp_path, **tables)
    data = open_data(tmp_path)
    assert "payments" not in validate_module._keys_in_order(data)
    assert "cases" in validate_module._keys_in_order(data)
    assert validate_module._clean_report(tmp_path, load_contract_config(), TODAY) is not None


def test_a_gate_failure_read_beside_the_queries_leaves_the_fast_path(tmp_path, monkeypatch):
    """The gate reads a Parquet folder in a thread of its own; what it finds still counts."""
    import pandas as pd
    import pandera.pandas as pa_pd
    import pyarrow as pa

    shipped = validate_module.contract_schema

    def strict_schema(name):
        if name != "payments":
            return shipped(name)
        amount = pa_pd.Column(pd.ArrowDtype(pa.float64()), pa_pd.Check.less_than(0.0))
        return pa_pd.DataFrameSchema({"amount_sek": amount})

    write_world(tmp_path, **tiny_tables())
    config = load_contract_config()
    assert validate_module._clean_report(tmp_path, config, TODAY) is not None
    monkeypatch.setattr(validate_module, "contract_schema", strict_schema)
    assert validate_module._clean_report(tmp_path, config, TODAY) is None


def test_a_duckdb_file_gets_its_clean_report_with_the_gate_after_the_queries(tmp_path):
    import duckdb

    write_world(tmp_path / "pq", **tiny_tables())
    db = tmp_path / "world.duckdb"
    con = duckdb.connect(str(db))
    for name in TABLES:
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM '{tmp_path / 'pq' / name}.parquet'")
    con.close()
    clean = validate_module._clean_report(db, load_contract_config(), TODAY)
    assert clean is not None and clean.row_counts["payments"] == 3


def test_an_empty_table_passes_the_fast_path_unseen_by_the_gate(tmp_path):
    tables = tiny_tables()
    tables["controls"] = tables["controls"].iloc[0:0]
    write_world(tmp_path, **tables)
    clean = validate_module._clean_report(tmp_path, load_contract_config(), TODAY)
    assert clean is not None and clean.row_counts["controls"] == 0
