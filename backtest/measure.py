"""What each replayed list found: honest figures from the random stream, oracle ones from truth.

Honest: a pick of night D has an outcome only where the agency's random internal control drew
the case on or after D. An earlier draw cannot serve: the night already knew it, and a draw that
confirmed an error corrected the case, so the picks an earlier draw labels are the error-free
ones by construction (on a 200,000-person world every such label was "no error"). A later draw is
independent of what the night knew; its inclusion probability is the logged selection
probability times the share of the case's selectable span (its open days within the random
stream's days) that lies on or after D, as the stream draws a case once on a uniform day of that
span. Errors per control are Hájek ratios over the labelled picks with weights 1/probability;
errors found are Horvitz-Thompson totals (the weighted errors), so picks two policies share count
the same for both. Oracle (synthetic worlds only): whether the case really held an error that was
not corrected before the night, and its wrong amount. Intervals resample nights (a night's picks
move together), paired across policies.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from felrisk.bootstrap import Estimate, bootstrap
from felrisk.contract import ERROR_OUTCOMES

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
# figure -> (numerator, denominator) over SUMS; a denominator of None makes the figure a total
FIGURES = {
    "oracle_errors_per_control": ("oracle_errors", "picks"),
    "oracle_wrong_sek_per_control": ("oracle_wrong_sek", "picks"),
    "honest_errors_per_control": ("honest_errors_w", "honest_weight"),
    "honest_wrong_sek_per_control": ("honest_wrong_sek_w", "honest_weight"),
    "honest_errors": ("honest_errors_w", None),
    "oracle_errors_found": ("oracle_errors", None),
}


# Figures whose paired differences every backtest reports.
PAIRED_FIGURES = (
    "honest_errors_per_control",
    "oracle_errors_per_control",
    "honest_errors",
    "oracle_errors_found",
)


def random_draws(controls: pd.DataFrame) -> pd.DataFrame:
    """Every closed random-stream control: case, day drawn, probability, error and wrong SEK."""
    c = controls[(controls["selection"] == "random") & controls["outcome"].notna()]
    c = c[pd.to_datetime(c["closed_date"]).notna()]
    p = pd.to_numeric(c["selection_probability"], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(p) & (p > 0)
    return pd.DataFrame(
        {
            "case_id": c["case_id"].astype(str).to_numpy(),
            "drawn": pd.to_datetime(c["selected_date"]).to_numpy(),
            "control_id": c["control_id"].astype(str).to_numpy(),
            "draw_p": np.where(ok, p, 1.0),
            "honest_error": c["outcome"].isin(ERROR_OUTCOMES).to_numpy(),
            "honest_wrong": pd.to_numeric(c["wrong_amount_sek"]).fillna(0.0).to_numpy(),
        }
    )


def draw_spans(cases: pd.DataFrame, draws: pd.DataFrame) -> pd.DataFrame:
    """Per case, the days the random stream could draw it: open, within the stream's days."""
    if draws.empty:
        return pd.DataFrame({"case_id": [], "span_lo": [], "span_hi": []})
    first, last = draws["drawn"].min(), draws["drawn"].max()
    opened = pd.to_datetime(cases["opened_date"])
    closed = pd.to_datetime(cases["closed_date"]).fillna(last)
    return pd.DataFrame(
        {
            "case_id": cases["case_id"].astype(str).to_numpy(),
            "span_lo": opened.clip(lower=first).to_numpy(),
            "span_hi": closed.clip(upper=last).to_numpy(),
        }
    )


def share_on_or_after(night, lo, hi) -> np.ndarray:
    """Share of the span [lo, hi] (days, inclusive) on or after the night; 1 where unknown."""

    def days(a, b) -> np.ndarray:
        d = pd.to_datetime(np.asarray(b)) - pd.to_datetime(np.asarray(a))
        return np.asarray(d / pd.Timedelta(days=1), dtype=float) + 1

    span, after = days(lo, hi), days(night, hi)
    share = np.clip(after, 1.0, None) / np.where(span >= 1, span, np.nan)
    return np.where(np.isfinite(share), np.clip(share, 0.0, 1.0), 1.0)


