"""Fit every model side by side on the same rows: random, rules, logistic, LightGBM, and the bundle."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from felrisk.errors import ContractError
from models.baselines import RandomBaseline, RuleBaseline
from models.boosting import LightGBMAmount, LightGBMClassifier
from models.bundle import RiskModelBundle
from models.linear import LogisticModel
from models.profile import TrainingProfile
from training.config import BoosterConfig, TrainingConfig
from training.dataset import TrainingSet

MODEL_ORDER = ("random", "rules", "logistic", "lightgbm")
BY_SEK = "lightgbm_sek"


def _booster_kwargs(cfg: BoosterConfig, with_calibration: bool) -> dict:
    kw = cfg.model_dump()
    if not with_calibration:
        kw.pop("calibration")
    return kw


def make_classifiers(cfg: TrainingConfig, categorical: list[str]) -> dict[str, object]:
    """The models compared in one run, built from the config (training never branches on type)."""
    return {
        "random": RandomBaseline(seed=cfg.seed),
        "rules": RuleBaseline(weights=dict(cfg.rules.weights)),
        "logistic": LogisticModel(
            categorical_features=categorical,
            C=cfg.logistic.C,
            max_iter=cfg.logistic.max_iter,
            seed=cfg.seed,
        ),
        "lightgbm": LightGBMClassifier(
            categorical_features=categorical, seed=cfg.seed, **_booster_kwargs(cfg.lightgbm, True)
        ),
    }


@dataclass
class FittedModels:
    """The fitted classifiers (by name) and the bundle built around the LightGBM error model."""

    classifiers: dict[str, object]
    bundle: RiskModelBundle
    n_train: int
    n_validate: int

    def scores(self, X: pd.DataFrame) -> dict[str, np.ndarray]:
        """Each model's ranking score on X; LightGBM also ranked by expected wrong SEK."""
        out = {name: est.predict_proba(X)[:, 1] for name, est in self.classifiers.items()}
        if self.bundle.amount_model is not None:
            out[BY_SEK] = self.bundle.predict_frame(X)["expected_wrong_sek"].to_numpy()
        return out


def period_masks(ts: TrainingSet, periods: pd.Series, cfg: TrainingConfig) -> dict[str, np.ndarray]:
    """Rows that train, calibrate and test: test rows are the random stream only."""
    usable = ts.frame["selection"].isin(cfg.train_selections).to_numpy()
    random = (ts.frame["selection"] == "random").to_numpy()
    p = periods.to_numpy()
    return {
        "train": (p == "train") & usable,
        "validate": (p == "validate") & usable,
        "test": (p == "test") & random,
    }


def fit_models(ts: TrainingSet, masks: dict[str, np.ndarray], cfg: TrainingConfig) -> FittedModels:
    """Fit all classifiers on the train rows (calibrating on validation), then amount and intent."""
    tr, va = masks["train"], masks["validate"]
    y_tr = ts.frame.loc[tr, "is_error"].to_numpy()
    if tr.sum() == 0 or len(np.unique(y_tr)) < 2:
        raise ContractError(
            f"the training period holds {int(tr.sum())} closed controls with "
            f"{int(y_tr.sum()) if len(y_tr) else 0} errors: too few to train (check split)"
        )
    X_tr, X_va = ts.X(tr), ts.X(va)
    y_va = ts.frame.loc[va, "is_error"].to_numpy()
    cats = ts.categorical_features
    classifiers = make_classifiers(cfg, cats)
    for est in classifiers.values():
        est.fit(X_tr, y_tr, X_cal=X_va, y_cal=y_va)

    known = tr | va
    pos = known & (ts.frame["is_error"].to_numpy() == 1)
    amounts = ts.frame.loc[pos, "wrong_amount_sek"].to_numpy()
    amount_model = None
    if pos.sum() >= 2 * cfg.amount.min_data_in_leaf:
        amount_model = LightGBMAmount(
            categorical_features=cats, seed=cfg.seed, **_booster_kwargs(cfg.amount, False)
        ).fit(ts.X(pos), amounts)

    intent_model = None
    yi_tr = ts.frame.loc[tr, "is_intent"].to_numpy()
    if yi_tr.sum() >= 2 * cfg.intent.min_data_in_leaf // 2 and len(np.unique(yi_tr)) == 2:
        intent_model = LightGBMClassifier(
            categorical_features=cats, seed=cfg.seed, **_booster_kwargs(cfg.intent, True)
        ).fit(X_tr, yi_tr, X_cal=X_va, y_cal=ts.frame.loc[va, "is_intent"].to_numpy())

    error_model = classifiers["lightgbm"]
    profile = TrainingProfile.build(
        X_tr, error_model.predict_proba(X_tr)[:, 1], categorical=cats, bins=cfg.profile.bins
    )
    bundle = RiskModelBundle(
        feature_names=list(ts.feature_names),
        categorical_features=list(cats),
        error_model=error_model,
        amount_model=amount_model,
        intent_model=intent_model,
        profile=profile,
        metadata={"seed": cfg.seed, "n_train": int(tr.sum()), "n_validate": int(va.sum())},
    )
    return FittedModels(classifiers, bundle, int(tr.sum()), int(va.sum()))
