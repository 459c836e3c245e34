"""By default sex and birth region carry no information about true error within a benefit."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest


def _z(a: pd.Series, b: pd.Series) -> float:
    """Two-proportion z statistic of the error rates of two groups."""
    p = pd.concat([a, b]).mean()
    se = np.sqrt(p * (1 - p) * (1 / len(a) + 1 / len(b)))
    return float((a.mean() - b.mean()) / se) if se > 0 else 0.0


@pytest.fixture(scope="module")
def labelled(world):
    """One row per person and benefit, erroneous when any of the person's cases is: some
    mechanisms put many erroneous cases on one person (repeated KAR claims), so cases are not
    independent draws and a few persons would swing a z statistic over cases."""
    c = world["cases"].merge(world.truth, on="case_id")
    c = c.groupby(["person_id", "benefit"], as_index=False)["is_erroneous"].any()
    return c.merge(world["persons"][["person_id", "sex", "birth_region"]], on="person_id")


@pytest.mark.parametrize("benefit", ["SJP", "TFP", "FP", "KAR"])
def test_error_independent_of_sex_within_benefit(labelled, benefit):
    c = labelled[labelled["benefit"] == benefit]
    z = _z(c.loc[c["sex"] == "F", "is_erroneous"], c.loc[c["sex"] == "M", "is_erroneous"])
    assert abs(z) < 3.5, (benefit, z)


@pytest.mark.parametrize("benefit", ["SJP", "TFP", "FP", "KAR"])
def test_error_independent_of_birth_region_within_benefit(labelled, benefit):
    c = labelled[labelled["benefit"] == benefit]
    native = c["birth_region"] == "SE"
    z = _z(c.loc[native, "is_erroneous"], c.loc[~native, "is_erroneous"])
    assert abs(z) < 3.5, (benefit, z)


def test_sex_and_region_drawn_as_configured(world):
    p = world["persons"]
    sc = world.scenario.population
    assert abs((p["sex"] == "F").mean() - sc.share_female) < 0.02
    assert abs((p["birth_region"] == "SE").mean() - sc.birth_region["SE"]) < 0.02
    assert p["birth_region"].isna().any()  # missing values in the register extract


def test_a_biased_scenario_makes_error_depend_on_sex(tmp_path):
    """The bias knob works: with female_error_factor = 4 women's cases err more often."""
    from datetime import date

    import pyarrow.parquet as pq

    from felrisk.paths import config_dir
    from synthetic.world import generate

    text = (config_dir() / "scenario.toml").read_text()
    biased = tmp_path / "biased.toml"
    biased.write_text(re.sub(r"(?m)^female_error_factor = .*$", "female_error_factor = 4.0", text))
    out = tmp_path / "w"
    generate(
        persons=6000,
        start=date(2024, 1, 1),
        end=date(2025, 12, 31),
        seed=2,
        out=out,
        scenario_path=biased,
    )
    c = pq.read_table(out / "cases.parquet").to_pandas()
    t = pq.read_table(out / "truth" / "case_truth.parquet").to_pandas()
    p = pq.read_table(out / "persons.parquet").to_pandas()
    c = c.merge(t, on="case_id").merge(p, on="person_id")
    sjp = c[c["benefit"] == "SJP"]
    assert (
        sjp.loc[sjp["sex"] == "F", "is_erroneous"].mean()
        > 1.5 * sjp.loc[sjp["sex"] == "M", "is_erroneous"].mean()
    )
