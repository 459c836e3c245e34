"""Inject errors at calibrated rates per benefit and mechanism; measure each error's wrong amount."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic import mechanisms_assistance as ma
from synthetic import mechanisms_coordination as mc
from synthetic import mechanisms_income as mi
from synthetic.hosts import choose, eligible, weak
from synthetic.state import WorldState
from synthetic.streams import stream
from synthetic.timeaxis import NA_DAY

MONTHLY_ROWS = ("AKS", "ASS")


def fk_wrong_rate(w: WorldState, benefit: str, n: int, rng: np.random.Generator) -> int:
    """The agency applied a wrong daily rate or SGI: every payment of the case too high."""
    c = w.cases
    rows = choose(w, eligible(w, benefit, (c["daily"] > 0).to_numpy()), n, rng)
    k = len(rows)
    wk = weak(w, k, rng)
    c.loc[c.index[rows], "amount_factor"] = np.where(
        wk, rng.uniform(1.03, 1.08, k), rng.uniform(1.1, 1.6, k)
    )
    w.mark(c["case"].to_numpy()[rows], "fk_wrong_rate", rng, "factor", wk)
    return k


def fk_double_payment(w: WorldState, benefit: str, n: int, rng: np.random.Generator) -> int:
    """The agency paid one period of the case twice (the payments step adds the copy)."""
    c = w.cases
    rows = choose(w, eligible(w, benefit, (c["pe"] < w.end - 40).to_numpy()), n, rng)
    w.mark(c["case"].to_numpy()[rows], "fk_double_payment", rng, "double", False)
    return len(rows)


MECHANISM_FUNCS = {
    "kar_on_sjp_day": mc.kar_on_sjp_day,
    "kar_repeated": mc.kar_repeated,
    "tfp_in_sickpay_period": mc.tfp_in_sickpay_period,
    "tfp_both_parents": mc.tfp_both_parents,
    "fp_beside_aks": mc.fp_beside_aks,
    "age_rule_break": mc.age_rule_break,
    "coverage_break": mc.coverage_break,
    "sgi_hours_as_days": mi.sgi_hours_as_days,
    "inflated_sgi_shell": mi.inflated_sgi_shell,
    "pay_while_full_benefit": mi.pay_while_full_benefit,
    "aks_undeclared_work": mi.aks_undeclared_work,
    "aks_absence_wrong": mi.aks_absence_wrong,
    "ass_impossible_hours": ma.ass_impossible_hours,
    "ass_unprovided_hours": ma.ass_unprovided_hours,
    "fk_wrong_rate": fk_wrong_rate,
    "fk_double_payment": fk_double_payment,
}


# benefits a mechanism creates besides its host's: it runs only if the world's window had them
MECHANISM_NEEDS: dict[str, tuple[str, ...]] = {
    "kar_on_sjp_day": ("KAR",),
    "kar_repeated": ("KAR",),
}


def available_mechanisms(w: WorldState, benefit: str) -> dict[str, float]:
    """The benefit's mechanism mix less the mechanisms that need a benefit the world's window
    never had (a 2023-2025 world has no KAR, so no KAR claim on an SJP day); weights as given."""
    days = np.arange(w.start, w.end + 1)
    rules = w.scenario.rules
    mix = w.scenario.errors.mechanisms.get(benefit, {})
    return {
        m: wt
        for m, wt in mix.items()
        if all(rules.exists(b, days).any() for b in MECHANISM_NEEDS.get(m, ()))
    }


def plan_errors(w: WorldState, rng: np.random.Generator) -> list[tuple[str, str, int]]:
    """How many errors of each (benefit, mechanism): rate x paid cases, fk share, mechanism mix."""
    ec = w.scenario.errors
    c = w.cases
    paid = (c["pe"] >= w.start) & (c["ps"] <= w.end)
    counts = c.loc[paid, "benefit"].value_counts()
    plan: list[tuple[str, str, int]] = []
    for benefit, rate in ec.rate.items():
        n_b = int(counts.get(benefit, 0))
        n_err = int(rng.binomial(n_b, rate)) if n_b else 0
        n_fk = int(rng.binomial(n_err, ec.fk_share))
        mix = available_mechanisms(w, benefit)
        names = sorted(mix)
        wts = np.array([mix[m] for m in names], dtype="float64")
        # no customer mechanism left (or none weighted): only the agency's errors remain
        cust = rng.multinomial(n_err - n_fk, wts / wts.sum()) if wts.sum() > 0 else [0] * len(names)
        n_dbl = int(rng.binomial(n_fk, 0.4))
        items = list(zip(names, cust, strict=True)) + [
            ("fk_wrong_rate", n_fk - n_dbl),
            ("fk_double_payment", n_dbl),
        ]
        for mech, k in items:
            plan.append((benefit, mech, int(k)))
    return _with_minimum(plan, counts, ec)


def _with_minimum(
    plan: list[tuple[str, str, int]], counts: pd.Series, ec
) -> list[tuple[str, str, int]]:
    """Give every mechanism at least `min_cases_per_mechanism` cases in the whole world.

    The floor goes to the benefit where the mechanism is most expected (mix weight x cases), so
    small worlds still show every pattern without inflating the rate of a rare benefit much.
    """
    total: dict[str, int] = {}
    for _, mech, k in plan:
        total[mech] = total.get(mech, 0) + k
    out = list(plan)
    for mech, k in sorted(total.items()):
        need = ec.min_cases_per_mechanism - k
        if need <= 0:
            continue
        best = max(
            (b for b, m, _ in plan if m == mech),
            key=lambda b: ec.rate[b] * counts.get(b, 0) * ec.mechanisms.get(b, {}).get(mech, 1.0),
        )
        out.append((best, mech, need))
    return out


def inject_errors(w: WorldState) -> None:
    """Run every planned mechanism (and the drift burst), recording shortfalls where hosts ran out."""
    rng = stream(w.seed, "errors")
    plan = plan_errors(w, rng)
    ec = w.scenario.errors
    n_base = sum(len(available_mechanisms(w, b)) + 2 for b in ec.rate)  # before the floor
    for benefit, _, k in plan[n_base:]:
        w.floored[benefit] = w.floored.get(benefit, 0) + k
    for benefit, mech, k in plan:
        if k == 0:
            continue
        got = MECHANISM_FUNCS[mech](w, benefit, k, stream(w.seed, f"err:{benefit}:{mech}"))
        if got < k:
            w.shortfall[f"{benefit}:{mech}"] = k - got
    d = w.scenario.drift
    if d.enabled:
        n_extra = round(len(w.persons) * d.extra_cases_per_100k_persons / 1e5)
        window = (w.end - d.last_days, w.end - 30)
        drng = stream(w.seed, "drift")
        _new_shells(w, round(len(w.persons) * d.new_shell_companies_per_100k_persons / 1e5), drng)
        got = mi.inflated_sgi_shell(w, d.benefit, n_extra, drng, window=window)
        if got < n_extra:
            w.shortfall["drift"] = n_extra - got


def _new_shells(w: WorldState, n: int, rng: np.random.Generator) -> None:
    """Shell companies registered shortly before the drift window: the new pattern's employers."""
    n = max(n, 2)
    e = w.employers
    lo = w.end - w.scenario.drift.last_days - 150
    new = pd.DataFrame(
        {
            "eid": np.arange(int(e["eid"].max()) + 1, int(e["eid"].max()) + 1 + n, dtype="int64"),
            "registered": rng.integers(lo, lo + 200, n),
            "industry": rng.choice(np.array(["96", "49", "56"]), n),
            "muni": e["muni"].to_numpy()[rng.integers(0, len(e), n)],
            "kind": "shell",
        }
    )
    w.employers = pd.concat([e, new], ignore_index=True)


