"""The historical control policy that produced the `controls` table (the labels).

Three streams, as at the agency:
- random: each case is drawn with a known probability per benefit (logged), on a random day it
  was open; the only unbiased yardstick of error rates;
- rule: a share of the flags of the agency's simple rules, some days after the flag was visible;
- tip: tips point to erroneous cases more often, and (a biased source) to women for FP/TFP.
Outcomes come from the truth with imperfect recall; each has its own closed_date after selection.
A person is not controlled again by a rule or a tip within the cooldown; the random stream
ignores the cooldown so that its logged probabilities stay true.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.scenario import Scenario
from synthetic.streams import stream
from synthetic.timeaxis import NA_DAY

SELECTION_ORDER = {"random": 0, "rule": 1, "tip": 2}


def _active_span(cases: pd.DataFrame, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
    """First and last day a case could be selected: open, known, inside the world."""
    lo = np.maximum(cases["opened"].to_numpy(), start)
    closed = cases["closed"].to_numpy()
    hi = np.minimum(np.where(closed == NA_DAY, end, closed), end)
    return lo, hi


def _uniform_day(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return lo + (rng.random(len(lo)) * (hi - lo + 1)).astype("int64")


def random_stream(
    cases: pd.DataFrame, start: int, end: int, sc: Scenario, seed: int
) -> pd.DataFrame:
    """Random internal control: each open case drawn with its benefit's logged probability."""
    rng = stream(seed, "controls:random")
    lo, hi = _active_span(cases, start, end)
    prob = (
        cases["benefit"].map(sc.controls.random_probability).fillna(0.0).to_numpy(dtype="float64")
    )
    hit = (lo <= hi) & (rng.random(len(cases)) < prob)
    day = _uniform_day(rng, lo, hi)
    return pd.DataFrame(
        {
            "case": cases["case"].to_numpy()[hit],
            "selected": day[hit],
            "selection": "random",
            "probability": prob[hit],
        }
    )


def rule_stream(
    cases: pd.DataFrame, flags: pd.DataFrame, start: int, end: int, sc: Scenario, seed: int
) -> pd.DataFrame:
    """Targeted controls: a share of the agency rules' flags, a few weeks after they were seen."""
    rng = stream(seed, "controls:rule")
    f = flags.sort_values(["case", "seen", "rule"], kind="stable").drop_duplicates("case")
    take = rng.random(len(f)) < sc.controls.rule_share
    day = f["seen"].to_numpy() + rng.integers(5, 60, len(f))
    lo, _ = _active_span(cases.set_index("case").loc[f["case"]].reset_index(), start, end)
    day = np.maximum(day, lo)
    ok = take & (day >= start) & (day <= end)
    return pd.DataFrame(
        {
            "case": f["case"].to_numpy()[ok],
            "selected": day[ok],
            "selection": "rule",
            "probability": np.nan,
        }
    )


def tip_stream(
    cases: pd.DataFrame, persons: pd.DataFrame, start: int, end: int, sc: Scenario, seed: int
) -> pd.DataFrame:
    """Tips: biased towards errors, and towards women for FP and TFP."""
    rng = stream(seed, "controls:tip")
    k = sc.controls
    lo, hi = _active_span(cases, start, end)
    female = persons.set_index("pid")["sex"].reindex(cases["pid"]).to_numpy() == "F"
    parental = cases["benefit"].isin(["FP", "TFP"]).to_numpy()
    wt = 1.0 + (k.tip_error_lift - 1.0) * cases["err"].to_numpy(dtype=bool)
    wt = wt * np.where(parental & female, k.tip_female_bias_fp_tfp, 1.0)
    wt = np.where(lo <= hi, wt, 0.0)
    want = k.tips_per_100k_cases * len(cases) / 1e5
    p = np.minimum(wt * want / max(wt.sum(), 1e-9), 1.0)
    hit = rng.random(len(cases)) < p
    day = _uniform_day(rng, lo, hi)
    return pd.DataFrame(
        {
            "case": cases["case"].to_numpy()[hit],
            "selected": day[hit],
            "selection": "tip",
            "probability": np.nan,
        }
    )


def _cooldown(sel: pd.DataFrame, days: int) -> pd.DataFrame:
    """Drop rule/tip selections within `days` after an earlier selection of the same person.

    Comparing with the previous selection of any kind keeps at least `days` between every kept
    rule/tip control and the one before it, in one vectorised pass.
    """
    sel = sel.sort_values(["pid", "selected", "order", "case"], kind="stable").reset_index(
        drop=True
    )
    prev = sel.groupby("pid", sort=False)["selected"].shift(1)
    close = (sel["selected"] - prev).to_numpy(dtype="float64", na_value=np.inf) < days
    drop = close & (sel["selection"] != "random").to_numpy()
    return sel[~drop]


def control_table(
    cases: pd.DataFrame,
    persons: pd.DataFrame,
    flags: pd.DataFrame,
    start: int,
    end: int,
    sc: Scenario,
    seed: int,
) -> pd.DataFrame:
    """Every control selection of the world with its outcome (internal keys, day numbers)."""
    k = sc.controls
    sel = pd.concat(
        [
            random_stream(cases, start, end, sc, seed),
            rule_stream(cases, flags, start, end, sc, seed),
            tip_stream(cases, persons, start, end, sc, seed),
        ],
        ignore_index=True,
    )
    info = cases.set_index("case")
    sel["pid"] = info["pid"].reindex(sel["case"]).to_numpy()
    sel["order"] = sel["selection"].map(SELECTION_ORDER).to_numpy()
    sel = _cooldown(sel, k.min_days_between_controls)
    sel = sel.sort_values(["selected", "case", "order"], kind="stable").reset_index(drop=True)
    rng = stream(seed, "controls:outcome")
    n = len(sel)
    err = info["err"].reindex(sel["case"]).to_numpy(dtype=bool)
    weak = info["weak"].reindex(sel["case"]).to_numpy(dtype=bool)
    recall = np.where(weak, 0.7 * k.recall, k.recall)
    found = err & (rng.random(n) < recall)
    fk = info["caused_by"].reindex(sel["case"]).to_numpy() == "fk"
    intent = info["intentional"].reindex(sel["case"]).to_numpy(dtype=bool)
    crime = intent & (rng.random(n) < k.suspected_crime_share_of_intentional)
    outcome = np.where(
        ~found,
        "no_error",
        np.where(fk, "error_fk", np.where(crime, "suspected_crime", "error_customer")),
    ).astype(object)
    wrong = np.where(
        found,
        np.round(info["wrong"].reindex(sel["case"]).to_numpy() * rng.uniform(0.85, 1.05, n)),
        0.0,
    )
    closed = sel["selected"].to_numpy() + rng.integers(k.close_days_min, k.close_days_max + 1, n)
    still_open = closed > end
    outcome[still_open] = None
    sel["closed"] = np.where(still_open, NA_DAY, closed)
    sel["outcome"] = outcome
    sel["wrong"] = np.where(still_open, np.nan, wrong)
    sel["benefit"] = info["benefit"].reindex(sel["case"]).to_numpy()
    sel["control"] = np.arange(1, n + 1)
    return sel
