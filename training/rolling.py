"""Prequential evaluation: each of the last periods predicted by models trained before it began."""

from __future__ import annotations

import numpy as np
import pandas as pd

from training import metrics
from training.config import TrainingConfig
from training.dataset import TrainingSet
from training.fitting import fit_classifiers
from training.split import TimeSplit, rolling_splits


def rolling_evaluation(ts: TrainingSet, split: TimeSplit, cfg: TrainingConfig) -> pd.DataFrame:
    """Hit rate at k per model and period on that period's random stream (oldest period first).

    A period with too few rows or labels is reported with its counts and no figures.
    """
    boot = {"n_boot": cfg.bootstrap.n_boot, "seed": cfg.seed}
    f = ts.frame
    usable = f["selection"].isin(cfg.train_selections).to_numpy()
    random = (f["selection"] == "random").to_numpy()
    selected = f["selected_date"]
    rows = []
    for period, end in rolling_splits(split, cfg.split):
        p = period.assign(selected, f["closed_date"]).to_numpy()
        tr, va = (p == "train") & usable, (p == "validate") & usable
        te = (
            random
            & (selected >= pd.Timestamp(period.t2)).to_numpy()
            & (selected < pd.Timestamp(end)).to_numpy()
        )
        base = {
            "period_start": period.t2.isoformat(),
            "period_end": end.isoformat(),
            "n_train": int(tr.sum()),
            "n_test": int(te.sum()),
        }
        y_tr, y_te = f.loc[tr, "is_error"].to_numpy(), f.loc[te, "is_error"].to_numpy()
        if te.sum() < cfg.capacity.min_k or len(np.unique(y_tr)) < 2 or len(np.unique(y_te)) < 2:
            rows.append(base)
            continue
        k = cfg.capacity.k_for(int(te.sum()))
        X_te = ts.X(te)
        for name, est in fit_classifiers(ts, tr, va, cfg).items():
            hit = metrics.precision_at_k(y_te, est.predict_proba(X_te)[:, 1], k, **boot)
            rows.append(
                {
                    **base,
                    "model": name,
                    "k": k,
                    "base_rate": float(y_te.mean()),
                    "hit_rate": hit.value,
                    "hit_rate_low": hit.low,
                    "hit_rate_high": hit.high,
                }
            )
    return pd.DataFrame(rows)
