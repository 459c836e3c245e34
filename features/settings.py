"""The feature builders' configuration: windows and thresholds read from features.toml."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from felrisk.config import FrozenConfig, load_config


class SgiSettings(FrozenConfig):
    """Thresholds of the SGI and income family."""

    mixup_min_sgi_sek: float = Field(ge=0)
    mixup_max_work_hours: float = Field(ge=0)
    pay_lookback_months: int = Field(ge=2)
    pay_jump_recent_months: int = Field(ge=1)


class WorkSettings(FrozenConfig):
    """Thresholds of the work-while-paid family."""

    months: int = Field(ge=1)

    full_month_pay_factor: float = Field(gt=0)
    tfp_min_days_in_month: int = Field(ge=1)
    tfp_pay_not_lowered_factor: float = Field(gt=0)
    tfp_usual_pay_min_months: int = Field(ge=1)
    tfp_pay_spike_factor: float = Field(gt=1)
    aks_min_pay_sek: float = Field(ge=0)


class SeAeWorkSettings(FrozenConfig):
    """Thresholds of pay beside sjukersättning and aktivitetsersättning (features/se_ae_work.py)."""

    allowed_pay_sek_per_month: float = Field(ge=0)
    baseline_months: int = Field(ge=1)
    final_pay_months: int = Field(ge=0)


class AmountSettings(FrozenConfig):
    """Tolerances of the recomputed daily amounts (features/sgi_amounts.py)."""

    tolerance_share: float = Field(ge=0, lt=1)
    tolerance_sek_per_day: float = Field(ge=0)


class AssistanceSettings(FrozenConfig):
    """Thresholds of the settlement of assistance hours (avräkning)."""

    unreported_min_hours: float = Field(ge=0)


class NetworkSettings(FrozenConfig):
    """Thresholds of the network family."""

    new_employer_days: int = Field(ge=1)
    new_employee_lookback_months: int = Field(ge=1)


class FeatureSettings(FrozenConfig):
    """Every tunable number of the feature definitions."""

    window_days: int = Field(ge=1)
    active_window_days: int = Field(ge=1)
    extent_tolerance: float = Field(gt=0, lt=0.01)
    sgi: SgiSettings
    work: WorkSettings
    assistance: AssistanceSettings
    network: NetworkSettings
    se_ae_work: SeAeWorkSettings
    amounts: AmountSettings


def load_feature_settings(path: str | Path | None = None) -> FeatureSettings:
    """Read features.toml (default: the shipped one in felrisk/config/)."""
    return load_config(FeatureSettings, path, "features.toml")
