"""Error mechanisms that break a coordination rule: overlaps, both parents, ages, coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.casebook import daily_amount, new_cases
from synthetic.hosts import child_of, choose, eligible, weak
from synthetic.state import WorldState
from synthetic.timeaxis import (
    NA_DAY,
    add_years,
    month_first,
    month_index,
    month_last,
    weekday,
    years_between,
)


def _info(w: WorldState, pid: np.ndarray, col: str) -> np.ndarray:
    return w.persons.set_index("pid")[col].reindex(pid).to_numpy()


def new_daily_cases(w, benefit, pid, child, s, e, extent, rng) -> np.ndarray:
    n = len(pid)
    sg = _info(w, pid, "sgi")
    opened = e + rng.integers(0, 25, n)
    closed = opened + rng.integers(1, 20, n)
    new = new_cases(
        n,
        pid=pid,
        benefit=benefit,
        event=s,
        opened=opened,
        closed=np.where(closed > w.end, NA_DAY, closed),
        child=child,
        emp_type=_info(w, pid, "status"),
        ps=s,
        pe=e,
        extent=extent,
        sgi=sg,
        daily=np.maximum(
            daily_amount(benefit, sg, s, w.scenario.rules), 250.0 if benefit == "FP" else 100.0
        ),
    )
    return w.add_cases(new)


def kar_on_sjp_day(w: WorldState, benefit: str, n: int, rng: np.random.Generator) -> int:
    """A KAR claim for a day already paid as SJP; the SJP case is the one in error."""
    c = w.cases
    ps, pe = c["ps"].to_numpy(), c["pe"].to_numpy()
    # KAR existed only in some periods: both ends of the claim window in one of them (the gaps
    # between periods are longer than the window, so every day between is in force too)
    rules = w.scenario.rules
    in_force = rules.exists("KAR", ps) & rules.exists("KAR", ps + np.minimum(pe - ps, 30))
    ok = (pe - ps >= 2) & (pe < w.end - 20) & in_force
    rows = choose(w, eligible(w, "SJP", ok), n, rng)
    h = c.iloc[rows]
    k = len(h)
    span = np.minimum(h["pe"].to_numpy() - h["ps"].to_numpy(), 30)
    day = h["ps"].to_numpy() + (rng.random(k) * (span + 1)).astype("int64")
    new = new_cases(
        k,
        pid=h["pid"].to_numpy(),
        benefit="KAR",
        event=day,
        opened=day + rng.integers(1, 15, k),
        closed=day + rng.integers(15, 30, k),
        emp_type="employee",
        ps=day,
        pe=day,
        sgi=h["sgi"].to_numpy(),
        daily=daily_amount("KAR", h["sgi"].to_numpy(), day, rules),
    )
    new["closed"] = np.where(new["closed"] > w.end, NA_DAY, new["closed"])
    w.add_cases(new)
    w.mark(
        h["case"].to_numpy(),
        "kar_on_sjp_day",
        rng,
        "fixed",
        weak(w, k, rng),
        wrong=new["daily"].to_numpy(),
    )
    return k


def tfp_in_sickpay_period(w: WorldState, benefit: str, n: int, rng: np.random.Generator) -> int:
    """TFP inside days 1-14 of the parent's own SJP case as an employee; the TFP case is wrong."""
    c = w.cases
    mask = (c["emp_type"] == "employee").to_numpy() & (c["event"] >= w.start).to_numpy()
    rows = eligible(w, "SJP", mask)
    child, _ = child_of(
        w, c["pid"].to_numpy()[rows], c["event"].to_numpy()[rows], 240, 11 * 365, rng
    )
    rows = choose(w, rows[child >= 0], n, rng)
    h = c.iloc[rows]
    k = len(h)
    child, _ = child_of(w, h["pid"].to_numpy(), h["event"].to_numpy(), 240, 11 * 365, rng)
    wk = weak(w, k, rng)
    s = h["event"].to_numpy() + np.where(wk, rng.integers(10, 13, k), rng.integers(0, 10, k))
    e = np.minimum(s + rng.integers(0, 3, k), h["event"].to_numpy() + 13)
    ids = new_daily_cases(w, "TFP", h["pid"].to_numpy(), child, s, e, np.ones(k), rng)
    w.mark(ids, "tfp_in_sickpay_period", rng, "all", wk)
    return k


