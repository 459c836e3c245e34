"""The training configuration (felrisk/config/training.toml) as one frozen, strict object."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from features.registry import feature_names
from felrisk.config import FrozenConfig, default_config_path, load_config, unknown_names
from felrisk.errors import ConfigError

Selection = Literal["random", "rule", "model", "tip", "report"]


class SplitConfig(FrozenConfig):
    """Time split: train before T1, validate [T1, T2), test from T2; never shuffled."""

    mode: Literal["months", "fraction"]
    validate_months: int = Field(ge=1)
    test_months: int = Field(ge=1)
    train_fraction: float = Field(gt=0, lt=1)
    validate_fraction: float = Field(gt=0, lt=1)
    rolling_periods: int = Field(ge=0)
    rolling_months: int = Field(ge=1)

    @model_validator(mode="after")
    def _fractions(self) -> SplitConfig:
        if self.train_fraction + self.validate_fraction >= 1:
            raise ValueError("train_fraction + validate_fraction must leave room for a test period")
        return self


class CapacityConfig(FrozenConfig):
    """Control capacity k on the test period's random stream: a share of its rows, or absolute."""

    k_share: float = Field(gt=0, le=1)
    k: int = Field(ge=0)
    min_k: int = Field(ge=1)

    def k_for(self, n_rows: int) -> int:
        """k for a random stream of `n_rows` (never more than the rows there are)."""
        k = self.k if self.k > 0 else max(self.min_k, round(self.k_share * n_rows))
        return int(min(k, n_rows))


class BootstrapConfig(FrozenConfig):
    """Resamples of the evaluation's intervals."""

    n_boot: int = Field(ge=10)


class GateConfig(FrozenConfig):
    """Champion gate: the multiple-testing adjustment and the paired improvement over the champion.

    The audit's band, groups and resamples are the audit policy's (audit.toml).
    """

    multiple_testing: Literal["bonferroni", "none"]
    min_improvement: float
    per_benefit_min_picks: int = Field(ge=1)


class RulePriorConfig(FrozenConfig):
    """One rule feature's Beta prior; a missing value takes the rules' default."""

    prior_mean: float | None = Field(None, gt=0, lt=1)
    prior_strength: float | None = Field(None, gt=0)
    source: str


class RulesConfig(FrozenConfig):
    """Rules as signals: which features are rules, their priors, the streams that teach them, and
    how a rule's precision combines with the model (models/rules.py)."""

    precision_selections: tuple[Selection, ...] = Field(min_length=1)
    combine: Literal["max", "noisy_or"]
    default_prior_mean: float = Field(gt=0, lt=1)
    default_prior_strength: float = Field(gt=0)
    features: dict[str, RulePriorConfig] = Field(min_length=1)

    def priors(self) -> dict[str, tuple[float, float]]:
        """(prior mean, prior strength) per rule feature, in config order."""
        return {
            name: (
                self.default_prior_mean if p.prior_mean is None else p.prior_mean,
                self.default_prior_strength if p.prior_strength is None else p.prior_strength,
            )
            for name, p in self.features.items()
        }

    def check_features(self, known: Sequence[str], source: str = "training.toml") -> None:
        """A rule must be a model input (the hybrid reads it from the model's columns)."""
        problem = unknown_names(self.features, known, "model-input feature")
        if problem:
            raise ConfigError(f"{source}: rules.features: {problem}")


class LogisticConfig(FrozenConfig):
    """The logistic baseline's regularisation and iterations."""

    C: float = Field(gt=0)
    max_iter: int = Field(ge=10)


class BoosterConfig(FrozenConfig):
    """LightGBM settings of a booster: the amount model's, and the classifiers' trees."""

    num_boost_round: int = Field(ge=1)
    learning_rate: float = Field(gt=0, le=1)
    num_leaves: int = Field(ge=2)
    min_data_in_leaf: int = Field(ge=1)
    feature_fraction: float = Field(gt=0, le=1)
    bagging_fraction: float = Field(gt=0, le=1)
    bagging_freq: int = Field(ge=0)
    lambda_l2: float = Field(ge=0)
    max_cat_to_onehot: int = Field(ge=1)
    num_threads: int = Field(ge=1)


class ClassifierBoosterConfig(BoosterConfig):
    """A classifier's booster (the error and intent models): trees plus probability calibration."""

    calibration: Literal["sigmoid", "isotonic"]
    calibration_selections: tuple[Selection, ...]
    calibration_folds: int = Field(ge=2)


class ProfileConfig(FrozenConfig):
    """Quantile bins of the drift profile stored with the model."""

    bins: int = Field(ge=2, le=100)


class TrainingConfig(FrozenConfig):
    """Everything `felrisk train` can tune."""

    seed: int
    feature_chunk_rows: int = Field(ge=1_000)
    registered_model_name: str = Field(min_length=1)
    experiment: str = Field(min_length=1)
    scoring_experiment: str = Field(min_length=1)
    train_selections: tuple[Selection, ...] = Field(min_length=1)
    split: SplitConfig
    capacity: CapacityConfig
    bootstrap: BootstrapConfig
    gate: GateConfig
    rules: RulesConfig
    logistic: LogisticConfig
    lightgbm: ClassifierBoosterConfig
    amount: BoosterConfig
    intent: ClassifierBoosterConfig
    profile: ProfileConfig


def load_training_config(path: str | Path | None = None, seed: int | None = None) -> TrainingConfig:
    """Read the training config (default: the shipped one); `seed` overrides the file's seed.

    Rule features are checked against the feature registry's model inputs.
    """
    cfg = load_config(TrainingConfig, path, "training.toml")
    cfg.rules.check_features(
        feature_names(model_inputs_only=True),
        str(path if path is not None else default_config_path("training.toml")),
    )
    return cfg.model_copy(update={"seed": seed}) if seed is not None else cfg
