"""What each replayed list found: honest figures from the random stream, oracle ones from truth.

Honest: a pick's outcome is known only where the agency's random internal control checked the
case (closed, any time in the data). Errors per control are estimated over those labelled picks
with inverse-probability (Hájek) weights, so a benefit the random stream samples thinly counts
as much as its picks; wrong SEK per control likewise. Oracle (synthetic worlds only): whether
the case really held an error that was not corrected before the night, and its wrong amount.
Intervals resample nights (a night's picks move together), paired across policies.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from felrisk.contract import ERROR_OUTCOMES
from training.metrics_bootstrap import Estimate, bootstrap

# Per night and policy, the sums every figure is a ratio of.
SUMS = (
    "picks",
    "oracle_errors",
    "oracle_wrong_sek",
    "labelled",
    "honest_weight",
    "honest_errors_w",
    "honest_wrong_sek_w",
)
# figure -> (numerator, denominator) over SUMS
FIGURES = {
    "oracle_errors_per_control": ("oracle_errors", "picks"),
    "oracle_wrong_sek_per_control": ("oracle_wrong_sek", "picks"),
    "honest_errors_per_control": ("honest_errors_w", "honest_weight"),
    "honest_wrong_sek_per_control": ("honest_wrong_sek_w", "honest_weight"),
}


def random_labels(controls: pd.DataFrame) -> pd.DataFrame:
    """Per case, the first closed random-stream control: is_error, weight (1/p), wrong SEK."""
    c = controls[(controls["selection"] == "random") & controls["outcome"].notna()]
    c = c[pd.to_datetime(c["closed_date"]).notna()]
    c = c.sort_values(["case_id", "selected_date", "control_id"], kind="mergesort")
    c = c.drop_duplicates("case_id")
    p = pd.to_numeric(c["selection_probability"], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(p) & (p > 0)
    return pd.DataFrame(
        {
            "case_id": c["case_id"].astype(str).to_numpy(),
            "honest_error": c["outcome"].isin(ERROR_OUTCOMES).to_numpy(),
            "honest_w": np.where(ok, 1.0 / np.where(ok, p, 1.0), 1.0),
            "honest_wrong": pd.to_numeric(c["wrong_amount_sek"]).fillna(0.0).to_numpy(),
        }
    )


def label_picks(
    picks: pd.DataFrame, controls: pd.DataFrame, truth: pd.DataFrame | None
) -> pd.DataFrame:
    """Picks with their honest label (where the random stream has one) and oracle truth."""
    out = picks.merge(random_labels(controls), on="case_id", how="left")
    out["labelled"] = out["honest_w"].notna()
    out["honest_w"] = out["honest_w"].fillna(0.0)
    out["honest_error"] = out["honest_error"].fillna(False).astype(bool)
    out["honest_wrong"] = out["honest_wrong"].fillna(0.0)
    if truth is None:
        out["oracle_error"] = np.nan
        out["oracle_wrong"] = np.nan
        return out
    t = truth.assign(case_id=truth["case_id"].astype(str))
    cols = ["case_id", "is_erroneous", "wrong_amount_sek"]
    if "corrected_date" in t.columns:
        cols.append("corrected_date")
    out = out.merge(t[cols], on="case_id", how="left")
    erroneous = out["is_erroneous"].fillna(False).astype(bool)
    if "corrected_date" in out.columns:
        corrected = pd.to_datetime(out["corrected_date"])
        erroneous &= ~(corrected < pd.to_datetime(out["as_of"])).fillna(False)
    out["oracle_error"] = erroneous.astype(float)
    out["oracle_wrong"] = np.where(erroneous, out["wrong_amount_sek"].fillna(0.0), 0.0)
    return out.drop(columns=[c for c in cols if c != "case_id"])


def night_sums(labelled: pd.DataFrame) -> pd.DataFrame:
    """Per policy and night: picks, oracle finds and SEK, labelled picks and weighted sums."""
    f = labelled.assign(
        honest_errors_w=labelled["honest_w"] * labelled["honest_error"],
        honest_wrong_sek_w=labelled["honest_w"]
        * labelled["honest_error"]
        * labelled["honest_wrong"],
    )
    g = f.groupby(["policy", "as_of"], sort=True)
    out = g.agg(
        picks=("case_id", "size"),
        model_picks=("selection", lambda s: int((s == "model").sum())),
        oracle_errors=("oracle_error", "sum"),
        oracle_wrong_sek=("oracle_wrong", "sum"),
        labelled=("labelled", "sum"),
        honest_weight=("honest_w", "sum"),
        honest_errors_w=("honest_errors_w", "sum"),
        honest_wrong_sek_w=("honest_wrong_sek_w", "sum"),
    )
    if labelled["oracle_error"].isna().all():
        out[["oracle_errors", "oracle_wrong_sek"]] = np.nan
    return out.reset_index()


def complete_nights(sums: pd.DataFrame, policies: Sequence[str], nights: Sequence) -> pd.DataFrame:
    """Every (policy, night) pair, with zero sums where a policy picked nobody that night."""
    idx = pd.MultiIndex.from_product([list(policies), list(nights)], names=["policy", "as_of"])
    full = sums.set_index(["policy", "as_of"]).reindex(idx)
    zero = [c for c in full.columns if not full[c].isna().all()]
    full[zero] = full[zero].fillna(0.0)
    return full.reset_index()


def _matrix(sums: pd.DataFrame, policy: str, column: str) -> np.ndarray:
    return sums.loc[sums["policy"] == policy, column].to_numpy(dtype=float)


def _ratio_stat(num: np.ndarray, den: np.ndarray):
    def stat(counts: np.ndarray) -> np.ndarray:
        d = counts @ den
        return np.where(d > 0, (counts @ num) / np.where(d > 0, d, 1.0), np.nan)

    return stat


def figure_estimate(
    sums: pd.DataFrame, policy: str, figure: str, *, n_boot: int, seed: int, level: float
) -> Estimate:
    """One figure of one policy over all nights, with a bootstrap-over-nights interval."""
    num_col, den_col = FIGURES[figure]
    num, den = _matrix(sums, policy, num_col), _matrix(sums, policy, den_col)
    if len(num) == 0 or np.isnan(num).all() or den.sum() <= 0:
        return Estimate(float("nan"), float("nan"), float("nan"))
    return bootstrap(_ratio_stat(num, den), len(num), n_boot=n_boot, seed=seed, level=level)


def paired_difference(
    sums: pd.DataFrame, a: str, b: str, figure: str, *, n_boot: int, seed: int, level: float
) -> Estimate:
    """Figure of policy a minus that of b, the same nights resampled for both."""
    num_col, den_col = FIGURES[figure]
    na, da = _matrix(sums, a, num_col), _matrix(sums, a, den_col)
    nb, db = _matrix(sums, b, num_col), _matrix(sums, b, den_col)
    if len(na) == 0 or len(na) != len(nb) or da.sum() <= 0 or db.sum() <= 0:
        return Estimate(float("nan"), float("nan"), float("nan"))
    if np.isnan(na).all() or np.isnan(nb).all():
        return Estimate(float("nan"), float("nan"), float("nan"))
    ra, rb = _ratio_stat(na, da), _ratio_stat(nb, db)
    return bootstrap(lambda c: ra(c) - rb(c), len(na), n_boot=n_boot, seed=seed, level=level)


def totals(
    sums: pd.DataFrame, policies: Sequence[str], *, n_boot: int, seed: int, level: float
) -> pd.DataFrame:
    """One row per policy: counts over all nights and each figure with its interval."""
    rows = []
    for policy in policies:
        s = sums[sums["policy"] == policy]
        row = {
            "policy": policy,
            "nights": int(len(s)),
            "picks": int(s["picks"].sum()),
            "model_picks": int(s["model_picks"].sum()),
            "labelled_picks": int(s["labelled"].sum()),
            "oracle_errors": float(s["oracle_errors"].sum(min_count=1)),
            "oracle_wrong_sek": float(s["oracle_wrong_sek"].sum(min_count=1)),
        }
        for figure in FIGURES:
            est = figure_estimate(sums, policy, figure, n_boot=n_boot, seed=seed, level=level)
            row |= {figure: est.value, f"{figure}_low": est.low, f"{figure}_high": est.high}
        # errors the list found, estimated: its honest rate per control times its picks
        for part in ("", "_low", "_high"):
            row[f"honest_errors{part}"] = row[f"honest_errors_per_control{part}"] * row["picks"]
        rows.append(row)
    return pd.DataFrame(rows)


def paired_table(
    sums: pd.DataFrame,
    pairs: Sequence[tuple[str, str]],
    *,
    n_boot: int,
    seed: int,
    level: float,
) -> pd.DataFrame:
    """Paired differences (a - b) of errors per control, honest and oracle, per policy pair."""
    rows = []
    for a, b in pairs:
        for figure in ("honest_errors_per_control", "oracle_errors_per_control"):
            est = paired_difference(sums, a, b, figure, n_boot=n_boot, seed=seed, level=level)
            rows.append(
                {"policy": a, "versus": b, "figure": figure}
                | {"difference": est.value, "low": est.low, "high": est.high}
            )
    return pd.DataFrame(rows)
