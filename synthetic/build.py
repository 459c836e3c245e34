"""Build the internal world step by step: population, benefit cases, errors, payments, reports.

Every step is vectorised over persons and cases; each draws from its own named random stream, so
the same seed gives the same world.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synthetic import activity, assistance, income, longterm, parental, payments, sickness
from synthetic.cleaning import (
    disjoint_spells,
    drop_collisions,
    no_tfp_in_sickpay_period,
    one_parent_per_child_day,
    respect_coverage,
)
from synthetic.errors import inject_errors, measure_wrong
from synthetic.falsealarms import add_false_alarms
from synthetic.population import build_population
from synthetic.scenario import Scenario
from synthetic.sgi import sgi_decisions
from synthetic.state import WorldState
from synthetic.streams import stream


@dataclass
class World:
    """The internal frames of a finished world (integer keys, day numbers)."""

    state: WorldState
    payments: pd.DataFrame
    income: pd.DataFrame
    sgi: pd.DataFrame
    time_reports: pd.DataFrame
    activity: pd.DataFrame


def build_cases(w_persons: pd.DataFrame, pop, start: int, end: int, sc: Scenario, seed: int):
    """Benefit cases of every kind, cleaned so that correct cases obey the coordination rules."""
    persons = w_persons
    pairs = parental.parent_pairs(pop.children, persons)
    spells = disjoint_spells(sickness.sickness_spells(persons, start, end, sc, seed))
    ass_cases, links = assistance.assistance_cases(persons, pop.employers, start, end, sc, seed)
    ass_cases = ass_cases.assign(_ci=np.arange(len(ass_cases)))
    frames = [
        sickness.sickness_cases(spells, persons, start, end, sc, seed),
        parental.fp_cases(pairs, persons, start, end, sc, seed),
        parental.tfp_cases(pairs, persons, start, end, sc, seed),
        activity.aks_cases(persons, start, end, sc, seed),
        longterm.longterm_cases(persons, start, end, sc, seed),
    ]
    cases = pd.concat(frames, ignore_index=True)
    cases = cases[(cases["pe"] >= start) & (cases["ps"] <= end)]
    # no SGI, no sickness benefit: an SJP case of a person without income is not granted
    cases = cases[~((cases["benefit"] == "SJP") & (cases["daily"] <= 0))]
    cases = cases.assign(ps=np.maximum(cases["ps"], start - 400), pe=np.minimum(cases["pe"], end))
    cases = respect_coverage(cases, persons)
    cases = drop_collisions(cases)
    cases = no_tfp_in_sickpay_period(cases, spells)
    cases = one_parent_per_child_day(cases)
    ass_cases = respect_coverage(ass_cases, persons)
    cases = pd.concat([cases, ass_cases], ignore_index=True)
    cases["case"] = np.arange(1, len(cases) + 1, dtype="int64")
    # the assistants' links point at the ASS cases that survived
    ci_to_case = cases.loc[cases["benefit"] == "ASS"].set_index("_ci")["case"]
    links = links.assign(case=ci_to_case.reindex(links["ci"]).to_numpy())
    links = links[links["case"].notna()].assign(case=lambda x: x["case"].astype("int64"))
    cases = cases.drop(columns="_ci")
    return pairs, spells, cases, links


def collective_topup(cases: pd.DataFrame, sc: Scenario, seed: int) -> None:
    """Legitimate pay on SJP days: a collective-agreement top-up, or paid work training."""
    rng = stream(seed, "topup")
    long_sjp = (cases["benefit"] == "SJP") & (cases["pe"] - cases["ps"] >= 30)
    long_sjp &= cases["emp_type"] == "employee"
    u = rng.random(len(cases))
    pick = long_sjp.to_numpy() & (u < sc.benefits.collective_topup_share)
    cases.loc[pick, "pay_not_lowered"] = -0.1  # marker: pay lowered by 90 % only, not an error
    # work training (arbetsträning) on full SJP: the employer pays for the hours trained
    b = sc.benefits
    full_long = long_sjp.to_numpy() & (cases["extent"] == 1.0).to_numpy()
    full_long &= (cases["pe"] - cases["ps"] >= 60).to_numpy()
    train = (
        full_long
        & (u >= b.collective_topup_share)
        & (u < b.collective_topup_share + b.work_training_share)
    )
    cases.loc[train, "pay_not_lowered"] = -rng.uniform(0.15, 0.35, int(train.sum()))


def build_world(n: int, start: int, end: int, sc: Scenario, seed: int) -> World:
    """Generate every internal frame of the world."""
    pop = build_population(n, start, end, sc, seed)
    persons = pop.persons
    pairs, spells, cases, links = build_cases(persons, pop, start, end, sc, seed)
    w = WorldState(
        start=start,
        end=end,
        seed=seed,
        scenario=sc,
        persons=persons,
        children=pop.children,
        pairs=pairs,
        employers=pop.employers,
        jobs=pop.jobs,
        spells=spells,
        cases=cases,
    )
    w.aks_months = activity.aks_months(w.cases, w.employers, sc, seed)
    w.ass_links = links
    w.ass_days = assistance.off_own_benefit_days(
        assistance.work_days(w.cases, links, seed), w.cases
    )
    collective_topup(w.cases, sc, seed)
    add_false_alarms(w)
    inject_errors(w)
    w.cases = w.cases.sort_values("case", kind="stable").reset_index(drop=True)

    reports = assistance.time_reports(w.ass_days, seed)
    rows = pd.concat(
        [
            payments.daily_payment_rows(w.cases, start, end, seed, sc.rules),
            _scaled(activity.aks_payment_rows(w.aks_months), w.cases),
            longterm.longterm_payment_rows(w.cases, seed),
            _scaled(
                assistance.assistance_payment_rows(w.ass_days, reports, seed, sc.rules), w.cases
            ),
        ],
        ignore_index=True,
    )
    rows = rows[(rows["ps"] >= start) & (rows["amount"] > 0)].reset_index(drop=True)
    pay = payments.finish_payments(rows, w.cases, end, sc, seed)
    measure_wrong(w, pay)

    lost = income.lost_pay_share(cases_for_pay(w.cases), w.spells, start, end)
    parts = income_parts(w)
    inc = income.income_reports(parts, income.gross_pay(parts, lost), end, sc, seed)
    del parts
    sgi = sgi_decisions(w.cases, w.persons, start, end, sc, seed)
    act = activity.activity_reports(w.aks_months)
    act = act[act["submitted"] <= end].reset_index(drop=True)
    reports = reports[reports["submitted"] <= end].reset_index(drop=True)
    return World(w, pay, inc, sgi, reports, act)


def income_parts(w: WorldState) -> pd.DataFrame:
    """Pay per person, employer and month before withholding (the same rows on every call: the
    corrections derive their income from it again rather than keep it)."""
    months = income.job_months(w.jobs, w.start, w.end, w.scenario, w.seed)
    return income.income_parts(months, _extra_income(w), assistance.assistant_pay(w.ass_days))


def _scaled(rows: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """Apply a case's amount factor (an agency error in the rate) to its monthly payment rows."""
    f = cases.set_index("case")["amount_factor"].reindex(rows["case"]).to_numpy()
    return rows.assign(amount=np.round(rows["amount"].to_numpy() * f))


def cases_for_pay(cases: pd.DataFrame) -> pd.DataFrame:
    """Cases as the employer sees them: a top-up (negative marker) lowers pay by 90 % only."""
    pnl = cases["pay_not_lowered"].to_numpy()
    return cases.assign(pay_not_lowered=np.where(pnl < 0, -pnl, pnl))


def _extra_income(w: WorldState) -> pd.DataFrame:
    """Pay outside the regular jobs (assistants' wages aside): declared AKS work, undeclared work."""
    m = w.aks_months
    declared = m[m["work_eid"] >= 0]
    frames = [
        pd.DataFrame(
            {
                "pid": declared["pid"].to_numpy(),
                "eid": declared["work_eid"].to_numpy(),
                "m": declared["month"].to_numpy(),
                "pay": declared["work_pay"].to_numpy(),
            }
        ),
        *w.extra_income,
    ]
    return pd.concat(frames, ignore_index=True)
