"""Personal assistance (ASS): clients, their assistants at providers, daily time reports, payments."""

from __future__ import annotations

import numpy as np
import pandas as pd

from felrisk.benefit_rules import BenefitRules
from synthetic.casebook import daily_amount, new_cases
from synthetic.scenario import Scenario
from synthetic.streams import stream
from synthetic.timeaxis import (
    NA_DAY,
    expand_days,
    month_first,
    month_index,
    month_last,
    overlaps_other,
    years_between,
)


def assistance_cases(
    persons: pd.DataFrame, employers: pd.DataFrame, start: int, end: int, sc: Scenario, seed: int
):
    """ASS cases with granted hours, and the assistant links (assistant, provider, share of hours)."""
    rng = stream(seed, "assistance")
    n = len(persons)
    birth = persons["birth"].to_numpy()
    age = years_between(birth, np.full(n, start))
    clients = np.flatnonzero(
        (age >= 2) & (age <= 80) & (rng.random(n) < sc.benefits.ass_prevalence)
    )
    k = len(clients)
    granted = np.round(np.clip(np.exp(rng.normal(np.log(115), 0.35, k)), 20, 168) * 2) / 2
    ev = np.where(
        rng.random(k) < 0.85, start - rng.integers(60, 3000, k), rng.integers(start, end - 60, k)
    )
    opened = ev + rng.integers(20, 90, k)
    ps = np.maximum(month_first(month_index(opened) + 1), start)
    ends = rng.random(k) < 0.08
    pe = np.where(ends, rng.integers(start + 90, end, k), end)
    ok = ps < pe
    clients, granted, ev, opened, ps, pe, ends = (
        x[ok] for x in (clients, granted, ev, opened, ps, pe, ends)
    )
    k = len(clients)
    cases = new_cases(
        k,
        pid=persons["pid"].to_numpy()[clients],
        benefit="ASS",
        event=ev,
        opened=opened,
        closed=np.where(ends, pe + rng.integers(5, 40, k), NA_DAY),
        granted=granted,
        ps=ps,
        pe=pe,
        daily=daily_amount("ASS", np.zeros(k), ps, sc.rules),
    )
    cases["closed"] = np.where(cases["closed"] > end, NA_DAY, cases["closed"])
    providers = employers.loc[employers["kind"] == "provider", "eid"].to_numpy()
    w = 1.0 / np.arange(1, len(providers) + 1)
    prov = providers[rng.choice(len(providers), k, p=w / w.sum())]
    # assistants: enough that nobody works more than about 12 hours a day for one client
    per_day = granted / 7
    n_ass = np.clip(np.ceil(per_day / 10).astype("int64") + rng.integers(0, 3, k), 1, 10)
    pool = np.flatnonzero((age >= 20) & (age <= 64) & ~np.isin(np.arange(n), clients))
    chosen = pool[rng.permutation(len(pool))[: int(n_ass.sum())]]
    link_case = np.repeat(np.arange(k), n_ass)[: len(chosen)]
    share = np.clip(1 + 0.3 * rng.normal(size=len(chosen)), 0.4, 1.6)
    share = share / np.bincount(link_case, share, k)[link_case]
    links = pd.DataFrame(
        {
            "ci": link_case,
            "aid": persons["pid"].to_numpy()[chosen],
            "provider": prov[link_case],
            "share": share,
            "delivered": rng.uniform(0.86, 0.99, k)[link_case],
            "wage": np.round(
                sc.amounts.assistant_hourly_wage_sek * rng.uniform(0.9, 1.15, len(chosen))
            ),
        }
    )
    # some assistants also work for a second client of the same provider (legitimate, < 24 h/day)
    second = links.sample(frac=0.08, random_state=np.random.RandomState(rng.integers(2**31))).copy()
    other = rng.integers(0, k, len(second))
    second["ci"] = other
    second["provider"] = prov[other]
    second["share"] = 0.35 / np.maximum(n_ass[other], 1)
    links = pd.concat([links, second], ignore_index=True)
    return cases, links


