"""The input data contract (../shared/data-contract.md) as code: tables, columns, types, codes, keys.

Names, types and codes are fixed by the contract: other tools produce data in this shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
from pydantic import Field, field_validator

from felrisk.config import FrozenConfig, load_config

BENEFITS: tuple[str, ...] = ("SJP", "KAR", "FP", "TFP", "AKS", "SE", "AE", "ASS")
DAILY_BENEFITS: tuple[str, ...] = ("SJP", "KAR", "FP", "TFP", "AKS")
MONTHLY_BENEFITS: tuple[str, ...] = ("SE", "AE", "ASS")
# Each benefit's Swedish name as running text writes it (a heading capitalises the first letter).
BENEFIT_NAMES_SV: dict[str, str] = {
    "SJP": "sjukpenning",
    "KAR": "ersättning för karensavdrag",
    "FP": "föräldrapenning",
    "TFP": "tillfällig föräldrapenning",
    "AKS": "aktivitetsstöd",
    "SE": "sjukersättning",
    "AE": "aktivitetsersättning",
    "ASS": "assistansersättning",
}
SEXES: tuple[str, ...] = ("F", "M")
BIRTH_REGIONS: tuple[str, ...] = ("SE", "NORDIC", "EU", "OTHER")
EMPLOYMENT_TYPES: tuple[str, ...] = ("employee", "self_employed", "unemployed")
INCOME_BASES: tuple[str, ...] = ("employment", "self_employed", "mixed")
SELECTIONS: tuple[str, ...] = ("random", "rule", "model", "tip", "report")
OUTCOMES: tuple[str, ...] = ("no_error", "error_customer", "error_fk", "suspected_crime")
ERROR_OUTCOMES: tuple[str, ...] = ("error_customer", "error_fk", "suspected_crime")
MECHANISM_CAUSES: tuple[str, ...] = ("customer", "fk")

# Protected attributes: for the equal-treatment audit only, never a model feature.
PROTECTED_COLUMNS: tuple[str, ...] = ("sex", "birth_region")

_ARROW = {
    "str": pa.string(),
    "date": pa.date32(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "int": pa.int64(),
}


@dataclass(frozen=True)
class Column:
    """One contract column: its logical type, whether nulls are allowed, and its codes if coded."""

    name: str
    type: str
    nullable: bool = False
    codes: tuple[str, ...] | None = None
    min_value: float | None = None
    max_value: float | None = None

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW[self.type]

    @property
    def is_id(self) -> bool:
        """An identifier: a text column named `..._id`; its values must match the id pattern."""
        return self.type == "str" and self.name.endswith("_id")


@dataclass(frozen=True)
class Reference:
    """A column whose non-null values must exist in another table's column."""

    column: str
    table: str
    target: str


