"""Legitimate cases that a simplified rule flags as errors (the `[false_alarms]` scenario section).

The contract's coordination rules and the agency's simple rules are not 100 % right: the law
allows TFP for older children with a certificate or under LSS, FP until school year 5 ends, both
parents on TFP for a seriously ill child, an SGI kept while studying, and a former employer's
final pay in a new AKS case's first month. The data carry no certificate or reason, so each trap
is indistinguishable from the error it resembles; all of them are correct in truth.
docs/false_alarms.md gives each trap's source and share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.casebook import daily_amount
from synthetic.cleaning import EXTENT_BENEFITS
from synthetic.mechanisms_coordination import new_daily_cases
from synthetic.state import WorldState
from synthetic.streams import pick, stream
from synthetic.timeaxis import NA_DAY, add_years, month_first, month_index, years_between

WORKING = ("employee", "self_employed")


def add_traps(w: WorldState) -> None:
    """Add every trap of the scenario's `[false_alarms]` section to the world's correct cases."""
    fa = w.scenario.false_alarms
    tfp_older_child(w, 12, 16, fa.tfp_certificate_per_child_year_12_15, "certificate")
    tfp_older_child(w, 16, 21, fa.tfp_lss_per_child_year_16_20, "lss")
    fp_until_school_year_5(w)
    tfp_both_parents_seriously_ill(w)
    sgi_protected_while_studying(w)
    aks_final_pay(w)


def _floor(cnt: np.ndarray, rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions drawn (cnt > 0) plus spares for the floor of small worlds, and which are spares.

    Up to 5 k spares are added; `_trim` keeps only as many of them as the floor needs once the
    trap's own checks have dropped some of the drawn positions.
    """
    drawn = np.flatnonzero(cnt > 0)
    spare = pick(rng, np.flatnonzero(cnt == 0), 5 * k)
    pos = np.sort(np.concatenate([drawn, spare]))
    return pos, np.isin(pos, spare)


def _trim(keep: np.ndarray, spare: np.ndarray, k: int) -> np.ndarray:
    """`keep` with spares only as far as needed for k kept rows in all."""
    extra = keep & spare
    extra &= np.cumsum(extra) <= k - int((keep & ~spare).sum())
    return (keep & ~spare) | extra


