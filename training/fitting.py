"""Fit every model side by side on the same rows: random, rules, logistic, LightGBM, and the bundle.

The bundle's ranking is the hybrid of LightGBM and the rules' precision (models/rules.py); the
rule features are monotone (+1) in the error and amount models, so a rule break never lowers a
case's probability nor its expected wrong SEK.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from felrisk.errors import ContractError
from models.baselines import RandomBaseline
from models.boosting import LightGBMAmount, LightGBMClassifier
from models.bundle import RiskModelBundle
from models.linear import LogisticModel
from models.profile import TrainingProfile
from models.rules import RulePrecision
from training.config import BoosterConfig, TrainingConfig
from training.dataset import TrainingSet

MODEL_ORDER = ("random", "rules", "logistic", "lightgbm")
HYBRID = "hybrid"
BY_SEK = "hybrid_sek"


def _booster_kwargs(cfg: BoosterConfig) -> dict:
    """The estimator's keywords: every field of the booster's section of training.toml."""
    return cfg.model_dump()


def _rising(cfg: TrainingConfig) -> list[str]:
    """Features the error and amount models may only rise with: the rules."""
    return list(cfg.rules.features)


def make_classifiers(cfg: TrainingConfig, categorical: list[str]) -> dict[str, object]:
    """The models compared in one run, built from the config (training never branches on type)."""
    return {
        "random": RandomBaseline(seed=cfg.seed),
        "rules": RulePrecision(
            priors=cfg.rules.priors(), selections=cfg.rules.precision_selections
        ),
        "logistic": LogisticModel(
            categorical_features=categorical,
            C=cfg.logistic.C,
            max_iter=cfg.logistic.max_iter,
            seed=cfg.seed,
        ),
        "lightgbm": LightGBMClassifier(
            categorical_features=categorical,
            seed=cfg.seed,
            monotone_increasing=_rising(cfg),
            **_booster_kwargs(cfg.lightgbm),
        ),
    }


def fit_classifiers(
    ts: TrainingSet, train: np.ndarray, validate: np.ndarray, cfg: TrainingConfig
) -> dict[str, object]:
    """Every classifier fitted the same way: train rows, calibration on the validation rows, and
    each row's selection stream (the rules count only unbiased streams; the others ignore it)."""
    f = ts.frame
    classifiers = make_classifiers(cfg, ts.categorical_features)
    for est in classifiers.values():
        est.fit(
            ts.X(train),
            f.loc[train, "is_error"].to_numpy(),
            selection=f.loc[train, "selection"].to_numpy(),
            X_cal=ts.X(validate),
            y_cal=f.loc[validate, "is_error"].to_numpy(),
            selection_cal=f.loc[validate, "selection"].to_numpy(),
        )
    return classifiers


@dataclass
class FittedModels:
    """The fitted classifiers (by name) and the bundle: the LightGBM error model and the rules."""

    classifiers: dict[str, object]
    bundle: RiskModelBundle
    n_train: int
    n_validate: int

    def scores(self, X: pd.DataFrame) -> dict[str, np.ndarray]:
        """Each model's ranking score on X, the bundle's hybrid, and the hybrid by expected SEK."""
        out = {name: est.predict_proba(X)[:, 1] for name, est in self.classifiers.items()}
        pred = self.bundle.predict_frame(X)
        out[HYBRID] = pred["probability"].to_numpy()
        if self.bundle.amount_model is not None:
            out[BY_SEK] = pred["expected_wrong_sek"].to_numpy()
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
    cats = ts.categorical_features
    classifiers = fit_classifiers(ts, tr, va, cfg)

    known = tr | va
    pos = known & (ts.frame["is_error"].to_numpy() == 1)
    amounts = ts.frame.loc[pos, "wrong_amount_sek"].to_numpy()
    amount_model = None
    if pos.sum() >= 2 * cfg.amount.min_data_in_leaf:
        amount_model = LightGBMAmount(
            categorical_features=cats,
            seed=cfg.seed,
            monotone_increasing=_rising(cfg),
            **_booster_kwargs(cfg.amount),
        ).fit(ts.X(pos), amounts)

    intent_model = None
    yi_tr = ts.frame.loc[tr, "is_intent"].to_numpy()
    if yi_tr.sum() >= 2 * cfg.intent.min_data_in_leaf // 2 and len(np.unique(yi_tr)) == 2:
        intent_model = LightGBMClassifier(
            categorical_features=cats, seed=cfg.seed, **_booster_kwargs(cfg.intent)
        ).fit(X_tr, yi_tr, X_cal=X_va, y_cal=ts.frame.loc[va, "is_intent"].to_numpy())

    error_model, rules = classifiers["lightgbm"], classifiers["rules"]
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
        metadata={
            "seed": cfg.seed,
            "n_train": int(tr.sum()),
            "n_validate": int(va.sum()),
            "rule_precision": rules.table_.to_dict(orient="records"),
        },
        rules=rules,
        combine=cfg.rules.combine,
    )
    return FittedModels(classifiers, bundle, int(tr.sum()), int(va.sum()))
