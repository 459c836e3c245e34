"""`felrisk validate`: passes on contract data, and fails naming table, column, rule and rows."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from felrisk.cli import main
from felrisk.errors import ContractError
from felrisk.validate import validate_data
from tests.world.tiny import tiny_tables
from tests.world.write import write_world

# a validation takes about a second: `make test-fast` keeps one case of each parametrized rule
SLOW = pytest.mark.slow


def test_valid_world_passes(tmp_path):
    report = validate_data(write_world(tmp_path, **tiny_tables()))
    assert report.ok
    assert report.row_counts["payments"] == 3


@pytest.mark.parametrize(
    "table",
    ["controls", *(pytest.param(t, marks=SLOW) for t in ("work_time_reports", "activity_reports"))],
)
def test_empty_table_is_valid(tmp_path, table):
    tables = tiny_tables()
    tables[table] = tables[table].iloc[0:0]
    report = validate_data(write_world(tmp_path, **tables))
    assert report.ok, report.summary()
    assert report.row_counts[table] == 0


def test_cli_exit_zero_on_valid_data(tmp_path, capsys):
    assert main(["validate", "--data", str(write_world(tmp_path, **tiny_tables()))]) == 0


def _broken(tmp_path, table: str, mutate) -> ContractError:
    tables = tiny_tables()
    tables[table] = mutate(tables[table].copy())
    write_world(tmp_path, **tables)
    with pytest.raises(ContractError) as info:
        validate_data(tmp_path)
    return info.value


def _one(err: ContractError, table: str, column: str, rule_part: str):
    hits = [
        p for p in err.problems if p.table == table and p.column == column and rule_part in p.rule
    ]
    assert hits, f"no problem {table}.{column} ~ {rule_part!r} in:\n{err}"
    return hits[0]


def test_missing_table(tmp_path):
    write_world(tmp_path, **tiny_tables())
    (tmp_path / "payments.parquet").unlink()
    with pytest.raises(ContractError) as info:
        validate_data(tmp_path)
    _one(info.value, "payments", "-", "table missing")


def test_missing_column(tmp_path):
    err = _broken(tmp_path, "cases", lambda df: df.drop(columns=["insured_event_date"]))
    _one(err, "cases", "insured_event_date", "column missing")


def test_wrong_type(tmp_path):
    tables = tiny_tables()
    write_world(tmp_path, **tables)
    # Another tool wrote amounts as strings and dates as timestamps.
    df = tables["payments"].copy()
    df["amount_sek"] = df["amount_sek"].astype(str)
    t = pa.Table.from_pandas(df, preserve_index=False)
    t = t.set_column(
        t.schema.get_field_index("paid_date"),
        "paid_date",
        pa.array(pd.to_datetime(df["paid_date"]), pa.timestamp("us")),
    )
    pq.write_table(t, tmp_path / "payments.parquet")
    with pytest.raises(ContractError) as info:
        validate_data(tmp_path)
    _one(info.value, "payments", "amount_sek", "wrong type")
    _one(info.value, "payments", "paid_date", "wrong type")


def test_unknown_benefit_code(tmp_path):
    def mutate(df):
        df.loc[1, "benefit"] = "VAB"
        return df

    problem = _one(_broken(tmp_path, "payments", mutate), "payments", "benefit", "unknown code")
    assert problem.n_rows == 1
    assert problem.examples[0]["payment_id"] == "U2"
    assert problem.examples[0]["benefit"] == "VAB"


def test_null_in_required_column(tmp_path):
    def mutate(df):
        df.loc[0, "person_id"] = None
        return df

    problem = _one(_broken(tmp_path, "cases", mutate), "cases", "person_id", "null")
    assert problem.examples[0]["case_id"] == "C1"


def test_duplicated_id(tmp_path):
    def mutate(df):
        df.loc[2, "payment_id"] = "U1"
        return df

    problem = _one(_broken(tmp_path, "payments", mutate), "payments", "payment_id", "duplicated")
    assert problem.n_rows == 2


def test_duplicated_composite_key_counts_every_row_that_shares_it(tmp_path):
    def mutate(df):
        return pd.concat([df, df.iloc[[0]]], ignore_index=True)

    err = _broken(tmp_path, "children", mutate)
    problem = _one(err, "children", "child_id+parent_id", "duplicated")
    assert problem.n_rows == 2
    assert len(problem.examples) == 2


def test_one_null_key_is_not_a_duplicate(tmp_path):
    def mutate(df):
        df.loc[0, "payment_id"] = None
        return df

    err = _broken(tmp_path, "payments", mutate)
    _one(err, "payments", "payment_id", "null")
    assert not [p for p in err.problems if "duplicated" in p.rule]


def test_shipped_pandera_schema_refuses_wrong_types_and_codes():
    """The gate's schema is not a formality: Arrow-typed columns, checked for type and code."""
    import pandera.errors

    from felrisk.contract import TABLES
    from felrisk.schemas import contract_schema, schema_frame

    frame = pa.Table.from_pandas(tiny_tables()["payments"], preserve_index=False)
    good = schema_frame(frame, TABLES["payments"])
    contract_schema("payments").validate(good, lazy=True)
    bad = good.assign(benefit=good["benefit"].where(good.index != 1, "VAB"))
    with pytest.raises(pandera.errors.SchemaErrors, match="benefit"):
        contract_schema("payments").validate(bad, lazy=True)
    with pytest.raises(pandera.errors.SchemaErrors, match="amount_sek"):
        contract_schema("payments").validate(good.assign(amount_sek="1"), lazy=True)


