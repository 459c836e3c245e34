"""Sickness spells, and the SJP and KAR cases they give rise to."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.casebook import daily_amount, growth, new_cases
from synthetic.scenario import Scenario
from synthetic.streams import stream
from synthetic.timeaxis import NA_DAY, years_between

HISTORY_DAYS = 200  # spells may start this long before the world, so long cases run into it

# duration classes of a sickness spell: many short, a long tail
_DUR_P = np.array([0.45, 0.25, 0.12, 0.10, 0.05, 0.03])
_DUR_LO = np.array([1, 4, 8, 15, 61, 181])
_DUR_HI = np.array([3, 7, 14, 60, 180, 540])


def seasonal_days(
    rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray, winter: float
) -> np.ndarray:
    """Days uniform in [lo, hi] thinned towards winter (December-March `winter` times likelier)."""
    lo = np.asarray(lo, dtype="int64")
    hi = np.asarray(hi, dtype="int64")
    out = lo + (rng.random(len(lo)) * (hi - lo + 1)).astype("int64")
    todo = np.ones(len(lo), dtype=bool)
    for _ in range(6):
        cand = lo + (rng.random(len(lo)) * (hi - lo + 1)).astype("int64")
        doy = (
            cand.astype("datetime64[D]") - cand.astype("datetime64[D]").astype("datetime64[Y]")
        ).astype("int64")
        w = 1 + (winter - 1) * (0.5 + 0.5 * np.cos(2 * np.pi * (doy - 20) / 365.25))
        acc = todo & (rng.random(len(lo)) < w / winter)
        out[acc] = cand[acc]
        todo &= ~acc
    return out


def sickness_spells(
    persons: pd.DataFrame, start: int, end: int, sc: Scenario, seed: int
) -> pd.DataFrame:
    """Candidate sickness spells (pid, s, e, emp_type) of persons with work or AKS."""
    rng = stream(seed, "sickness")
    b = sc.benefits
    st = persons["status"].to_numpy()
    elig = np.flatnonzero(pd.notna(st))
    age = years_between(persons["birth"].to_numpy()[elig], np.full(len(elig), (start + end) // 2))
    elig = elig[(age >= 19) & (age <= 66)]
    years = (end - start + 1 + HISTORY_DAYS) / 365.25
    fem = np.where(persons["sex"].to_numpy()[elig] == "F", b.sick_female_factor, 1.0)
    frailty = rng.gamma(0.8, 1 / 0.8, len(elig))
    k = rng.poisson(b.sick_spells_per_year * fem * frailty * years)
    who = np.repeat(elig, k)
    s = seasonal_days(rng, np.full(len(who), start - HISTORY_DAYS), np.full(len(who), end), 1.6)
    cls = rng.choice(len(_DUR_P), len(who), p=_DUR_P)
    dur = _DUR_LO[cls] + (rng.random(len(who)) ** 1.5 * (_DUR_HI[cls] - _DUR_LO[cls] + 1)).astype(
        "int64"
    )
    return pd.DataFrame(
        {
            "pid": persons["pid"].to_numpy()[who],
            "s": s,
            "e": s + dur - 1,
            "emp_type": st[who],
        }
    )


def sickness_cases(
    spells: pd.DataFrame, persons: pd.DataFrame, start: int, end: int, sc: Scenario, seed: int
) -> pd.DataFrame:
    """SJP cases (employees paid from day 15, others from day 2) and KAR claims (day 1)."""
    rng = stream(seed, "sickness_cases")
    am = sc.amounts
    sgi_of = persons.set_index("pid")["sgi"]
    s, e = spells["s"].to_numpy(), spells["e"].to_numpy()
    et = spells["emp_type"].to_numpy()
    pid = spells["pid"].to_numpy()
    dur = e - s + 1
    emp = et == "employee"
    first_paid = np.where(emp, s + 14, s + 1)
    has_sjp = np.where(emp, dur >= 15, dur >= 8)
    n = int(has_sjp.sum())
    ext_choice = np.array([1.0, 0.75, 0.5, 0.25])[rng.choice(4, n, p=[0.7, 0.1, 0.12, 0.08])]
    extent = np.where(dur[has_sjp] > 30, ext_choice, 1.0)
    sg = sgi_of.reindex(pid[has_sjp]).to_numpy() * growth(s[has_sjp], start, am)
    opened = np.where(
        emp[has_sjp], s[has_sjp] + rng.integers(10, 26, n), s[has_sjp] + rng.integers(1, 15, n)
    )
    closed = e[has_sjp] + rng.integers(3, 41, n)
    sjp = new_cases(
        n,
        pid=pid[has_sjp],
        benefit="SJP",
        event=s[has_sjp],
        opened=opened,
        closed=np.where(closed > end, NA_DAY, closed),
        emp_type=et[has_sjp],
        ps=first_paid[has_sjp],
        pe=e[has_sjp],
        extent=extent,
        sgi=sg,
        daily=daily_amount("SJP", sg, np.minimum(first_paid[has_sjp], end), sc.rules),
    )
    # KAR only on days the benefit existed (a pandemic measure: benefit_rules.toml)
    has_kar = emp & (rng.random(len(s)) < sc.benefits.kar_claim_share)
    has_kar &= sc.rules.exists("KAR", s)
    m = int(has_kar.sum())
    ks = s[has_kar]
    ksgi = sgi_of.reindex(pid[has_kar]).to_numpy() * growth(ks, start, am)
    a_week = sc.rules.value("replacement_rate", ks, "SJP") * ksgi / 52
    kar_amount = np.minimum(daily_amount("KAR", ksgi, ks, sc.rules), np.round(a_week * 0.2))
    kopen = s[has_kar] + rng.integers(1, 21, m)
    kclosed = kopen + rng.integers(1, 15, m)
    kar = new_cases(
        m,
        pid=pid[has_kar],
        benefit="KAR",
        event=s[has_kar],
        opened=kopen,
        closed=np.where(kclosed > end, NA_DAY, kclosed),
        emp_type="employee",
        ps=s[has_kar],
        pe=s[has_kar],
        sgi=ksgi,
        daily=np.maximum(kar_amount, 100.0),
    )
    return pd.concat([sjp, kar], ignore_index=True)
