"""The coordination rules file as a typed object, read by the generator and the feature builders."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from felrisk.config import FrozenConfig, load_config

Benefit = Literal["SJP", "KAR", "FP", "TFP", "AKS", "SE", "AE", "ASS"]


class ExtentRule(FrozenConfig):
    """Rule 1: summed daily extents of these benefits stay within `max_total`."""

    benefits: tuple[Benefit, ...]
    max_total: float = Field(gt=0)


class ForbiddenPair(FrozenConfig):
    """Rule 2: two benefits never paid for the same day to one person."""

    benefits: tuple[Benefit, Benefit]

    @model_validator(mode="after")
    def _distinct(self) -> ForbiddenPair:
        if self.benefits[0] == self.benefits[1]:
            raise ValueError("a forbidden pair names two different benefits")
        return self


class SickpayPeriodRule(FrozenConfig):
    """Rule 3: `blocked_benefit` not inside days first_day..last_day of an employee's sickness."""

    blocked_benefit: Benefit
    sickness_benefit: Benefit
    employment_type: Literal["employee", "self_employed", "unemployed"]
    first_day: int = Field(ge=1)
    last_day: int = Field(ge=1)


class BothParentsRule(FrozenConfig):
    """Rule 4: both parents paid for one child on one day."""

    double_day_benefit: Benefit
    max_double_days_per_child: int = Field(ge=0)
    double_days_before_child_age_months: int = Field(ge=0)
    never: tuple[Benefit, ...]


class AgeRule(FrozenConfig):
    """Rule 5: the age (of the person or of the child) within which a benefit may be paid."""

    subject: Literal["person", "child"]
    min_age: int | None = Field(default=None, ge=0)
    max_age_exclusive: int | None = Field(default=None, ge=1)
    by_month: bool = False


class CoverageRule(FrozenConfig):
    """Rule 6: benefits that need social-insurance coverage on the day paid for."""

    benefits: tuple[Benefit, ...]


class AssistanceRule(FrozenConfig):
    """Rule 7: an assistant's hours per day, and a client's granted hours per settlement period
    (calendar months aligned to the year)."""

    max_assistant_hours_per_day: float = Field(gt=0)
    settlement_months: int = Field(ge=1, le=12)


class CoordinationRules(FrozenConfig):
    """All coordination rules (samordningsregler) of the data contract."""

    extent: ExtentRule
    forbidden_pairs: tuple[ForbiddenPair, ...]
    sickpay_period: SickpayPeriodRule
    both_parents: BothParentsRule
    age: dict[Benefit, AgeRule]
    coverage: CoverageRule
    assistance: AssistanceRule

    def forbidden_partners(self, benefit: str) -> tuple[str, ...]:
        """Benefits that may never be paid beside `benefit` on the same day (rule 2)."""
        out = []
        for pair in self.forbidden_pairs:
            a, b = pair.benefits
            if a == benefit:
                out.append(b)
            elif b == benefit:
                out.append(a)
        return tuple(sorted(set(out)))


def load_rules(path: str | Path | None = None) -> CoordinationRules:
    """Read the coordination rules file (default: the one shipped in felrisk/config/rules.toml)."""
    if path is None:
        return _default_rules()
    return load_config(CoordinationRules, path, "rules.toml")


@lru_cache(maxsize=1)
def _default_rules() -> CoordinationRules:
    return load_config(CoordinationRules, None, "rules.toml")
