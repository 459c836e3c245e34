"""What the nightly job tells MLflow: score distribution, drift (PSI) against training, list sizes,
equal-treatment figures; drift comes from the profile the model carries from its training data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from felrisk.contract import BENEFITS
from scoring.config import SelectionConfig


def drift(bundle, features: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    """PSI per model input and for the score against the bundle's training profile (variable, psi)."""
    profile = getattr(bundle, "profile", None)
    if profile is None or features.empty:
        return pd.DataFrame(columns=["variable", "psi"])
    X = bundle.input_frame(features) if hasattr(bundle, "input_frame") else features
    return profile.psi(X, scored["score"].to_numpy())


def night_metrics(
    scored: pd.DataFrame, lst: pd.DataFrame, psi: pd.DataFrame, fair: pd.DataFrame
) -> dict[str, float]:
    """Flat metrics of one night: sizes per benefit, score quantiles, PSI, failing groups."""
    n = len(scored)
    metrics: dict[str, float] = {
        "cases_scored": n,
        "selected": len(lst),
        "selected_model": int((lst["selection"] == "model").sum()),
        "selected_exploration": int((lst["selection"] == "exploration").sum()),
        "score_mean": float(scored["score"].mean()) if n else np.nan,
        "expected_wrong_sek_selected": float(lst["expected_wrong_sek"].fillna(0).sum()),
    }
    for q in (0.5, 0.9, 0.99):
        metrics[f"score_q{int(q * 100)}"] = float(scored["score"].quantile(q)) if n else np.nan
    for b in BENEFITS:
        metrics[f"selected_{b}"] = int((lst["benefit"] == b).sum())
    for r in psi.itertuples(index=False):
        metrics[f"psi_{r.variable}"] = float(r.psi)
    features_only = psi.loc[psi["variable"] != "score", "psi"]
    if len(features_only):
        metrics["psi_max_feature"] = float(features_only.max())
    if len(fair):
        metrics["fairness_groups_failing"] = int(fair["fails"].sum())
    return metrics


def log_scoring_run(
    scoring_run,
    *,
    as_of: date,
    version: int,
    config: SelectionConfig,
    scored: pd.DataFrame,
    lst: pd.DataFrame,
    psi: pd.DataFrame,
    fair: pd.DataFrame,
    manifest: Path,
    fair_by_benefit: pd.DataFrame | None = None,
) -> None:
    """One run in the scoring experiment: policy as params, metrics, tables, the manifest."""
    params = {
        "rank_by": config.rank_by,
        "intent_threshold": config.intent_threshold,
        "exploration_share": config.exploration_share,
        "cooldown_days": config.cooldown_days,
        "hard_rule_features": ",".join(config.hard_rule_features),
    }
    with scoring_run(as_of, int(version), params) as run:
        run.log_metrics(night_metrics(scored, lst, psi, fair))
        hist, edges = np.histogram(scored["score"].to_numpy(), bins=20, range=(0, 1))
        run.log_table(
            pd.DataFrame({"bin_low": edges[:-1], "bin_high": edges[1:], "n": hist}),
            "score_distribution.csv",
        )
        run.log_table(psi, "drift_psi.csv")
        run.log_table(fair, "equal_treatment.csv")
        if fair_by_benefit is not None:
            run.log_table(fair_by_benefit, "equal_treatment_per_benefit.csv")
        run.log_artifact(manifest)