def work_days(cases: pd.DataFrame, links: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Daily hours per assistant and client: granted/7 x delivered share x the assistant's share."""
    rng = stream(seed, "work_days")
    c = cases[cases["benefit"] == "ASS"].set_index("case")
    lc = links["case"].to_numpy()
    ps = c["ps"].reindex(lc).to_numpy()
    pe = c["pe"].reindex(lc).to_numpy()
    idx, d = expand_days(ps, pe)
    granted = c["granted"].reindex(lc).to_numpy()
    base = (granted / 7 * links["delivered"].to_numpy() * links["share"].to_numpy())[idx]
    hours = np.round(np.clip(base * (1 + 0.12 * rng.standard_normal(len(idx))), 0, 14) * 4) / 4
    out = pd.DataFrame(
        {
            "case": lc[idx],
            "aid": links["aid"].to_numpy()[idx],
            "provider": links["provider"].to_numpy()[idx],
            "wage": links["wage"].to_numpy()[idx],
            "day": d,
            "hours": hours,
            "billed_factor": 1.0,
        }
    )
    out["hours"] = _within_granted(out, granted[idx])
    return out[out["hours"] > 0].reset_index(drop=True)


def _within_granted(days: pd.DataFrame, granted: np.ndarray) -> np.ndarray:
    """Scale a client's hours down in weeks above the granted hours (rule 7 holds when correct)."""
    week = (days["day"].to_numpy() + 3) // 7  # Monday-based weeks
    key = pd.DataFrame({"case": days["case"].to_numpy(), "week": week})
    total = pd.Series(days["hours"].to_numpy()).groupby([key["case"], key["week"]]).transform("sum")
    factor = np.minimum(1.0, granted / np.maximum(total.to_numpy(), 1e-9))
    # round down to quarter hours so the week stays within the grant
    return np.floor(days["hours"].to_numpy() * factor * 4) / 4


def off_own_benefit_days(days: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """An assistant does not work on days of their own full-time benefit (a substitute does)."""
    full = cases[
        cases["benefit"].isin(["SJP", "FP", "TFP", "AKS", "SE", "AE"]).to_numpy()
        & (cases["extent"] == 1.0).to_numpy()
    ]
    d = days["day"].to_numpy()
    busy = overlaps_other(
        days["aid"].to_numpy(),
        d,
        d,
        full["pid"].to_numpy(),
        full["ps"].to_numpy(),
        full["pe"].to_numpy(),
    )
    return days[~busy].reset_index(drop=True)


def assistant_pay(days: pd.DataFrame) -> pd.DataFrame:
    """Monthly wages the providers report for their assistants (hours x hourly wage)."""
    m = month_index(days["day"].to_numpy())
    pay = days["hours"].to_numpy() * days["wage"].to_numpy()
    g = pd.DataFrame(
        {"pid": days["aid"].to_numpy(), "eid": days["provider"].to_numpy(), "m": m, "pay": pay}
    )
    return g.groupby(["pid", "eid", "m"], as_index=False, sort=True)["pay"].sum()


def time_reports(days: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Work time reports: one row per assistant, client and day, submitted after the month."""
    rng = stream(seed, "time_reports")
    m = month_index(days["day"].to_numpy())
    # one submission date per assistant, client and month
    key = pd.DataFrame({"case": days["case"], "aid": days["aid"], "m": m})
    codes = key.groupby(["case", "aid", "m"], sort=True).ngroup().to_numpy()
    lag = rng.integers(1, 11, codes.max() + 1 if len(codes) else 0)
    return pd.DataFrame(
        {
            "aid": days["aid"],
            "case": days["case"],
            "provider": days["provider"],
            "day": days["day"],
            "hours": days["hours"],
            "submitted": month_last(m) + lag[codes],
        }
    )


def assistance_payment_rows(
    days: pd.DataFrame, reports: pd.DataFrame, seed: int, rules: BenefitRules
) -> pd.DataFrame:
    """Monthly ASS payments: billed hours (reported hours times any over-billing) x the hourly rate."""
    rng = stream(seed, "ass_pay")
    m = month_index(days["day"].to_numpy())
    billed = days["hours"].to_numpy() * days["billed_factor"].to_numpy()
    g = pd.DataFrame(
        {
            "case": days["case"],
            "m": m,
            "billed": billed,
            "sub": reports["submitted"],
            "day": days["day"],
        }
    )
    agg = g.groupby(["case", "m"], sort=True).agg(
        hours=("billed", "sum"), sub=("sub", "max"), ps=("day", "min"), pe=("day", "max")
    )
    agg = agg.reset_index()
    hours = np.round(agg["hours"].to_numpy() * 4) / 4
    ps = np.maximum(month_first(agg["m"].to_numpy()), agg["ps"].to_numpy())
    return pd.DataFrame(
        {
            "case": agg["case"],
            "ps": ps,
            "pe": np.minimum(month_last(agg["m"].to_numpy()), agg["pe"].to_numpy()),
            "extent": 1.0,
            "hours": hours,
            "amount": np.round(hours * rules.value("hourly_amount", ps, "ASS")),
            "not_before": agg["sub"].to_numpy() + rng.integers(2, 10, len(agg)),
        }
    )
