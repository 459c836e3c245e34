"""Payments: daily benefits chunked per month (TFP and KAR per episode), reversals, corrections."""

from __future__ import annotations

import numpy as np
import pandas as pd

from felrisk.benefit_rules import BenefitRules
from synthetic.casebook import capped_daily
from synthetic.scenario import Scenario
from synthetic.streams import stream
from synthetic.timeaxis import split_by_month

PER_MONTH = ("SJP", "FP")
PER_EPISODE = ("TFP", "KAR")


def daily_payment_rows(
    cases: pd.DataFrame, start: int, end: int, seed: int, rules: BenefitRules
) -> pd.DataFrame:
    """Payment rows of the daily benefits: SJP and FP per calendar month, TFP and KAR per episode.

    A monthly row pays the daily amount in force in its month: an amount at the cap follows the
    cap of the row's year (the price base amount changes on 1 January)."""
    rng = stream(seed, "daily_pay")
    c = cases[cases["benefit"].isin(PER_MONTH + PER_EPISODE)]
    ps = np.maximum(c["ps"].to_numpy(), start)
    pe = np.minimum(c["pe"].to_numpy(), end)
    ok = ps <= pe
    c, ps, pe = c[ok], ps[ok], pe[ok]
    monthly = c["benefit"].isin(PER_MONTH).to_numpy()
    idx, cs, ce, _ = split_by_month(ps[monthly], pe[monthly])
    cm = c[monthly]
    daily_m = cm["daily"].to_numpy()[idx]
    for benefit in PER_MONTH:
        on = cm["benefit"].to_numpy()[idx] == benefit
        daily_m[on] = capped_daily(
            benefit, daily_m[on], cm["ps"].to_numpy()[idx][on], cs[on], rules
        )
    rows_m = pd.DataFrame(
        {
            "case": cm["case"].to_numpy()[idx],
            "ps": cs,
            "pe": ce,
            "extent": cm["extent"].to_numpy()[idx],
            "hours": np.nan,
            "amount": np.round(
                (ce - cs + 1) * daily_m * (cm["extent"] * cm["amount_factor"]).to_numpy()[idx]
            ),
            "not_before": np.maximum(ce, cm["opened"].to_numpy()[idx])
            + rng.integers(1, 12, len(idx)),
        }
    )
    ce_ = c[~monthly]
    rows_e = pd.DataFrame(
        {
            "case": ce_["case"].to_numpy(),
            "ps": ps[~monthly],
            "pe": pe[~monthly],
            "extent": ce_["extent"].to_numpy(),
            "hours": np.nan,
            "amount": np.round(
                (pe[~monthly] - ps[~monthly] + 1)
                * (ce_["daily"] * ce_["extent"] * ce_["amount_factor"]).to_numpy()
            ),
            "not_before": np.maximum(pe[~monthly], ce_["opened"].to_numpy())
            + rng.integers(1, 15, len(ce_)),
        }
    )
    return pd.concat([rows_m, rows_e], ignore_index=True)


def finish_payments(
    rows: pd.DataFrame, cases: pd.DataFrame, end: int, sc: Scenario, seed: int
) -> pd.DataFrame:
    """Add person, benefit, paid date, automation flag, double payments, reversals and corrections."""
    rng = stream(seed, "payments")
    b = sc.benefits
    info = cases.set_index("case")
    rows = rows.copy()
    rows["pid"] = info["pid"].reindex(rows["case"]).to_numpy()
    rows["benefit"] = info["benefit"].reindex(rows["case"]).to_numpy()
    rows["paid"] = rows["not_before"].to_numpy()
    # automation is decided per case (TFP 73 %, FP 59 %)
    auto_p = {"TFP": b.tfp_automated, "FP": b.fp_automated}
    case_u = stream(seed, "automated").random(int(cases["case"].max()) + 2)
    p = rows["benefit"].map(lambda x: auto_p.get(x, b.other_automated)).to_numpy(dtype="float64")
    rows["automated"] = case_u[rows["case"].to_numpy()] < p
    rows["kind"] = "normal"
    # the agency paid one period twice (fk_double_payment): a second identical row, days later
    dbl_cases = info.index[info["mechanism"].to_numpy() == "fk_double_payment"]
    cand = rows[rows["case"].isin(dbl_cases)]
    first = cand.sample(frac=1.0, random_state=np.random.RandomState(rng.integers(2**31)))
    first = first.drop_duplicates("case")
    dup = first.copy()
    dup["paid"] = dup["paid"] + rng.integers(0, 21, len(dup))
    dup["kind"] = "double"
    dup["automated"] = False
    # reversals (negative) of earlier payments, most followed by a corrected payment
    rev_src = rows[(rng.random(len(rows)) < b.reversal_share) & (rows["amount"] > 0)]
    rev = rev_src.copy()
    rev["paid"] = rev["paid"] + rng.integers(10, 91, len(rev))
    rev["amount"] = -rev["amount"]
    rev["automated"] = False
    rev["kind"] = "reversal"
    corr = rev_src[rng.random(len(rev_src)) < 0.7].copy()
    corr["paid"] = rev.loc[corr.index, "paid"]
    corr["amount"] = np.round(corr["amount"] * rng.uniform(0.85, 1.0, len(corr)))
    corr["automated"] = False
    corr["kind"] = "correction"
    out = pd.concat([rows, dup, rev, corr], ignore_index=True)
    out = out[out["paid"] <= end]
    out = out.sort_values(["case", "ps", "paid", "kind", "amount"], kind="stable").reset_index(
        drop=True
    )
    out["payment"] = np.arange(1, len(out) + 1)
    return out
