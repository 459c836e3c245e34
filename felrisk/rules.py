"""The coordination rules file as a typed object, read by the generator and the feature builders.

rules.toml states what each rule is (which benefits, which pairs, whose age); a figure of a rule
that changes with the law (the double-days quota and age limit, the day a forbidden pair starts)
is named there and lives, dated, in benefit_rules.toml only: one place per fact, read by the world,
the features and the reasons alike. `law` carries those dated figures; `in_force_periods` gives a
named figure's periods as day numbers, for the rule engine's sweep.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from felrisk.benefit_rules import Benefit, BenefitRules, load_benefit_rules
from felrisk.config import FrozenConfig, parse_config, read_toml
from felrisk.config import default_config_path as _default_path
from felrisk.errors import ConfigError

__all__ = ["Benefit", "CoordinationRules", "load_rules"]


class ExtentRule(FrozenConfig):
    """Rule 1: summed daily extents of these benefits stay within `max_total`."""

    benefits: tuple[Benefit, ...]
    max_total: float = Field(gt=0)


class ForbiddenPair(FrozenConfig):
    """Rule 2: two benefits never paid for the same day to one person; only on the days of
    `in_force` (a benefit_rules.toml rule, read for the pair's first benefit) when named."""

    benefits: tuple[Benefit, Benefit]
    in_force: str | None = Field(default=None, description="benefit_rules name; None: always")

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
    """Rule 4: both parents paid for one child on one day. The double days' quota per child and
    the child's age limit in months are benefit_rules.toml rules of `double_day_benefit`, named
    here, applied as in force on the day the double day is paid."""

    double_day_benefit: Benefit
    quota_rule: str = Field(min_length=1, description="benefit_rules name: double days per child")
    age_months_rule: str = Field(
        min_length=1, description="benefit_rules name: double days before this age in months"
    )
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
    law: BenefitRules = Field(description="the dated figures (benefit_rules.toml) named above")

    @model_validator(mode="after")
    def _named_figures_exist(self) -> CoordinationRules:
        bp = self.both_parents
        named = [
            (bp.quota_rule, bp.double_day_benefit),
            (bp.age_months_rule, bp.double_day_benefit),
        ]
        named += [(p.in_force, p.benefits[0]) for p in self.forbidden_pairs if p.in_force]
        for name, benefit in named:
            try:
                self.law.entries(name, benefit)
            except KeyError as exc:
                raise ValueError(f"benefit_rules.toml: {exc.args[0]}") from None
        return self

    def in_force_periods(
        self, name: str, benefit: str | None
    ) -> tuple[tuple[int, int | None, float], ...]:
        """A dated figure's periods: (first day, last day or None: open, value), day numbers
        (days since 1970-01-01), by first day."""
        return tuple(
            (_day_number(e.valid_from), _day_number(e.valid_to), e.value)
            for e in self.law.entries(name, benefit)
        )

    def pair_periods(self, pair: ForbiddenPair) -> tuple[tuple[int | None, int | None], ...]:
        """The days a forbidden pair is in force, as (first, last) day numbers (None: open)."""
        if pair.in_force is None:
            return ((None, None),)
        return tuple((a, b) for a, b, _ in self.in_force_periods(pair.in_force, pair.benefits[0]))

    def value_on(self, name: str, benefit: str | None, day: dt.date) -> float | None:
        """A dated figure on one day (None: not in force), e.g. for a reason or a check."""
        v = float(self.law.value(name, np.datetime64(day, "D"), benefit)[0])
        return None if np.isnan(v) else v

    def forbidden_partners(self, benefit: str, day: dt.date | None = None) -> tuple[str, ...]:
        """Benefits that may not be paid beside `benefit` on the same day (rule 2): on `day`
        when given, else on any day."""
        out = []
        for pair in self.forbidden_pairs:
            if day is not None and not self.pair_in_force(pair, day):
                continue
            a, b = pair.benefits
            if a == benefit:
                out.append(b)
            elif b == benefit:
                out.append(a)
        return tuple(sorted(set(out)))

    def pair_in_force(self, pair: ForbiddenPair, day: dt.date) -> bool:
        """Whether a forbidden pair is in force on `day`."""
        return (
            pair.in_force is None or self.value_on(pair.in_force, pair.benefits[0], day) is not None
        )


def _day_number(d: dt.date | None) -> int | None:
    return None if d is None else (d - dt.date(1970, 1, 1)).days


def load_rules(
    path: str | Path | None = None, law: BenefitRules | None = None
) -> CoordinationRules:
    """Read the coordination rules file (default: the one shipped in felrisk/config/rules.toml)
    with the dated figures it names (`law`; default: the shipped benefit_rules.toml)."""
    if path is None and law is None:
        return _default_rules()
    return _load(path, law or load_benefit_rules())


@lru_cache(maxsize=1)
def _default_rules() -> CoordinationRules:
    return _load(None, load_benefit_rules())


def _load(path: str | Path | None, law: BenefitRules) -> CoordinationRules:
    path = Path(path) if path is not None else _default_path("rules.toml")
    raw = read_toml(path)
    if "law" in raw:
        raise ConfigError(f"{path}: no [law] here: dated figures live in benefit_rules.toml")
    return parse_config(CoordinationRules, {**raw, "law": law}, source=str(path))
