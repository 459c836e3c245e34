"""The equal-treatment audit's policy (felrisk/config/audit.toml): band, groups, resamples."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from felrisk.config import FrozenConfig, load_config


class Resamples(FrozenConfig):
    """Bootstrap resamples of each use of the audit (each keeps the count it had before)."""

    file: int = Field(ge=1)
    nightly: int = Field(ge=50, le=10_000)
    gate: int = Field(ge=10)
    per_benefit: int = Field(ge=10)
    confirm_max: int = Field(ge=100)


class AuditPolicy(FrozenConfig):
    """The equal-treatment audit's one policy; see felrisk/config/audit.toml for its meaning."""

    band_low: float = Field(gt=0)
    band_high: float = Field(gt=0)
    resamples: Resamples
    ci_level: float = Field(gt=0, lt=1)
    seed: int
    min_random_errors: int = Field(ge=0)
    groups: tuple[str, ...]
    pairs: bool
    max_group_values: int = Field(ge=2)
    age_edges: tuple[int, ...] = Field(min_length=1)
    income_edges_sek: tuple[float, ...] = Field(min_length=1)
    income_months: int = Field(ge=1)
    proxy_folds: int = Field(ge=2)
    proxy_max_rows: int = Field(ge=100)

    @model_validator(mode="after")
    def _ordered(self) -> AuditPolicy:
        if self.band_low >= self.band_high:
            raise ValueError("band_low must be below band_high")
        for name in ("age_edges", "income_edges_sek"):
            edges = getattr(self, name)
            if list(edges) != sorted(set(edges)) or edges[0] <= 0:
                raise ValueError(f"{name} must be positive and strictly increasing")
        return self

    @property
    def band(self) -> tuple[float, float]:
        """(band_low, band_high)."""
        return (self.band_low, self.band_high)


def load_audit_policy(path: str | Path | None = None) -> AuditPolicy:
    """Read the audit policy; None reads the shipped felrisk/config/audit.toml."""
    return load_config(AuditPolicy, path, "audit.toml")
