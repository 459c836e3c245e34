"""Rules in force on each day: hand-built answers for boundaries, gaps, overlaps and the caps."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from felrisk.benefit_rules import load_benefit_rules
from felrisk.errors import ConfigError

TOY = """
[[rule]]
name = "amount"
benefit = "KAR"
valid_from = 2020-03-11
valid_to = 2020-05-31
value = 700.0
source = "hand-built"

[[rule]]
name = "amount"
benefit = "KAR"
valid_from = 2020-06-01
valid_to = 2020-06-30
value = 804.0
source = "hand-built"

[[rule]]
name = "amount"
benefit = "KAR"
valid_from = 2020-08-01
value = 810.0
source = "hand-built, open"

[[rule]]
name = "prisbasbelopp"
valid_from = 2020-01-01
valid_to = 2020-12-31
value = 47300.0
source = "hand-built"
"""


def _days(*iso: str) -> np.ndarray:
    return np.array(iso, dtype="datetime64[D]")


@pytest.fixture
def toy(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(TOY, encoding="utf-8")
    return load_benefit_rules(path)


def test_boundaries_are_inclusive_and_gaps_are_nan(toy):
    days = _days(
        "2020-03-10", "2020-03-11", "2020-05-31", "2020-06-01", "2020-06-30", "2020-07-01",
        "2020-07-31", "2020-08-01", "2031-01-01",
    )  # fmt: skip
    got = toy.value("amount", days, "KAR")
    want = np.array([np.nan, 700, 700, 804, 804, np.nan, np.nan, 810, 810])
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(toy.in_force("amount", days, "KAR"), ~np.isnan(want))


def test_days_as_dates_day_numbers_or_a_scalar(toy):
    as_dates = toy.value("amount", [dt.date(2020, 3, 11), dt.date(2020, 3, 10)], "KAR")
    as_ints = toy.value("amount", np.array([18332, 18331]), "KAR")  # 2020-03-11, 2020-03-10
    np.testing.assert_array_equal(as_dates, [700, np.nan])
    np.testing.assert_array_equal(as_ints, [700, np.nan])
    np.testing.assert_array_equal(toy.value("amount", np.datetime64("2020-06-15"), "KAR"), [804])


def test_general_entry_serves_every_benefit_and_unknown_names_fail(toy):
    np.testing.assert_array_equal(toy.value("prisbasbelopp", _days("2020-05-05"), "SJP"), [47300])
    with pytest.raises(KeyError, match="amount"):
        toy.value("amonut", _days("2020-05-05"), "KAR")
    with pytest.raises(KeyError, match="no entry for 'FP'"):
        toy.value("amount", _days("2020-05-05"), "FP")


def test_overlapping_periods_are_rejected_naming_both(tmp_path):
    overlap = TOY.replace("valid_from = 2020-06-01", "valid_from = 2020-05-31")
    path = tmp_path / "rules.toml"
    path.write_text(overlap, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'amount' \(KAR\).*2020-03-11..2020-05-31.*overlap"):
        load_benefit_rules(path)


def test_an_open_period_followed_by_another_overlaps(tmp_path):
    extra = TOY + (
        '[[rule]]\nname = "amount"\nbenefit = "KAR"\nvalid_from = 2021-01-01\n'
        'value = 900.0\nsource = "hand-built, after an open period"\n'
    )
    path = tmp_path / "rules.toml"
    path.write_text(extra, encoding="utf-8")
    with pytest.raises(ConfigError, match="2020-08-01..open"):
        load_benefit_rules(path)


def test_valid_to_before_valid_from_and_a_missing_source_fail(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(TOY.replace("valid_to = 2020-06-30", "valid_to = 2020-05-01"), "utf-8")
    with pytest.raises(ConfigError, match="before valid_from"):
        load_benefit_rules(path)
    path.write_text(TOY.replace('source = "hand-built, open"', ""), "utf-8")
    with pytest.raises(ConfigError, match="source"):
        load_benefit_rules(path)


def test_table_has_one_row_per_entry_with_open_ends_as_nat(toy):
    t = toy.table()
    assert list(t.columns) == ["name", "benefit", "valid_from", "valid_to", "value"]
    assert len(t) == 4
    open_row = t[t["value"] == 810.0].iloc[0]
    assert open_row["valid_from"] == np.datetime64("2020-08-01")
    assert pd.isna(open_row["valid_to"])
    assert t.loc[t["name"] == "prisbasbelopp", "benefit"].iloc[0] is None


def test_shipped_rules_price_base_amounts_and_caps():
    r = load_benefit_rules()
    years = _days(*(f"{y}-07-01" for y in range(2017, 2027)))
    np.testing.assert_array_equal(
        r.value("prisbasbelopp", years),
        [44800, 45500, 46500, 47300, 47600, 48300, 52500, 57300, 58800, 59200],
    )
    d = _days("2020-12-31", "2021-01-01")
    np.testing.assert_array_equal(r.max_sgi("SJP", d), [8 * 47300, 8 * 47600])
    np.testing.assert_array_equal(r.max_sgi("FP", d), [473000, 476000])
    # FP 2020: 0.776 x 473,000 / 365 = 1,005.6 -> 1,006 SEK (FK's published maximum for 2020)
    np.testing.assert_array_equal(r.daily_amount_cap("FP", d), [1006, 1012])
    np.testing.assert_array_equal(r.daily_amount_cap("SJP", d), [804, 810])
    assert np.isnan(r.max_sgi("SJP", _days("2027-01-01"))[0])  # no price base amount yet


def test_shipped_kar_exists_only_in_its_two_periods():
    r = load_benefit_rules()
    d = _days(
        "2020-03-10", "2020-03-11", "2020-05-31", "2020-06-01", "2021-01-01", "2021-09-30",
        "2021-10-01", "2021-12-07", "2021-12-08", "2022-03-31", "2022-04-01", "2024-01-01",
    )  # fmt: skip
    want = np.array([np.nan, 700, 700, 804, 810, 810, np.nan, np.nan, 810, 810, np.nan, np.nan])
    np.testing.assert_array_equal(r.daily_amount_cap("KAR", d), want)
    np.testing.assert_array_equal(r.exists("KAR", d), ~np.isnan(want))
    np.testing.assert_array_equal(r.in_force("kar_claims_per_12_months", d, "KAR"), ~np.isnan(want))
    assert r.exists("SJP", d).all()


def test_shipped_double_days_and_aks_coordination_change_on_their_dates():
    r = load_benefit_rules()
    d = _days("2024-06-30", "2024-07-01")
    np.testing.assert_array_equal(r.value("double_days_max", d, "FP"), [30, 60])
    np.testing.assert_array_equal(r.value("double_days_child_age_months", d, "FP"), [12, 15])
    np.testing.assert_array_equal(
        r.in_force("aks_not_beside_sjp_se_ae", _days("2020-06-30", "2020-07-01"), "AKS"),
        [False, True],
    )


def test_every_shipped_entry_names_its_source():
    r = load_benefit_rules()
    assert all(e.source.strip() for e in r.rule)
    assert [e.value for e in r.entries("kar_flat_amount", "KAR")] == [700, 804, 810, 810]
