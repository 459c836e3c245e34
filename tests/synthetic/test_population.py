"""The population: industries segregated by sex, their sick leave, and realistic families."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from synthetic.population import build_population
from synthetic.scenario import load_scenario
from synthetic.timeaxis import day


@pytest.fixture(scope="module")
def pop():
    sc = load_scenario()
    return build_population(20_000, day(date(2020, 1, 1)), day(date(2022, 12, 31)), sc, seed=3)


def _women_share(persons, industries) -> float:
    emp = persons[persons["industry"].isin(industries)]
    assert len(emp) >= 100
    return float((emp["sex"] == "F").mean())


def test_care_and_education_are_mostly_women_construction_and_transport_mostly_men(pop):
    p = pop.persons
    assert _women_share(p, ["87"]) > 0.7
    assert _women_share(p, ["86", "87", "88"]) > 0.7
    assert _women_share(p, ["85"]) > 0.6
    assert _women_share(p, ["41", "42", "43"]) < 0.2
    assert _women_share(p, ["49"]) < 0.3
    # overall, employment is not segregated by sex
    assert abs(_women_share(p, list(load_scenario().population.industry_female_share)) - 0.5) < 0.05


def test_a_persons_industry_is_their_employers(pop):
    p = pop.persons[pop.persons["eid"] >= 0]
    emp = pop.employers.set_index("eid")
    assert (emp["industry"].reindex(p["eid"]).to_numpy() == p["industry"].to_numpy()).all()
    assert set(pop.jobs["eid"]) <= set(emp.index[emp["kind"] == "normal"])
    assert (pop.persons.loc[pop.persons["eid"] < 0, "industry"].isna()).all()


def test_care_sectors_have_more_sick_leave(pop):
    p = pop.persons
    factor = load_scenario().benefits.sick_industry_factor
    care = p["industry"] == "87"
    assert (p.loc[care, "sick_factor"] == factor["87"]).all() and factor["87"] > 1
    assert (p.loc[p["industry"] == "43", "sick_factor"] == 1.0).all()
    assert (p.loc[p["industry"].isna(), "sick_factor"] == 1.0).all()


def test_families_have_about_two_children_and_most_children_two_parents(pop):
    c = pop.children[pop.children["child"] < 90_000_000]
    per_parent = c.groupby("parent").size()
    assert 1.5 < per_parent.mean() < 2.5
    assert (c.groupby("child").size() == 2).mean() > 0.8
    assert np.quantile(per_parent, 0.99) <= 7