def tfp_both_parents(w: WorldState, benefit: str, n: int, rng: np.random.Generator) -> int:
    """The other parent also paid TFP for the same child and day."""
    c = w.cases
    pairs = w.pairs.set_index("child")
    p1 = pairs["p1"].reindex(c["child"]).to_numpy()
    p2 = pairs["p2"].reindex(c["child"]).fillna(-1).to_numpy()
    has_two = (p2 >= 0) & (c["pe"] < w.end - 30).to_numpy()
    rows = choose(w, eligible(w, "TFP", has_two), n, rng)
    h = c.iloc[rows]
    k = len(h)
    other = np.where(h["pid"].to_numpy() == p1[rows], p2[rows], p1[rows]).astype("int64")
    length = h["pe"].to_numpy() - h["ps"].to_numpy() + 1
    s = h["ps"].to_numpy() + (rng.random(k) * length).astype("int64")
    e = np.minimum(s + rng.integers(0, 2, k), h["pe"].to_numpy())
    ids = new_daily_cases(w, "TFP", other, h["child"].to_numpy(), s, e, np.ones(k), rng)
    w.mark(ids, "tfp_both_parents", rng, "all", weak(w, k, rng))
    return k


def fp_beside_aks(w: WorldState, benefit: str, n: int, rng: np.random.Generator) -> int:
    """FP for days already paid as AKS (not coordinated); the FP case is wrong."""
    c = w.cases
    rows = eligible(w, "AKS", (c["pe"] - c["ps"] >= 20).to_numpy())
    child, _ = child_of(w, c["pid"].to_numpy()[rows], c["ps"].to_numpy()[rows], 0, 11 * 365, rng)
    rows = choose(w, rows[child >= 0], n, rng)
    h = c.iloc[rows]
    k = len(h)
    child, _ = child_of(w, h["pid"].to_numpy(), h["ps"].to_numpy(), 0, 11 * 365, rng)
    wk = weak(w, k, rng)
    room = h["pe"].to_numpy() - h["ps"].to_numpy() - 5
    s = h["ps"].to_numpy() + (rng.random(k) * room).astype("int64")
    e = np.minimum(
        s + np.where(wk, rng.integers(0, 4, k), rng.integers(5, 40, k)), h["pe"].to_numpy()
    )
    ids = new_daily_cases(w, "FP", h["pid"].to_numpy(), child, s, e, np.ones(k), rng)
    w.mark(ids, "fp_beside_aks", rng, "all", wk)
    return k


AKS_RULE = "aks_not_beside_sjp_se_ae"


