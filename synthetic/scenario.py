"""The scenario of a synthetic world: every knob of the generator, read from scenario.toml."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from felrisk.benefit_rules import BenefitRules, load_benefit_rules
from felrisk.config import FrozenConfig, default_config_path, parse_config, read_toml
from felrisk.errors import ConfigError

BenefitCode = Literal["SJP", "KAR", "FP", "TFP", "AKS", "SE", "AE", "ASS"]
Region = Literal["SE", "NORDIC", "EU", "OTHER", "null"]

MECHANISMS: tuple[str, ...] = (
    "kar_on_sjp_day",
    "kar_repeated",
    "tfp_in_sickpay_period",
    "fp_beside_aks",
    "sgi_hours_as_days",
    "inflated_sgi_shell",
    "pay_while_full_benefit",
    "aks_undeclared_work",
    "aks_absence_wrong",
    "ass_impossible_hours",
    "ass_unprovided_hours",
    "tfp_both_parents",
    "age_rule_break",
    "coverage_break",
    "fk_wrong_rate",
    "fk_double_payment",
)
FK_MECHANISMS: tuple[str, ...] = ("fk_wrong_rate", "fk_double_payment")


class Population(FrozenConfig):
    """Who lives in the world: ages, sex, origin, families, work."""

    share_female: float = Field(ge=0, le=1)
    birth_region: dict[Region, float]
    immigrant_insured_from_share: float = Field(ge=0, le=1)
    two_parent_share: float = Field(ge=0, le=1)
    external_child_share: float = Field(ge=0, le=1)
    persons_per_employer: float = Field(gt=1)
    employer_size_zipf: float = Field(gt=1)
    shell_companies_per_100k_persons: float = Field(ge=0)
    assistance_providers_per_100k_persons: float = Field(ge=0)
    employee_share: float = Field(ge=0, le=1)
    self_employed_share: float = Field(ge=0, le=1)
    unemployed_share: float = Field(ge=0, le=1)
    median_monthly_pay_sek: float = Field(gt=0)
    part_time_share: float = Field(ge=0, le=1)
    legit_low_hours_share: float = Field(
        ge=0, le=1, description="employees with a legitimately low stated yearly working time"
    )


class Benefits(FrozenConfig):
    """How often each benefit occurs (rates per eligible person and year, prevalences)."""

    sick_spells_per_year: float = Field(ge=0)
    sick_female_factor: float = Field(gt=0)
    kar_claim_share: float = Field(ge=0, le=1)
    tfp_episodes_per_child_year: float = Field(ge=0)
    tfp_winter_factor: float = Field(ge=1)
    fp_older_child_block_share: float = Field(ge=0, le=1)
    double_days_share: float = Field(ge=0, le=1)
    aks_share_of_unemployed: float = Field(ge=0, le=1)
    aks_declared_work_share: float = Field(ge=0, le=1)
    se_prevalence_30_64: float = Field(ge=0, le=1)
    ae_prevalence_19_29: float = Field(ge=0, le=1)
    ass_prevalence: float = Field(ge=0, le=1)
    legit_half_sjp_half_fp_per_100k: float = Field(ge=0)
    legit_half_aks_half_fp_per_100k: float = Field(ge=0)
    collective_topup_share: float = Field(ge=0, le=1)
    work_training_share: float = Field(ge=0, le=1)
    tfp_automated: float = Field(ge=0, le=1)
    fp_automated: float = Field(ge=0, le=1)
    other_automated: float = Field(ge=0, le=1)
    reversal_share: float = Field(ge=0, le=1)
    late_income_report_share: float = Field(ge=0, le=1)
    corrected_income_report_share: float = Field(ge=0, le=1)
    holiday_pay_share: float = Field(ge=0, le=1)
    back_pay_share: float = Field(ge=0, le=1)


class Amounts(FrozenConfig):
    """Amounts that are behaviour, not law (the law's figures: felrisk/config/benefit_rules.toml)."""

    assistant_hourly_wage_sek: float = Field(gt=0)
    yearly_pay_growth: float = Field(ge=0)


class Errors(FrozenConfig):
    """Injected errors: rate per benefit (share of cases), mechanism mix, agency share, intent."""

    rate: dict[BenefitCode, float]
    mechanisms: dict[BenefitCode, dict[str, float]]
    fk_share: float = Field(ge=0, le=1)
    intentional: dict[str, float]
    weak_trace_share: float = Field(ge=0, le=1)
    min_cases_per_mechanism: int = Field(ge=0, description="so that small worlds show each one")
    female_error_factor: float = Field(gt=0, description="1.0 = error independent of sex")
    foreign_error_factor: float = Field(gt=0, description="1.0 = error independent of region")

    @model_validator(mode="after")
    def _known_mechanisms(self) -> Errors:
        for benefit, mix in self.mechanisms.items():
            unknown = set(mix) - set(MECHANISMS)
            if unknown:
                raise ValueError(f"errors.mechanisms.{benefit}: unknown {sorted(unknown)}")
        unknown = set(self.intentional) - set(MECHANISMS)
        if unknown:
            raise ValueError(f"errors.intentional: unknown {sorted(unknown)}")
        return self


class Drift(FrozenConfig):
    """A new error pattern that appears only in the last part of the world."""

    enabled: bool
    mechanism: Literal["inflated_sgi_shell"]
    benefit: Literal["SJP", "FP", "TFP"] = Field(description="the benefit the new pattern hits")
    last_days: int = Field(ge=30)
    extra_cases_per_100k_persons: float = Field(ge=0)
    new_shell_companies_per_100k_persons: float = Field(ge=0)


class Controls(FrozenConfig):
    """The historical control policy that produced the `controls` table (the labels).

    Densities are per 1,000 person-years (persons x the world's span in years), the unit of the
    domain brief's figure (FK 2020: 3.8 random controls a year per 1,000 insured); the generator
    turns them into per-case probabilities (controls.random_probabilities, tip_stream).
    """

    random_per_1000_person_years: float = Field(
        ge=0, description="expected random-stream controls a year per 1,000 persons"
    )
    random_weight: dict[BenefitCode, float] = Field(
        description="relative per-case weight of each benefit in the random stream"
    )
    rule_share: float = Field(ge=0, le=1, description="share of rule flags that get a control")
    tips_per_1000_person_years: float = Field(
        ge=0, description="expected tips a year per 1,000 persons (before the cooldown)"
    )
    tip_error_lift: float = Field(ge=1)
    tip_female_bias_fp_tfp: float = Field(gt=0)
    recall: float = Field(ge=0, le=1)
    suspected_crime_share_of_intentional: float = Field(ge=0, le=1)
    min_days_between_controls: int = Field(ge=0)
    close_days_min: int = Field(ge=0)
    close_days_max: int = Field(ge=1)

    @model_validator(mode="after")
    def _some_weight(self) -> Controls:
        if any(w < 0 for w in self.random_weight.values()):
            raise ValueError("controls.random_weight: weights must be >= 0")
        if self.random_per_1000_person_years > 0 and not any(self.random_weight.values()):
            raise ValueError("controls.random_weight: at least one benefit needs a weight > 0")
        return self


class Scenario(FrozenConfig):
    """Every knob of the synthetic world."""

    population: Population
    benefits: Benefits
    amounts: Amounts
    errors: Errors
    drift: Drift
    controls: Controls

    @cached_property
    def rules(self) -> BenefitRules:
        """The law in force on each day (amounts, caps, which benefits exist): one source for the
        world, the features and the reasons."""
        return load_benefit_rules()


def _merged(base: dict, over: dict) -> dict:
    """`base` with the keys of `over` replaced; tables are merged key by key."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def _raw_scenario(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    """The file's knobs; with `base = "FILE"` on top, FILE's knobs overlaid with the file's."""
    if path.resolve() in seen:
        raise ConfigError(f"{path}: scenario files name each other as base")
    raw = read_toml(path)
    base = raw.pop("base", None)
    if base is None:
        return raw
    return _merged(_raw_scenario(path.parent / str(base), (*seen, path.resolve())), raw)


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Read a scenario file (default: felrisk/config/scenario.toml).

    A file may hold only what differs from another: `base = "scenario.toml"` at its top (a path
    relative to the file) reads that one first, so variants do not copy every knob.
    """
    path = Path(path) if path is not None else default_config_path("scenario.toml")
    return parse_config(Scenario, _raw_scenario(path), source=str(path))