def test_dates_out_of_order(tmp_path):
    def mutate(df):
        df.loc[0, "period_end"] = date(2024, 2, 1)  # before period_start 2024-02-15
        return df

    problem = _one(_broken(tmp_path, "payments", mutate), "payments", "period_end", "before")
    assert problem.examples[0]["payment_id"] == "U1"


def test_value_out_of_range(tmp_path):
    def mutate(df):
        df.loc[0, "extent"] = 1.5
        return df

    _one(_broken(tmp_path, "payments", mutate), "payments", "extent", "above")


def test_broken_reference(tmp_path):
    def mutate(df):
        df.loc[0, "case_id"] = "C404"
        return df

    problem = _one(_broken(tmp_path, "payments", mutate), "payments", "case_id", "missing cases")
    assert problem.examples[0]["case_id"] == "C404"


def test_cli_bad_input_exit_code_and_message(tmp_path, capsys):
    tables = tiny_tables()
    tables["controls"].loc[0, "outcome"] = "maybe"
    write_world(tmp_path, **tables)
    rc = main(["validate", "--data", str(tmp_path)])
    assert rc == 3
    err = capsys.readouterr().err
    assert "controls.outcome" in err and "unknown code" in err and "K1" in err


def test_missing_directory_is_bad_input(tmp_path):
    assert main(["validate", "--data", str(tmp_path / "nowhere")]) == 3


@pytest.mark.slow  # a DuckDB file of the world, validated
def test_duckdb_file_form(tmp_path):
    import duckdb

    write_world(tmp_path / "pq", **tiny_tables())
    db = tmp_path / "world.duckdb"
    con = duckdb.connect(str(db))
    for name in tiny_tables():
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_parquet('{tmp_path / 'pq' / name}.parquet')"
        )
    con.close()
    assert validate_data(db).ok


def test_pandera_gate_reports_what_only_its_schema_says(tmp_path, monkeypatch):
    """The pandera schema is a second opinion on each table's first rows; its failures count."""
    import pandera.pandas as pa_pd

    from felrisk import validate as validate_module

    shipped = validate_module.contract_schema

    def strict_schema(name):
        if name != "payments":
            return shipped(name)
        return pa_pd.DataFrameSchema(
            {"amount_sek": pa_pd.Column(pd.ArrowDtype(pa.float64()), pa_pd.Check.less_than(0.0))}
        )

    monkeypatch.setattr(validate_module, "contract_schema", strict_schema)
    monkeypatch.setattr(validate_module, "PANDERA_GATE_ROWS", 2)
    with pytest.raises(ContractError) as info:
        validate_data(write_world(tmp_path, **tiny_tables()))
    problem = _one(info.value, "payments", "-", "pandera schema")
    assert "amount_sek" in problem.rule