def _free(w: WorldState, pid: np.ndarray, s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """True where the person is covered and has no daily case nor employer sick-pay day in [s, e].

    A trap breaks only the rule it is made for: its days do not collide with the person's other
    cases (rule 1), the sick-pay period (rule 3) or coverage (rule 6).
    """
    q = pd.DataFrame({"i": np.arange(len(pid)), "pid": pid, "s": s, "e": e})
    c, sp = w.cases, w.spells
    c = c[np.isin(c["pid"].to_numpy(), pid) & c["benefit"].isin(EXTENT_BENEFITS).to_numpy()]
    sp = sp[np.isin(sp["pid"].to_numpy(), pid) & (sp["emp_type"] == "employee").to_numpy()]
    busy = pd.concat(
        [
            c[["pid", "ps", "pe"]],
            pd.DataFrame({"pid": sp["pid"], "ps": sp["s"], "pe": sp["s"] + 13}),
        ]
    )
    m = q.merge(busy, on="pid")
    ok = np.ones(len(pid), dtype=bool)
    ok[m.loc[(m["ps"] <= m["e"]) & (m["s"] <= m["pe"]), "i"].to_numpy()] = False
    ins = w.persons.set_index("pid")["insured_from"].reindex(pid).to_numpy()
    return ok & ((ins == NA_DAY) | (s >= ins))


def _working(w: WorldState, pid: np.ndarray) -> np.ndarray:
    works = pd.Series(w.persons["status"].isin(WORKING).to_numpy(), index=w.persons["pid"])
    return works.reindex(pid).fillna(False).to_numpy(dtype=bool)


def _one_per(key: np.ndarray) -> np.ndarray:
    """Positions of the first row of each key."""
    _, first = np.unique(key, return_index=True)
    return np.sort(first)


def tfp_older_child(w: WorldState, lo_age: int, hi_age: int, rate: float, name: str) -> None:
    """TFP for a child aged lo_age..hi_age-1: short episodes of a working parent, one per child."""
    rng = stream(w.seed, f"trap:tfp_{name}")
    p = w.pairs
    cb = p["child_birth"].to_numpy()
    lo = np.maximum(w.start, add_years(cb, lo_age) + 1)
    hi = np.minimum(w.end - 30, add_years(cb, hi_age) - 8)
    w1, w2 = _working(w, p["p1"].to_numpy()), _working(w, p["p2"].to_numpy())
    ok = np.flatnonzero((hi > lo) & (w1 | w2))
    cnt = rng.poisson(rate * (hi[ok] - lo[ok]) / 365.25)
    floor = w.scenario.false_alarms.min_cases_per_trap
    pos, spare = _floor(cnt, rng, floor)
    idx = ok[pos]
    k = len(idx)
    s = lo[idx] + (rng.random(k) * (hi[idx] - lo[idx])).astype("int64")
    e = s + rng.integers(0, 5, k)
    first = np.where(w1[idx] & w2[idx], rng.random(k) < 0.62, w1[idx])
    pid = np.where(first, p["p1"].to_numpy()[idx], p["p2"].to_numpy()[idx])
    keep = _free(w, pid, s, e)
    keep[np.setdiff1d(np.arange(k), _one_per(pid))] = False
    keep = _trim(keep, spare, floor)
    tfp = rng.choice([1.0, 0.5], k, p=[0.9, 0.1])
    new_daily_cases(
        w, "TFP", pid[keep], p["child"].to_numpy()[idx][keep], s[keep], e[keep], tfp[keep], rng
    )


def _end_of_school_year_5(birth12: np.ndarray) -> np.ndarray:
    """The last day of the school year (14 June) in the calendar year of the 12th birthday."""
    return month_first(month_index(birth12) // 12 * 12 + 5) + 13


def fp_until_school_year_5(w: WorldState) -> None:
    """FP for a child who turned 12 before its school year 5 ended (born January to mid-June)."""
    rng = stream(w.seed, "trap:fp_school_year_5")
    p = w.pairs
    par = pd.concat(
        [
            p[["child", "p1", "child_birth"]].rename(columns={"p1": "parent"}),
            p.loc[p["p2"] >= 0, ["child", "p2", "child_birth"]].rename(columns={"p2": "parent"}),
        ],
        ignore_index=True,
    )
    b12 = add_years(par["child_birth"].to_numpy(), 12)
    lo = np.maximum(w.start, b12 + 1)
    hi = np.minimum(w.end - 30, _end_of_school_year_5(b12))
    ok = np.flatnonzero(hi - lo >= 10)
    cnt = (rng.random(len(ok)) < w.scenario.false_alarms.fp_school_year_5_share).astype("int64")
    floor = w.scenario.false_alarms.min_cases_per_trap
    pos, spare = _floor(cnt, rng, floor)
    idx = ok[pos]
    k = len(idx)
    s = lo[idx] + (rng.random(k) * (hi[idx] - lo[idx] - 3)).astype("int64")
    e = np.minimum(s + rng.integers(3, 25, k), hi[idx])
    pid, child = par["parent"].to_numpy()[idx], par["child"].to_numpy()[idx]
    keep = _free(w, pid, s, e)
    # one parent per child and day (rule 4): one block per child
    keep[np.setdiff1d(np.arange(k), _one_per(child))] = False
    keep = _trim(keep, spare, floor)
    ext = rng.choice([1.0, 0.5, 0.25], k, p=[0.7, 0.2, 0.1])
    new_daily_cases(w, "FP", pid[keep], child[keep], s[keep], e[keep], ext[keep], rng)


def tfp_both_parents_seriously_ill(w: WorldState) -> None:
    """Both working parents paid TFP for the same days for a seriously ill child under 12."""
    rng = stream(w.seed, "trap:tfp_seriously_ill")
    fa = w.scenario.false_alarms
    p = w.pairs
    p1, p2 = p["p1"].to_numpy(), p["p2"].to_numpy()
    cb = p["child_birth"].to_numpy()
    lo = np.maximum(w.start, cb + 30)
    hi = np.minimum(w.end - 40, add_years(cb, 12) - 40)
    ok = np.flatnonzero((hi > lo) & _working(w, p1) & _working(w, p2))
    cnt = rng.poisson(fa.tfp_seriously_ill_per_1000_child_years / 1000 * (hi[ok] - lo[ok]) / 365.25)
    pos, spare = _floor(cnt, rng, fa.min_cases_per_trap)
    idx = ok[pos]
    k = len(idx)
    s = lo[idx] + (rng.random(k) * (hi[idx] - lo[idx])).astype("int64")
    e = s + rng.integers(4, 30, k)
    keep = _free(w, p1[idx], s, e) & _free(w, p2[idx], s, e)
    keep[np.setdiff1d(np.arange(k), _one_per(p1[idx]))] = False
    keep = _trim(keep, spare, fa.min_cases_per_trap)
    child = np.tile(p["child"].to_numpy()[idx][keep], 2)
    s, e = np.tile(s[keep], 2), np.tile(e[keep], 2)
    parent = np.concatenate([p1[idx][keep], p2[idx][keep]])
    new_daily_cases(w, "TFP", parent, child, s, e, np.ones(len(parent)), rng)


def sgi_protected_while_studying(w: WorldState) -> None:
    """Long FP cases of parents without work or SGI, paid on an SGI protected while studying.

    The SGI decision that follows (synthetic.sgi) has an employment basis and no pay behind it.
    """
    rng = stream(w.seed, "trap:sgi_study")
    fa, sc = w.scenario.false_alarms, w.scenario
    c = w.cases
    info = w.persons.set_index("pid")
    rows = np.flatnonzero(
        (c["benefit"] == "FP").to_numpy()
        & ~c["double_day"].to_numpy(dtype=bool)
        & ~c["err"].to_numpy(dtype=bool)
        & (c["pe"] - c["ps"] >= 20).to_numpy()
        & (c["ps"] >= w.start).to_numpy()
    )
    pid = c["pid"].to_numpy()[rows]
    age = years_between(info["birth"].reindex(pid).to_numpy(), c["ps"].to_numpy()[rows])
    rows = rows[
        pd.isna(info["status"].reindex(pid).to_numpy())
        & (info["sgi"].reindex(pid).to_numpy() <= 0)
        & (age >= 20)
        & (age <= 45)
    ]
    cnt = (rng.random(len(rows)) < fa.sgi_protected_study_share).astype("int64")
    pos, spare = _floor(cnt, rng, fa.min_cases_per_trap)
    rows = rows[pos[_trim(np.ones(len(pos), dtype=bool), spare, fa.min_cases_per_trap)]]
    k = len(rows)
    sgi = np.round(
        12 * sc.population.median_monthly_pay_sek * 0.85 * np.exp(rng.normal(0, 0.3, k)), -2
    )
    c.loc[c.index[rows], "sgi"] = sgi
    c.loc[c.index[rows], "daily"] = daily_amount("FP", sgi, c["ps"].to_numpy()[rows], sc.rules)


def aks_final_pay(w: WorldState) -> None:
    """A former employer's final pay and holiday compensation in a new AKS case's first month."""
    rng = stream(w.seed, "trap:aks_final_pay")
    fa = w.scenario.false_alarms
    c = w.cases
    new = c.loc[
        (c["benefit"] == "AKS") & ~c["err"] & (c["event"] >= w.start) & (c["ps"] == c["event"]),
        "case",
    ].to_numpy()
    cnt = (rng.random(len(new)) < fa.aks_final_pay_share).astype("int64")
    pos, spare = _floor(cnt, rng, fa.min_cases_per_trap)
    m = w.aks_months
    m = m[m["case"].isin(new[pos]) & (m["prog"] >= 5)].sort_values(["case", "month"], kind="stable")
    m = m.drop_duplicates("case")
    m = m[
        _trim(
            np.ones(len(m), dtype=bool), np.isin(m["case"], new[pos[spare]]), fa.min_cases_per_trap
        )
    ]
    normal = w.employers.loc[w.employers["kind"] == "normal", "eid"].to_numpy()
    w.extra_income.append(
        pd.DataFrame(
            {
                "pid": m["pid"].to_numpy(),
                "eid": normal[rng.integers(0, len(normal), len(m))],
                "m": m["month"].to_numpy(),
                "pay": np.round(rng.uniform(6_000, 30_000, len(m)), -1),
            }
        )
    )