def aks_beside_benefit(w: WorldState, benefit: str, n: int, rng: np.random.Generator) -> int:
    """AKS paid on for days of SJP, SE or AE, on days the rule forbids it (benefit_rules.toml
    `aks_not_beside_sjp_se_ae`: from 2020-07-01).

    The participant fell sick (SJP) or was granted SE/AE for some months, and the AKS went on
    being paid; the AKS case is the one in error, the new case is correct. Overlaps lie only on
    days the rule is in force.
    """
    c = w.cases
    days = np.arange(w.start, w.end + 1)
    on = w.scenario.rules.in_force(AKS_RULE, days, "AKS")
    if not on.any():
        return 0
    lo_all = np.maximum(c["ps"].to_numpy(), days[on][0])
    mask = (c["pe"].to_numpy() - lo_all >= 20) & (c["pe"] < w.end - 20).to_numpy()
    rows = choose(w, eligible(w, "AKS", mask), n, rng)
    h = c.iloc[rows]
    k = len(h)
    if k == 0:
        return 0
    wk = weak(w, k, rng)
    lo, pe = lo_all[rows], h["pe"].to_numpy()
    s = lo + (rng.random(k) * (pe - lo - 14)).astype("int64")
    e = np.minimum(s + np.where(wk, rng.integers(0, 3, k), rng.integers(13, 60, k)), pe)
    # some strong ones: SE (30-64) or AE (19-29) granted for whole months instead of SJP
    age = years_between(_info(w, h["pid"].to_numpy(), "birth"), s)
    longterm = np.where((age >= 19) & (age <= 29), "AE", np.where(age >= 30, "SE", ""))
    longterm = np.where(~wk & (rng.random(k) < 0.3), longterm, "")
    m0 = month_index(s) + 1
    ls = np.maximum(month_first(m0), s)
    le = np.minimum(month_last(m0 + rng.integers(0, 6, k)), pe)
    use = (longterm != "") & (ls <= le)
    s, e = np.where(use, ls, s), np.where(use, le, e)
    # every overlap day in force (a rule that lapses inside the world cuts the host's chance)
    run = np.concatenate([[0], np.cumsum(on)])
    ok = run[e - w.start + 1] - run[s - w.start] == e - s + 1
    h, s, e, wk, use, longterm = h[ok], s[ok], e[ok], wk[ok], use[ok], longterm[ok]
    for b, sel in (
        ("SJP", ~use),
        ("SE", use & (longterm == "SE")),
        ("AE", use & (longterm == "AE")),
    ):
        if sel.any():
            pid = h["pid"].to_numpy()[sel]
            new_daily_cases(
                w, b, pid, np.full(len(pid), -1), s[sel], e[sel], np.ones(len(pid)), rng
            )
    w.mark(h["case"].to_numpy(), "aks_beside_benefit", rng, "range", wk, lo=s, hi=e)
    return len(h)


def age_rule_break(w: WorldState, benefit: str, n: int, rng: np.random.Generator) -> int:
    """TFP/FP for a child of 12 or more; SE/AE paid past the age limit."""
    if benefit in ("TFP", "FP"):
        ch = w.children.merge(w.persons[["pid", "status"]], left_on="parent", right_on="pid")
        lo = np.maximum(add_years(ch["child_birth"].to_numpy(), 12), w.start)
        hi = np.minimum(add_years(ch["child_birth"].to_numpy(), 14), w.end - 40)
        ok = (hi > lo) & ch["status"].isin(["employee", "self_employed"]).to_numpy()
        ch, lo, hi = ch[ok], lo[ok], hi[ok]
        pick = rng.permutation(len(ch))
        _, first = np.unique(ch["parent"].to_numpy()[pick], return_index=True)
        pick = pick[np.sort(first)][:n]
        k = len(pick)
        wk = weak(w, k, rng)
        s = lo[pick] + (rng.random(k) * (hi[pick] - lo[pick])).astype("int64")
        s = np.where(wk, lo[pick] + rng.integers(0, 20, k), s)
        e = s + (rng.integers(0, 3, k) if benefit == "TFP" else rng.integers(4, 20, k))
        ids = new_daily_cases(
            w,
            benefit,
            ch["parent"].to_numpy()[pick],
            ch["child"].to_numpy()[pick],
            s,
            e,
            np.ones(k),
            rng,
        )
        w.mark(ids, "age_rule_break", rng, "all", wk)
        return k
    c = w.cases
    # SE/AE: a case that reached its age limit inside the world goes on being paid
    mask = (
        (c["closed"] != NA_DAY).to_numpy()
        & (c["pe"] < w.end - 60).to_numpy()
        & (c["pe"] == c["closed"]).to_numpy()
    )
    rows = choose(w, eligible(w, benefit, mask), n, rng)
    k = len(rows)
    wk = weak(w, k, rng)
    limit = c["pe"].to_numpy()[rows]
    extra = np.where(wk, rng.integers(10, 31, k), rng.integers(31, 200, k))
    new_pe = np.minimum(limit + extra, w.end)
    c.loc[c.index[rows], "pe"] = new_pe
    c.loc[c.index[rows], "closed"] = np.where(new_pe + 20 <= w.end, new_pe + 20, NA_DAY)
    w.mark(c["case"].to_numpy()[rows], "age_rule_break", rng, "range", wk, lo=limit + 1, hi=new_pe)
    return k