@pytest.mark.parametrize(
    "bad_id",
    ['=HYPERLINK("http://x","C1")']
    + [pytest.param(b, marks=SLOW) for b in ("-P1", "@P1", "P 1", "P1;DROP")],
)
def test_an_id_outside_the_contract_form_is_refused_with_its_row(tmp_path, bad_id):
    def mutate(df):
        df.loc[1, "payment_id"] = bad_id
        return df

    problem = _one(_broken(tmp_path, "payments", mutate), "payments", "payment_id", "id not of")
    assert problem.n_rows == 1 and problem.examples[0]["payment_id"] == bad_id


def test_a_repeated_id_outside_the_form_counts_every_row_it_stands_in(tmp_path):
    """The form is checked on a column's distinct values; the problem still counts rows."""

    def mutate(df):
        df.loc[[0, 1], "person_id"] = "P 1"
        return df

    problem = _one(_broken(tmp_path, "payments", mutate), "payments", "person_id", "id not of")
    assert problem.n_rows == 2
    assert [r["person_id"] for r in problem.examples] == ["P 1", "P 1"]


def test_a_reference_column_of_another_form_is_reported_as_by_checking_every_form(tmp_path):
    """A referring column's form is left to its reference at first; on a problem the data is
    checked again with every form on its own: the report names what that check names."""
    from felrisk.contract import load_contract_config
    from felrisk.row_rules import forms_implied_by_references
    from felrisk.validate import _check

    def mutate(df):
        df.loc[0, "case_id"] = "C 1"  # a missing case and an id of another form
        return df

    assert "case_id" in forms_implied_by_references()["controls"]
    err = _broken(tmp_path, "controls", mutate)
    _one(err, "controls", "case_id", "id not of")
    every_form = _check(tmp_path, load_contract_config(), date.today(), {})
    assert err.problems == every_form.problems


def test_the_id_pattern_is_configurable(tmp_path):
    from felrisk.contract import load_contract_config

    write_world(tmp_path, **tiny_tables())
    strict = load_contract_config().model_copy(update={"id_pattern": "^Q"})
    with pytest.raises(ContractError) as info:
        validate_data(tmp_path, config=strict)
    assert {p.table for p in info.value.problems if "id not of" in p.rule} >= {"persons", "cases"}
    bad = tmp_path / "contract.toml"
    bad.write_text('id_pattern = "("\ndate_slack_days = 0\n')
    from felrisk.errors import ConfigError

    with pytest.raises(ConfigError, match="id_pattern"):
        load_contract_config(bad)


def test_references_to_missing_rows_are_counted_per_column_with_their_rows(tmp_path):
    def mutate(df):
        df.loc[[0, 2], "case_id"] = "C9"
        df.loc[1, "person_id"] = "P9"
        return df

    err = _broken(tmp_path, "payments", mutate)
    cases = _one(err, "payments", "case_id", "refers to a missing cases.case_id")
    assert cases.n_rows == 2
    assert [e["payment_id"] for e in cases.examples] == ["U1", "U3"]
    persons = _one(err, "payments", "person_id", "refers to a missing persons.person_id")
    assert persons.n_rows == 1 and persons.examples[0]["person_id"] == "P9"
    assert len(err.problems) == 2


def test_references_are_not_checked_against_a_broken_table(tmp_path):
    tables = tiny_tables()
    tables["payments"].loc[0, "case_id"] = "C9"
    tables["cases"].loc[0, "benefit"] = "VAB"  # cases is broken: nothing refers to it
    write_world(tmp_path, **tables)
    with pytest.raises(ContractError) as info:
        validate_data(tmp_path)
    assert {(p.table, p.column) for p in info.value.problems} == {("cases", "benefit")}
