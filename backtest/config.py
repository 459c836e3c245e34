"""The backtest's settings as a frozen config object (felrisk/config/backtest.toml)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from felrisk.config import FrozenConfig, load_config

Policy = Literal["hybrid", "model", "rules", "random"]


class BacktestConfig(FrozenConfig):
    """Night spacing, policies, intervals and the promotion check of the backtest."""

    every_days: int = Field(ge=1, le=366)
    policies: tuple[Policy, ...] = Field(min_length=1)
    n_boot: int = Field(ge=50, le=100_000)
    level: float = Field(gt=0.5, lt=1.0)
    seed: int = Field(ge=0)
    validate_months: int = Field(ge=1, le=24)
    experiment: str = Field(min_length=1)
    promotion_every_days: int = Field(ge=1, le=366)
    min_labelled_picks: int = Field(ge=1)


def load_backtest_config(path: str | Path | None = None) -> BacktestConfig:
    """Read the backtest settings (default: the shipped felrisk/config/backtest.toml)."""
    return load_config(BacktestConfig, path, "backtest.toml")