def coverage_break(w: WorldState, benefit: str, n: int, rng: np.random.Generator) -> int:
    """Days paid before insured_from: the person's coverage started after the case's first days."""
    c = w.cases
    first_ps = c.groupby("pid")["ps"].transform("min").to_numpy()
    # the second-earliest start of the person's cases bounds the new coverage date
    srt = c.sort_values(["pid", "ps"], kind="stable")
    second = srt.groupby("pid")["ps"].nth(1)
    second = pd.Series(second.to_numpy(), index=srt.loc[second.index, "pid"].to_numpy())
    nxt = second.reindex(c["pid"]).fillna(w.end + 1).to_numpy().astype("int64")
    birth = _info(w, c["pid"].to_numpy(), "birth")
    mask = (
        (c["ps"].to_numpy() == first_ps)
        & (c["event"].to_numpy() >= w.start + 30)
        & (nxt > c["ps"].to_numpy() + 1)
        & (c["ps"].to_numpy() - birth > 365 * 2)
    )
    # any person, native or not (a returning emigrant, a late registration): error independent
    # of birth region unless the scenario says otherwise
    rows = choose(w, eligible(w, benefit, mask), n, rng)
    h = c.iloc[rows]
    k = len(h)
    wk = weak(w, k, rng)
    ps, pe = h["ps"].to_numpy(), h["pe"].to_numpy()
    gap = np.where(wk, rng.integers(1, 4, k), rng.integers(3, 60, k))
    new_from = np.minimum(np.minimum(ps + gap, pe), nxt[rows] - 1)
    new_from = np.maximum(new_from, ps + 1)
    p = w.persons
    pos = pd.Index(p["pid"]).get_indexer(h["pid"].to_numpy())
    p.loc[p.index[pos], "insured_from"] = new_from
    w.mark(
        h["case"].to_numpy(),
        "coverage_break",
        rng,
        "range",
        wk,
        lo=np.full(k, -(10**6)),
        hi=new_from - 1,
    )
    return k


def kar_repeated(w: WorldState, benefit: str, n: int, rng: np.random.Generator) -> int:
    """Systematic repeated KAR claims with no sickness behind them: a few persons, many claims."""
    c = w.cases
    p = w.persons
    emp = p.loc[p["status"] == "employee", "pid"].to_numpy()
    if n == 0 or len(emp) == 0:
        return 0
    # systematic: 6-20 claims within five months, so that many exceed the cap of
    # karensavdrag per twelve months (benefit_rules: kar_claims_per_12_months)
    per_person = rng.integers(6, 21, max(n // 6, 1))
    per_person = per_person[np.cumsum(per_person) - per_person < n]
    who = rng.choice(emp, len(per_person), replace=False)
    pid = np.repeat(who, per_person)
    # claim days on the days KAR existed in the world (none: no claims)
    span = np.arange(w.start + 10, w.end - 30)
    span = span[w.scenario.rules.exists("KAR", span)]
    if len(span) == 0:
        return 0
    first = np.repeat(span[rng.integers(0, len(span), len(per_person))], per_person)
    days = first + rng.integers(0, 150, len(pid))
    days = days - (weekday(days) >= 5) * 2  # claims on working days
    # keep claim days off every other paid day of the person (only the claim itself is wrong)
    q = pd.DataFrame({"i": np.arange(len(pid)), "pid": pid, "d": days})
    m = q.merge(c[["pid", "ps", "pe"]], on="pid")
    busy = np.unique(m.loc[(m["d"] >= m["ps"] - 1) & (m["d"] <= m["pe"] + 1), "i"])
    ok = ~np.isin(np.arange(len(pid)), busy) & w.scenario.rules.exists("KAR", days)
    ok &= days < w.end - 30
    ok &= ~pd.DataFrame({"p": pid, "d": days}).duplicated().to_numpy()
    pid, days = pid[ok], days[ok]
    ids = new_daily_cases(w, "KAR", pid, np.full(len(pid), -1), days, days, np.ones(len(pid)), rng)
    w.mark(ids, "kar_repeated", rng, "all", weak(w, len(ids), rng))
    return len(ids)
