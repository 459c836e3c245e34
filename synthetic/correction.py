"""Corrections: a control that confirms an error stops the case's payments, as the agency does.

From the correction day (the confirming control's closed date) the case is closed: payment
periods after it are not paid, a period spanning it is cut at it (amount and hours pro rata by
calendar days), activity reports for later months and assistants' time reports (the billing) for
later days are not filed, the employer no longer withholds pay for benefit days after it, and
the assistants of a corrected assistance case are no longer paid for its later days. The truth's
wrong amount is measured again on what was paid.

Everything here transforms finished frames (no random draws), so every other row of the world
stays as it was.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from synthetic import assistance, income
from synthetic.agency_rules import rule_flags
from synthetic.build import World, cases_for_pay, income_parts
from synthetic.controls import candidates, finish, rule_supported, settle
from synthetic.errors import wrong_parts
from synthetic.timeaxis import NA_DAY

# rounds of "corrections remove a rule flag, so its control goes" (one or two in practice)
MAX_SUPPORT_ROUNDS = 10


def _day_of(corrected: pd.Series, case: pd.Series | np.ndarray) -> np.ndarray:
    """Correction day per row (inf where the case was never corrected)."""
    return corrected.reindex(np.asarray(case)).to_numpy(dtype="float64", na_value=np.inf)


def cut_payments(payments: pd.DataFrame, corrected: pd.Series) -> pd.DataFrame:
    """Payments as paid once each corrected case stopped: later periods gone, a spanning one cut."""
    c = _day_of(corrected, payments["case"])
    ps = payments["ps"].to_numpy()
    pe = payments["pe"].to_numpy()
    span = (ps <= c) & (pe > c)
    keep_days = np.where(span, c - ps + 1, 1.0)
    frac = np.where(span, keep_days / (pe - ps + 1), 1.0)
    amount = np.where(span, np.round(payments["amount"].to_numpy() * frac), payments["amount"])
    hours = payments["hours"].to_numpy(dtype="float64")
    hours = np.where(span, np.round(hours * frac * 4) / 4, hours)
    out = payments.assign(
        pe=np.where(span, c, pe).astype("int64"),
        amount=amount,
        hours=hours,
    )
    return out[(ps <= c) & ~(span & (amount == 0))].reset_index(drop=True)


def _remeasure(
    cases: pd.DataFrame, before: pd.DataFrame, after: pd.DataFrame, corrected: pd.Series
) -> np.ndarray:
    """Wrong amount of each case after the corrections (unchanged for cases never corrected).

    Computed modes are measured again on the cut payments; a fixed amount shrinks with the share
    of the case's payments that remained. A corrected error keeps at least 1 SEK: its control
    found wrong money paid before it started.
    """
    wrong = cases["wrong"].to_numpy(dtype="float64").copy()
    hit = cases["err"].to_numpy(dtype=bool) & cases["case"].isin(corrected.index).to_numpy()
    if not hit.any():
        return wrong
    err = cases[hit]
    ids = err["case"].to_numpy()
    parts = wrong_parts(after, err)
    measured = (
        pd.Series(np.nan_to_num(parts["part"].to_numpy()))
        .groupby(parts["case"].to_numpy())
        .sum()
        .reindex(ids)
        .fillna(0.0)
        .to_numpy()
    )
    paid = before[before["case"].isin(ids)].groupby("case")["amount"].sum().reindex(ids)
    kept = after[after["case"].isin(ids)].groupby("case")["amount"].sum().reindex(ids)
    share = np.clip(kept.fillna(0.0).to_numpy() / np.maximum(paid.fillna(0.0).to_numpy(), 1), 0, 1)
    fixed = err["wrong_mode"].to_numpy() == "fixed"
    val = np.where(fixed, err["wrong"].to_numpy(dtype="float64") * share, measured)
    wrong[hit] = np.maximum(np.round(val), 1.0)
    return wrong


def correct_world(
    world: World, cases: pd.DataFrame, corrected: pd.Series
) -> tuple[World, pd.DataFrame]:
    """The world once every corrected case stopped paying; `cases` gains `corrected` (day or
    NA_DAY) and its closed date, last paid day and wrong amount follow the correction."""
    c = _day_of(corrected, cases["case"])
    hit = np.isfinite(c)
    closed = cases["closed"].to_numpy()
    open_end = np.where(closed == NA_DAY, np.inf, closed)
    truth = cases.assign(
        corrected=np.where(hit, c, NA_DAY).astype("int64"),
        closed=np.where(hit & (c < open_end), c, closed).astype("int64"),
        pe=np.minimum(cases["pe"].to_numpy(), c).astype("int64"),
    )
    if not hit.any():
        return world, truth
    st = world.state
    pay = cut_payments(world.payments, corrected)
    truth["wrong"] = _remeasure(truth, world.payments, pay, corrected)
    act = world.activity
    act = act[act["month"].to_numpy() <= _day_of(corrected, act["case"])]
    rep = world.time_reports
    rep = rep[rep["day"].to_numpy() <= _day_of(corrected, rep["case"])]
    # income: withholding follows the benefit days that remain, assistants' wages the care days
    all_cases = st.cases.assign(
        pe=np.minimum(st.cases["pe"].to_numpy(), _day_of(corrected, st.cases["case"]))
    )
    lost = income.lost_pay_share(cases_for_pay(all_cases), st.spells, st.start, st.end)
    days = st.ass_days[st.ass_days["day"].to_numpy() <= _day_of(corrected, st.ass_days["case"])]
    assist = assistance.assistant_pay(days).set_index(["pid", "eid", "m"])["pay"]
    parts = income_parts(st)
    wages = parts["assist"].to_numpy().copy()
    paid = np.flatnonzero(wages > 0)  # the assistants' rows: a few of the world's
    key = pd.MultiIndex.from_arrays([parts[k].to_numpy()[paid] for k in ("pid", "eid", "m")])
    wages[paid] = assist.reindex(key).fillna(0.0).to_numpy()
    pay_now = income.gross_pay(parts, lost, wages)
    inc = income.income_reports(parts, pay_now, st.end, st.scenario, st.seed)
    return (
        replace(
            world,
            payments=pay,
            income=inc,
            time_reports=rep.reset_index(drop=True),
            activity=act.reset_index(drop=True),
        ),
        truth,
    )


def control_history(
    world: World, cases: pd.DataFrame, flags: pd.DataFrame
) -> tuple[World, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The controls that happened and the world they corrected.

    Returns (corrected world, cases with the truth after corrections, controls, the agency rules'
    flags on the corrected world). A correction can remove the flag behind another case's rule
    control (an assistant's other client, say); such controls are dropped and the history settled
    again until every rule control still has its flag.
    """
    st = world.state
    cand = candidates(cases, st.persons, flags, st.start, st.end, st.scenario, st.seed)
    support = None
    for _ in range(MAX_SUPPORT_ROUNDS):
        controls, corrected = settle(cand, cases, st.end, st.scenario, support)
        # the last round's corrected world goes before the next is built (memory at 1M)
        fixed = truth = now = None
        fixed, truth = correct_world(world, cases, corrected)
        now = rule_flags(
            truth, fixed.sgi, fixed.income, fixed.activity, fixed.time_reports, fixed.payments
        )
        if rule_supported(controls, now).all():
            break
        support = now
    return fixed, truth, finish(controls, truth), now
