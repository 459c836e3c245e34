"""The selection policy of the nightly job as a frozen config object (felrisk/config/selection.toml)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from features.registry import REGISTRY
from felrisk.config import FrozenConfig, load_config, unknown_names
from felrisk.contract import BENEFITS

LANE_VERIFICATION = "verifiering"
LANE_INVESTIGATION = "kontrollutredning"
LANES: tuple[str, ...] = (LANE_VERIFICATION, LANE_INVESTIGATION)


class LaneCapacity(FrozenConfig):
    """Cases a benefit's teams can open per night, per lane."""

    verifiering: int = Field(ge=0)
    kontrollutredning: int = Field(ge=0)

    @property
    def total(self) -> int:
        return self.verifiering + self.kontrollutredning


NOTICE_FIELDS = ("benefit", "facts", "contact")


class NoticeConfig(FrozenConfig):
    """The notice for the person of a selected case: plain Swedish the investigator can send or read
    out. Templates take {benefit} (the benefit's name), {facts} (the case's reasons) and
    {contact} (whom to contact); `exploration` is for a case drawn at random, `model_no_facts`
    for a model pick with no single fact to tell."""

    model: str = Field(min_length=1)
    model_no_facts: str = Field(min_length=1)
    exploration: str = Field(min_length=1)
    contact: str = Field(min_length=1)

    @model_validator(mode="after")
    def _known_fields(self) -> NoticeConfig:
        import string

        for name in ("model", "model_no_facts", "exploration"):
            used = {f for _, f, _, _ in string.Formatter().parse(getattr(self, name)) if f}
            unknown = sorted(used - set(NOTICE_FIELDS))
            if unknown:
                raise ValueError(
                    f"notice.{name} uses {unknown}; allowed: "
                    + ", ".join("{" + f + "}" for f in NOTICE_FIELDS)
                )
        if "{facts}" not in self.model:
            raise ValueError("notice.model must say the facts: it has no {facts}")
        return self


class SelectionConfig(FrozenConfig):
    """Capacity, ranking, lanes, value floor, exploration, cooldown and hard rules of the lists."""

    rank_by: Literal["expected_sek", "probability"]
    intent_threshold: float = Field(ge=0.0, le=1.0)
    intent_basis: Literal["given_error", "absolute"]
    investigation_rank_by: Literal["rank_by", "intent_probability"]
    exploration_share: float = Field(ge=0.0, le=1.0)
    seed: int = Field(ge=0)
    cooldown_days: int = Field(ge=0)
    hard_rule_features: tuple[str, ...]
    reasons_per_case: int = Field(ge=0, le=10)
    reason_exclude_features: tuple[str, ...]
    reason_notable_above: dict[str, float]
    reason_notable_below: dict[str, float]
    equal_treatment_window_days: int = Field(ge=30)
    equal_treatment_benefit_mix: Literal["pooled", "list"]
    equal_treatment_base: Literal["auto", "exploration", "random_stream"]
    equal_treatment_min_exploration_errors: int = Field(ge=1)
    equal_treatment_per_benefit_groups: tuple[str, ...]
    equal_treatment_per_benefit_min_picks: int = Field(ge=1)
    equal_treatment_power: float = Field(gt=0.0, lt=1.0)
    min_probability: float = Field(ge=0.0, le=1.0)
    min_expected_wrong_sek: float = Field(ge=0.0)
    investigation_min_probability: float = Field(ge=0.0, le=1.0)
    capacity: dict[str, LaneCapacity]
    # None only in a policy recorded before notices existed (an older manifest): no notice column.
    notice: NoticeConfig | None

    @field_validator(
        "hard_rule_features",
        "reason_exclude_features",
        "reason_notable_above",
        "reason_notable_below",
    )
    @classmethod
    def _registered(
        cls, names: tuple[str, ...] | dict[str, float]
    ) -> tuple[str, ...] | dict[str, float]:
        """A feature named here must be in the registry: a typo would fail mid-night (a hard
        rule) or be ignored (an excluded reason)."""
        problem = unknown_names(names, REGISTRY)
        if problem:
            raise ValueError(problem)
        return names

    @model_validator(mode="after")
    def _known_benefits(self) -> SelectionConfig:
        unknown = sorted(set(self.capacity) - set(BENEFITS))
        if unknown:
            raise ValueError(
                f"capacity names unknown benefit codes {unknown}; allowed: {', '.join(BENEFITS)}"
            )
        return self

    @model_validator(mode="after")
    def _one_direction(self) -> SelectionConfig:
        both = sorted(set(self.reason_notable_above) & set(self.reason_notable_below))
        if both:
            raise ValueError(
                f"reason_notable_above and reason_notable_below both name {both}; "
                "a feature is notable in one direction only"
            )
        return self

    def capacity_for(self, benefit: str) -> LaneCapacity:
        """Capacity of a benefit; a benefit not in the file gets none."""
        return self.capacity.get(benefit, LaneCapacity(verifiering=0, kontrollutredning=0))


def load_selection_config(path: str | Path | None = None) -> SelectionConfig:
    """Read the selection policy (default: the shipped felrisk/config/selection.toml)."""
    return load_config(SelectionConfig, path, "selection.toml")
