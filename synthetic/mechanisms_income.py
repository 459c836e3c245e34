"""Error mechanisms around income and SGI: hours as days, shell employment, pay not lowered, AKS."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.casebook import daily_amount
from synthetic.hosts import child_of, choose, eligible, weak
from synthetic.mechanisms_coordination import new_daily_cases
from synthetic.state import WorldState
from synthetic.timeaxis import NA_DAY, month_first, month_index, month_last


def sgi_hours_as_days(w: WorldState, benefit: str, n: int, rng: np.random.Generator) -> int:
    """Yearly working time entered as ~260 (days) instead of ~2,080 hours: paid as if per hour."""
    c = w.cases
    low = w.persons.set_index("pid")["low_hours"].reindex(c["pid"]).to_numpy()
    mask = (c["sgi"] >= 100_000).to_numpy() & (c["sgi"] <= 380_000).to_numpy() & ~low
    mask &= (c["emp_type"] == "employee").to_numpy() & (c["daily"] > 0).to_numpy()
    rows = choose(w, eligible(w, benefit, mask), n, rng)
    k = len(rows)
    wk = weak(w, k, rng)
    daily = c["daily"].to_numpy()[rows]
    cap = w.scenario.rules.daily_amount_cap(benefit, c["ps"].to_numpy()[rows])
    factor = np.where(wk, rng.uniform(1.1, 1.35, k), np.maximum(cap / daily, 1.2))
    idx = c.index[rows]
    c.loc[idx, "amount_factor"] = factor
    c.loc[idx, "sgi_hours"] = np.where(
        rng.random(k) < 0.7, 260.0, rng.integers(200, 366, k).astype(float)
    )
    w.mark(c["case"].to_numpy()[rows], "sgi_hours_as_days", rng, "factor", wk)
    return k


def inflated_sgi_shell(
    w: WorldState,
    benefit: str,
    n: int,
    rng: np.random.Generator,
    window: tuple[int, int] | None = None,
) -> int:
    """Fictitious employment with high pay in a shell company right before the case; high SGI."""
    c = w.cases
    lo, hi = window or (w.start + 150, w.end - 30)
    mask = (
        (c["event"] >= lo).to_numpy()
        & (c["event"] <= hi).to_numpy()
        & (c["pe"] - c["ps"] >= 20).to_numpy()
    )
    mask &= ~c["double_day"].to_numpy()
    rows = choose(w, eligible(w, benefit, mask), n, rng)
    k = len(rows)
    if k == 0:
        return 0
    wk = weak(w, k, rng)
    h = c.iloc[rows]
    ev = h["event"].to_numpy()
    emps = w.employers
    shells = emps[emps["kind"] == "shell"]
    normal = emps.loc[emps["kind"] == "normal", "eid"].to_numpy()
    # a shell registered before the fake job starts (the newest that fits, else any)
    jstart = ev - rng.integers(70, 180, k)
    reg = np.sort(shells["registered"].to_numpy())
    sid = shells.sort_values("registered", kind="stable")["eid"].to_numpy()
    pos = np.searchsorted(reg, jstart) - 1 - rng.integers(0, 3, k)
    shell_eid = sid[np.clip(pos, 0, len(sid) - 1)]
    own = w.persons.set_index("pid")["sgi"].reindex(h["pid"]).to_numpy() / 12
    pay = np.where(
        wk, np.maximum(own, 20_000) * rng.uniform(1.3, 1.7, k), rng.uniform(45_000, 95_000, k)
    )
    eid = np.where(wk & (rng.random(k) < 0.5), normal[rng.integers(0, len(normal), k)], shell_eid)
    jend = np.where(rng.random(k) < 0.5, ev + rng.integers(0, 60, k), NA_DAY)
    w.jobs = pd.concat(
        [
            w.jobs,
            pd.DataFrame(
                {
                    "pid": h["pid"].to_numpy(),
                    "eid": eid,
                    "pay": np.round(pay, -2),
                    "start": jstart,
                    "end": jend,
                    "kind": "shell",
                }
            ),
        ],
        ignore_index=True,
    )
    new_sgi = np.round(12 * pay, -2)
    new_daily = daily_amount(benefit, new_sgi, h["ps"].to_numpy(), w.scenario.rules)
    factor = new_daily / np.maximum(h["daily"].to_numpy(), 1.0)
    ok = factor > 1.02
    idx = c.index[rows[ok]]
    c.loc[idx, "amount_factor"] = factor[ok]
    c.loc[idx, "sgi"] = new_sgi[ok]
    c.loc[idx, "sgi_hours"] = np.round(2080 * rng.uniform(0.9, 1.0, ok.sum()))
    w.mark(h["case"].to_numpy()[ok], "inflated_sgi_shell", rng, "factor", wk[ok])
    return int(ok.sum())


def pay_while_full_benefit(w: WorldState, benefit: str, n: int, rng: np.random.Generator) -> int:
    """Working while on full SJP/FP (employer pay not lowered), or employer pay beside full SE/AE."""
    c = w.cases
    if benefit in ("SJP", "FP"):
        has_job = c["pid"].isin(w.jobs.loc[w.jobs["kind"] == "main", "pid"]).to_numpy()
        # at least one whole calendar month on full benefit, so the pay of the month tells
        mask = (c["extent"] == 1.0).to_numpy() & (c["pe"] - c["ps"] >= 62).to_numpy() & has_job
        mask &= (c["pay_not_lowered"] == 0).to_numpy() & ~c["double_day"].to_numpy()
        rows = choose(w, eligible(w, benefit, mask), n, rng)
        k = len(rows)
        wk = weak(w, k, rng)
        share = np.where(wk, rng.uniform(0.3, 0.55, k), rng.uniform(0.75, 1.0, k))
        c.loc[c.index[rows], "pay_not_lowered"] = share
        w.mark(c["case"].to_numpy()[rows], "pay_while_full_benefit", rng, "pnl", wk)
        return k
    mask = (c["extent"] == 1.0).to_numpy() & (c["pe"] - c["ps"] >= 120).to_numpy()
    rows = choose(w, eligible(w, benefit, mask), n, rng)
    k = len(rows)
    wk = weak(w, k, rng)
    h = c.iloc[rows]
    span = h["pe"].to_numpy() - h["ps"].to_numpy() - 90
    js = month_first(month_index(h["ps"].to_numpy() + (rng.random(k) * span).astype("int64")))
    je = month_last(month_index(js) + rng.integers(1, 7, k))
    je = np.minimum(je, h["pe"].to_numpy())
    normal = w.employers.loc[w.employers["kind"] == "normal", "eid"].to_numpy()
    pay = np.where(wk, rng.uniform(2_500, 6_000, k), rng.uniform(9_000, 30_000, k))
    w.jobs = pd.concat(
        [
            w.jobs,
            pd.DataFrame(
                {
                    "pid": h["pid"].to_numpy(),
                    "eid": normal[rng.integers(0, len(normal), k)],
                    "pay": np.round(pay, -2),
                    "start": js,
                    "end": je,
                    "kind": "side",
                }
            ),
        ],
        ignore_index=True,
    )
    w.mark(h["case"].to_numpy(), "pay_while_full_benefit", rng, "range", wk, lo=js, hi=je)
    return k


def _aks_host_months(
    w: WorldState, n: int, rng: np.random.Generator, min_prog: int
) -> tuple[np.ndarray, pd.DataFrame]:
    months = w.aks_months
    c = w.cases
    big = (months["prog"] >= min_prog).astype("int64")
    ok_case = big.groupby(months["case"]).transform("sum").to_numpy() >= 2
    cand = np.unique(months.loc[ok_case, "case"].to_numpy())
    rows = eligible(w, "AKS", c["case"].isin(cand).to_numpy() & (c["pe"] < w.end - 45).to_numpy())
    rows = choose(w, rows, n, rng)
    return c["case"].to_numpy()[rows], months


def aks_undeclared_work(w: WorldState, benefit: str, n: int, rng: np.random.Generator) -> int:
    """Employer-reported pay in AKS months where the participant declared no work."""
    ids, months = _aks_host_months(w, n, rng, 10)
    k = len(ids)
    if k == 0:
        return 0
    wk = pd.Series(weak(w, k, rng), index=ids)
    sel = months[months["case"].isin(ids) & (months["prog"] >= 10)]
    sel = sel.assign(u=rng.random(len(sel))).sort_values(["case", "u"], kind="stable")
    rank = sel.groupby("case").cumcount().to_numpy()
    nmon = np.where(wk.reindex(sel["case"]).to_numpy(), 1, rng.integers(1, 5, len(sel)))
    sel = sel[rank < nmon]
    weak_m = wk.reindex(sel["case"]).to_numpy()
    pay = np.where(
        weak_m, rng.uniform(1_500, 5_000, len(sel)), rng.uniform(7_000, 28_000, len(sel))
    )
    normal = w.employers.loc[w.employers["kind"] == "normal", "eid"].to_numpy()
    months.loc[sel.index, "declared_hours"] = 0.0
    months.loc[sel.index, "work_pay"] = 0.0
    months.loc[sel.index, "work_eid"] = -1
    w.extra_income.append(
        pd.DataFrame(
            {
                "pid": sel["pid"].to_numpy(),
                "eid": normal[rng.integers(0, len(normal), len(sel))],
                "m": sel["month"].to_numpy(),
                "pay": np.round(pay, -1),
            }
        )
    )
    worked_days = np.minimum(pay / 1200, sel["prog"].to_numpy())
    wrong = (
        pd.Series(worked_days * (sel["daily"] * sel["extent"]).to_numpy())
        .groupby(sel["case"].to_numpy())
        .sum()
    )
    w.mark_measured(wrong, "aks_undeclared_work", rng, wk)
    return k


def aks_absence_wrong(w: WorldState, benefit: str, n: int, rng: np.random.Generator) -> int:
    """Absence declared too low: paid for programme days not attended (often caring for a child)."""
    ids, months = _aks_host_months(w, n, rng, 15)
    k = len(ids)
    if k == 0:
        return 0
    wk = pd.Series(weak(w, k, rng), index=ids)
    sel = months[months["case"].isin(ids) & (months["prog"] >= 15)]
    sel = sel.assign(u=rng.random(len(sel))).sort_values(["case", "u"], kind="stable")
    sel = sel[sel.groupby("case").cumcount().to_numpy() < rng.integers(1, 4, len(sel))]
    hidden = np.where(
        wk.reindex(sel["case"]).to_numpy(),
        rng.integers(1, 3, len(sel)),
        rng.integers(3, 11, len(sel)),
    )
    months.loc[sel.index, "actual_absence"] = sel["declared_absence"].to_numpy() + hidden
    months.loc[sel.index, "declared_absence"] = 0
    hidden = hidden + sel["declared_absence"].to_numpy()
    # the absent days were paid as TFP for a sick child (when there is a child), same days
    child, _ = child_of(w, sel["pid"].to_numpy(), sel["cs"].to_numpy(), 240, 11 * 365, rng)
    has = (child >= 0) & ~wk.reindex(sel["case"]).to_numpy()
    s = sel["cs"].to_numpy()[has] + rng.integers(0, 10, has.sum())
    e = np.minimum(s + np.minimum(hidden[has], 5) - 1, sel["ce"].to_numpy()[has])
    if has.any():
        new_daily_cases(
            w, "TFP", sel["pid"].to_numpy()[has], child[has], s, e, np.ones(has.sum()), rng
        )
    wrong = (
        pd.Series(hidden * (sel["daily"] * sel["extent"]).to_numpy())
        .groupby(sel["case"].to_numpy())
        .sum()
    )
    w.mark_measured(wrong, "aks_absence_wrong", rng, wk)
    return k