def label_picks(
    picks: pd.DataFrame,
    controls: pd.DataFrame,
    truth: pd.DataFrame | None,
    cases: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Picks with their honest label (a random draw on or after the night) and oracle truth.

    `cases` (case_id, opened_date, closed_date) gives each draw's span; without it the share of
    the span after the night is taken as 1 (the weight is then the logged probability's alone).
    """
    out = picks.reset_index(drop=True).assign(_pick=lambda f: np.arange(len(f)))
    night = pd.to_datetime(out["as_of"])
    draws = random_draws(controls)
    later = out[["_pick", "case_id"]].assign(night=night).merge(draws, on="case_id")
    later = later[later["drawn"] >= later["night"]]
    later = later.sort_values(["_pick", "drawn", "control_id"], kind="mergesort")
    later = later.drop_duplicates("_pick")
    share = np.ones(len(later))
    if cases is not None and not later.empty:
        spans = later[["case_id"]].merge(draw_spans(cases, draws), on="case_id", how="left")
        share = share_on_or_after(later["night"], spans["span_lo"], spans["span_hi"])
    later = later.assign(honest_w=1.0 / (later["draw_p"].to_numpy() * share))
    keep = ["_pick", "honest_w", "honest_error", "honest_wrong"]
    out = out.merge(later[keep], on="_pick", how="left").drop(columns="_pick")
    out["labelled"] = out["honest_w"].notna()
    out["honest_w"] = out["honest_w"].fillna(0.0)
    out["honest_error"] = out["honest_error"].astype("boolean").fillna(False).astype(bool)
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


def _ratio_stat(num: np.ndarray, den: np.ndarray | None):
    def stat(counts: np.ndarray) -> np.ndarray:
        if den is None:
            return counts @ num
        d = counts @ den
        return np.where(d > 0, (counts @ num) / np.where(d > 0, d, 1.0), np.nan)

    return stat


def _columns(sums: pd.DataFrame, policy: str, figure: str) -> tuple[np.ndarray, np.ndarray | None]:
    num_col, den_col = FIGURES[figure]
    den = None if den_col is None else _matrix(sums, policy, den_col)
    return _matrix(sums, policy, num_col), den


def _usable(num: np.ndarray, den: np.ndarray | None) -> bool:
    return len(num) > 0 and not np.isnan(num).all() and (den is None or den.sum() > 0)


def figure_estimate(
    sums: pd.DataFrame, policy: str, figure: str, *, n_boot: int, seed: int, level: float
) -> Estimate:
    """One figure of one policy over all nights, with a bootstrap-over-nights interval."""
    num, den = _columns(sums, policy, figure)
    if not _usable(num, den):
        return Estimate(float("nan"), float("nan"), float("nan"))
    return bootstrap(_ratio_stat(num, den), len(num), n_boot=n_boot, seed=seed, level=level)


def paired_difference(
    sums: pd.DataFrame, a: str, b: str, figure: str, *, n_boot: int, seed: int, level: float
) -> Estimate:
    """Figure of policy a minus that of b, the same nights resampled for both."""
    na, da = _columns(sums, a, figure)
    nb, db = _columns(sums, b, figure)
    if len(na) != len(nb) or not (_usable(na, da) and _usable(nb, db)):
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
            if figure == "oracle_errors_found":
                continue  # the oracle count is exact: oracle_errors
            est = figure_estimate(sums, policy, figure, n_boot=n_boot, seed=seed, level=level)
            row |= {figure: est.value, f"{figure}_low": est.low, f"{figure}_high": est.high}
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
    """Paired differences (a - b), honest and oracle, per policy pair: errors per control and
    errors found (the lists' whole catch at the same capacity)."""
    rows = []
    for a, b in pairs:
        for figure in PAIRED_FIGURES:
            est = paired_difference(sums, a, b, figure, n_boot=n_boot, seed=seed, level=level)
            rows.append(
                {"policy": a, "versus": b, "figure": figure}
                | {"difference": est.value, "low": est.low, "high": est.high}
            )
    return pd.DataFrame(rows)