@dataclass(frozen=True)
class TableSpec:
    """One contract table: columns, unique key, known-from date, date orders and references."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    known_from: str | None = None
    date_order: tuple[tuple[str, str], ...] = ()
    references: tuple[Reference, ...] = field(default_factory=tuple)
    optional: bool = False
    # Further dates from which part of a row is known (a closure, a control's outcome).
    also_known_from: tuple[str, ...] = ()

    @property
    def known_dates(self) -> tuple[str, ...]:
        """Every date column that says when the agency learnt something: never after today."""
        return ((self.known_from,) if self.known_from else ()) + self.also_known_from

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def arrow_schema(self) -> pa.Schema:
        """The Parquet schema a data directory must hold for this table."""
        return pa.schema(
            [pa.field(c.name, c.arrow_type, nullable=c.nullable) for c in self.columns]
        )


def _c(name: str, type_: str, nullable: bool = False, **kw) -> Column:
    return Column(name, type_, nullable, **kw)


TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec(
            "persons",
            (
                _c("person_id", "str"),
                _c("birth_date", "date"),
                _c("sex", "str", codes=SEXES),
                _c("birth_region", "str", nullable=True, codes=BIRTH_REGIONS),
                _c("municipality_code", "str"),
                _c("household_id", "str", nullable=True),
                _c("insured_from", "date", nullable=True),
            ),
            key=("person_id",),
        ),
        TableSpec(
            "children",
            (
                _c("child_id", "str"),
                _c("parent_id", "str"),
                _c("child_birth_date", "date"),
            ),
            key=("child_id", "parent_id"),
            references=(Reference("parent_id", "persons", "person_id"),),
        ),
        TableSpec(
            "employers",
            (
                _c("employer_id", "str"),
                _c("registered_date", "date"),
                _c("industry_code", "str"),
                _c("municipality_code", "str"),
            ),
            key=("employer_id",),
            known_from="registered_date",
        ),
        TableSpec(
            "cases",
            (
                _c("case_id", "str"),
                _c("person_id", "str"),
                _c("benefit", "str", codes=BENEFITS),
                _c("insured_event_date", "date"),
                _c("opened_date", "date"),
                _c("closed_date", "date", nullable=True),
                _c("child_id", "str", nullable=True),
                _c("employment_type", "str", nullable=True, codes=EMPLOYMENT_TYPES),
                _c("granted_hours_per_week", "float", nullable=True, min_value=0.0),
            ),
            key=("case_id",),
            known_from="opened_date",
            also_known_from=("closed_date",),
            date_order=(("opened_date", "closed_date"),),
            references=(Reference("person_id", "persons", "person_id"),),
        ),
        TableSpec(
            "payments",
            (
                _c("payment_id", "str"),
                _c("case_id", "str"),
                _c("person_id", "str"),
                _c("benefit", "str", codes=BENEFITS),
                _c("period_start", "date"),
                _c("period_end", "date"),
                _c("extent", "float", min_value=0.0, max_value=1.0),
                _c("hours", "float", nullable=True, min_value=0.0),
                _c("amount_sek", "float"),
                _c("paid_date", "date"),
                _c("automated", "bool"),
            ),
            key=("payment_id",),
            known_from="paid_date",
            date_order=(("period_start", "period_end"),),
            references=(
                Reference("case_id", "cases", "case_id"),
                Reference("person_id", "persons", "person_id"),
            ),
        ),
        TableSpec(
            "income_reports",
            (
                _c("person_id", "str"),
                _c("employer_id", "str"),
                _c("month", "date"),
                _c("gross_pay_sek", "float"),
                _c("reported_date", "date"),
            ),
            known_from="reported_date",
            date_order=(("month", "reported_date"),),
            references=(
                Reference("person_id", "persons", "person_id"),
                Reference("employer_id", "employers", "employer_id"),
            ),
        ),
        TableSpec(
            "sgi_decisions",
            (
                _c("sgi_id", "str"),
                _c("person_id", "str"),
                _c("decision_date", "date"),
                _c("valid_from", "date"),
                _c("annual_sgi_sek", "float", min_value=0.0),
                _c("annual_work_hours", "float", min_value=0.0),
                _c("income_basis", "str", codes=INCOME_BASES),
            ),
            key=("sgi_id",),
            known_from="decision_date",
            references=(Reference("person_id", "persons", "person_id"),),
        ),
        TableSpec(
            "work_time_reports",
            (
                _c("report_id", "str"),
                _c("assistant_id", "str"),
                _c("client_case_id", "str"),
                _c("provider_id", "str"),
                _c("work_date", "date"),
                _c("hours", "float", min_value=0.0),
                _c("submitted_date", "date"),
            ),
            key=("report_id",),
            known_from="submitted_date",
            date_order=(("work_date", "submitted_date"),),
            references=(
                Reference("assistant_id", "persons", "person_id"),
                Reference("client_case_id", "cases", "case_id"),
                Reference("provider_id", "employers", "employer_id"),
            ),
        ),
        TableSpec(
            "activity_reports",
            (
                _c("person_id", "str"),
                _c("case_id", "str"),
                _c("month", "date"),
                _c("declared_absence_days", "int", min_value=0.0, max_value=31.0),
                _c("declared_work_hours", "float", min_value=0.0),
                _c("submitted_date", "date"),
            ),
            known_from="submitted_date",
            date_order=(("month", "submitted_date"),),
            references=(
                Reference("person_id", "persons", "person_id"),
                Reference("case_id", "cases", "case_id"),
            ),
        ),
        TableSpec(
            "controls",
            (
                _c("control_id", "str"),
                _c("case_id", "str"),
                _c("person_id", "str"),
                _c("benefit", "str", codes=BENEFITS),
                _c("selected_date", "date"),
                _c("selection", "str", codes=SELECTIONS),
                _c("selection_probability", "float", nullable=True, min_value=0.0, max_value=1.0),
                _c("closed_date", "date", nullable=True),
                _c("outcome", "str", nullable=True, codes=OUTCOMES),
                _c("wrong_amount_sek", "float", nullable=True, min_value=0.0),
            ),
            key=("control_id",),
            known_from="selected_date",
            also_known_from=("closed_date",),
            date_order=(("selected_date", "closed_date"),),
            references=(
                Reference("case_id", "cases", "case_id"),
                Reference("person_id", "persons", "person_id"),
            ),
        ),
    )
}

TRUTH_TABLES: dict[str, TableSpec] = {
    "case_truth": TableSpec(
        "case_truth",
        (
            _c("case_id", "str"),
            _c("is_erroneous", "bool"),
            _c("mechanism", "str", nullable=True),
            _c("caused_by", "str", nullable=True, codes=MECHANISM_CAUSES),
            _c("intentional", "bool"),
            _c("wrong_amount_sek", "float", min_value=0.0),
            # a control confirmed the error and the case stopped paying from this day
            _c("corrected_date", "date", nullable=True),
        ),
        key=("case_id",),
    )
}


def table_spec(name: str) -> TableSpec:
    """The spec of a contract table (or of truth/case_truth)."""
    if name in TABLES:
        return TABLES[name]
    if name in TRUTH_TABLES:
        return TRUTH_TABLES[name]
    raise KeyError(f"no contract table named {name!r}")


class ContractConfig(FrozenConfig):
    """The contract's policy rules (felrisk/config/contract.toml)."""

    id_pattern: str
    date_slack_days: int = Field(ge=0)

    @field_validator("id_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
        return value


def load_contract_config(path: str | Path | None = None) -> ContractConfig:
    """The contract's policy rules from TOML (default: the shipped contract.toml)."""
    return load_config(ContractConfig, path, "contract.toml")
