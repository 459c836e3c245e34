"""The generated world follows the data contract: every table, column and type; validation passes."""

from __future__ import annotations

import re
from datetime import date

import pyarrow.parquet as pq
import pytest

from felrisk.contract import TABLES, TRUTH_TABLES
from felrisk.errors import ConfigError
from felrisk.validate import validate_data
from synthetic.world import generate
from tests.synthetic.conftest import END


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_contract_table_has_its_columns_and_types(world, name):
    schema = pq.read_schema(world.path / f"{name}.parquet")
    expected = TABLES[name].arrow_schema()
    assert schema.names == expected.names
    for field in expected:
        assert schema.field(field.name).type == field.type, field.name
    assert len(world[name]) > 0


def test_truth_covers_every_case_once(world):
    schema = pq.read_schema(world.path / "truth" / "case_truth.parquet")
    assert schema.names == TRUTH_TABLES["case_truth"].arrow_schema().names
    assert set(world.truth["case_id"]) == set(world["cases"]["case_id"])
    assert world.truth["case_id"].is_unique
    err = world.truth["is_erroneous"]
    assert world.truth.loc[err, "mechanism"].notna().all()
    assert world.truth.loc[~err, "mechanism"].isna().all()
    assert (world.truth.loc[err, "wrong_amount_sek"] > 0).all()
    assert (world.truth.loc[~err, "wrong_amount_sek"] == 0).all()
    assert not world.truth.loc[~err, "intentional"].any()


def test_validation_passes(world):
    report = validate_data(world.path)
    assert report.ok, report.summary()


def test_every_benefit_occurs(world):
    assert set(world["cases"]["benefit"]) == set(TABLES["cases"].column("benefit").codes)


def test_nothing_known_after_the_last_day(world):
    """A world ends on its last day: no row is known later, open controls have no outcome."""
    for name, col in (
        ("payments", "paid_date"),
        ("income_reports", "reported_date"),
        ("sgi_decisions", "decision_date"),
        ("work_time_reports", "submitted_date"),
        ("activity_reports", "submitted_date"),
        ("cases", "opened_date"),
        ("controls", "closed_date"),
    ):
        assert world[name][col].max().date() <= END, name


def test_too_few_persons_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="persons"):
        generate(persons=5, start=date(2024, 1, 1), end=date(2025, 12, 31), seed=1, out=tmp_path)


def test_too_short_a_world_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="at least 365 days"):
        generate(persons=100, start=date(2024, 1, 1), end=date(2024, 3, 1), seed=1, out=tmp_path)
    assert not (tmp_path / "cases.parquet").exists()


def test_a_bad_scenario_names_the_field(tmp_path):
    from felrisk.paths import config_dir

    text = re.sub(
        r"(?m)^recall = .*$", "recall = 1.7", (config_dir() / "scenario.toml").read_text()
    )
    bad = tmp_path / "scenario.toml"
    bad.write_text(text)
    with pytest.raises(ConfigError, match="controls.recall"):
        generate(
            persons=100,
            start=date(2024, 1, 1),
            end=date(2025, 12, 31),
            seed=1,
            out=tmp_path / "w",
            scenario_path=bad,
        )


def test_a_tiny_world_still_writes_every_table(tmp_path):
    """Ten persons: some tables are empty, but present with the contract's schema."""
    generate(persons=10, start=date(2024, 1, 1), end=date(2024, 12, 31), seed=1, out=tmp_path)
    for name, spec in TABLES.items():
        assert pq.read_schema(tmp_path / f"{name}.parquet").names == list(spec.column_names)