def wrong_parts(payments: pd.DataFrame, err: pd.DataFrame) -> pd.DataFrame:
    """The wrong part of each payment row of the erroneous cases `err` (case, paid, amount, part).

    `part` is NaN for cases whose wrong amount was fixed when the error was made (mode "fixed").
    """
    pay = payments[payments["case"].isin(err["case"])]
    pay = pay.merge(
        err[["case", "wrong_mode", "amount_factor", "pay_not_lowered", "wrong_lo", "wrong_hi"]],
        on="case",
    )
    normal = pay["kind"].to_numpy() == "normal"
    amt = pay["amount"].to_numpy()
    mode = pay["wrong_mode"].to_numpy()
    days = (pay["pe"] - pay["ps"] + 1).to_numpy()
    ov = np.clip(
        np.minimum(pay["pe"], pay["wrong_hi"]) - np.maximum(pay["ps"], pay["wrong_lo"]) + 1, 0, None
    ).to_numpy()
    part = np.select(
        [mode == "all", mode == "factor", mode == "pnl", mode == "range", mode == "double"],
        [
            amt * normal,
            amt * normal * (1 - 1 / pay["amount_factor"].to_numpy()),
            amt * normal * pay["pay_not_lowered"].to_numpy(),
            amt * normal * ov / days,
            amt * (pay["kind"].to_numpy() == "double"),
        ],
        np.nan,
    )
    return pd.DataFrame(
        {
            "case": pay["case"].to_numpy(),
            "paid": pay["paid"].to_numpy(),
            "amount": amt,
            "part": part,
        }
    )


def measure_wrong(w: WorldState, payments: pd.DataFrame) -> None:
    """Set each error case's wrong amount and the first day it was paid wrongly from its payments;
    drop errors that paid nothing wrong."""
    c = w.cases
    err = c[c["err"]]
    parts = wrong_parts(payments, err)
    part = parts["part"].to_numpy()
    amt = parts["amount"].to_numpy()
    measured = pd.Series(np.nan_to_num(part)).groupby(parts["case"].to_numpy()).sum()
    computed = ~err["wrong_mode"].isin(["fixed"]).to_numpy()
    ids = err["case"].to_numpy()
    val = np.where(computed, measured.reindex(ids).fillna(0.0).to_numpy(), err["wrong"].to_numpy())
    # a fixed amount counts only if the case paid something in the world
    paid_any = (
        pd.Series(amt).groupby(parts["case"].to_numpy()).sum().reindex(ids).fillna(0).to_numpy() > 0
    )
    val = np.where(paid_any | computed, val, 0.0)
    # wrong from the first row with a wrong part (fixed amounts: the first paid row)
    wrong_row = np.where(np.isnan(part), amt > 0, part > 0)
    first = parts.loc[wrong_row, ["case", "paid"]].groupby("case")["paid"].min()
    idx = c.index[c["err"].to_numpy()]
    c.loc[idx, "wrong"] = np.round(val)
    c.loc[idx, "wrong_from"] = first.reindex(ids).fillna(NA_DAY).to_numpy(dtype="int64")
    gone = idx[np.round(val) <= 0]
    c.loc[gone, ["err", "intentional", "weak"]] = False
    c.loc[gone, ["mechanism", "caused_by", "wrong_mode"]] = None
    c.loc[gone, "wrong"] = 0.0
    c.loc[gone, "wrong_from"] = NA_DAY
