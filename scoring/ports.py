"""The two sides the nightly job calls out to: the model registry and the data; tests fake both.

Structural types: anything with these members serves (scoring/sources.py holds the real ones).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import ibis.expr.types as ir
import pandas as pd

from felrisk.datadir import DataSet
from felrisk.validate import ValidationReport
from scoring.timeline_data import TimelineFacts

# A fitted bundle (models.bundle.RiskModelBundle or one with its predict_frame, contributions,
# input_frame, profile and feature_version).
Bundle = Any


class RunLogger(Protocol):
    """What the night logs to its scoring run."""

    def log_metrics(self, metrics: Mapping[str, float]) -> None: ...

    def log_table(self, df: pd.DataFrame, artifact_file: str) -> None: ...

    def log_artifact(self, path: str | Path, artifact_path: str | None = None) -> None: ...


@runtime_checkable
class ModelRegistry(Protocol):
    """The registered model: its name, the champion, a given version, the scoring experiment.

    `load_champion` and `load_version` raise NoModelError when there is nothing to load.
    """

    @property
    def registered_name(self) -> str: ...

    def load_champion(self) -> tuple[int, Bundle]: ...

    def load_version(self, version: int) -> Bundle: ...

    def scoring_run(
        self, as_of: date, version: int, params: Mapping[str, object]
    ) -> AbstractContextManager[RunLogger]: ...


@runtime_checkable
class DataSource(Protocol):
    """The data: the contract check, the tables, the feature builders, the facts shown.

    `validate` raises ContractError; `explain` gives (case_id, feature, reason_sv), an empty
    reason where the facts say nothing, so that `reason_templates` (the registry's sentences,
    filled with the feature's value) speak; `values` are feature rows already built (the night's,
    which `explain` need not build again); `reason_features` are the features that may be told
    as a reason (a fact of the person's own case that points to an error), None: every one.
    `rule_periods` are the coordination rules' break periods of every case of the picked
    persons, computed once: `explain` words the picks' rule reasons from them and
    `timeline_facts` draws them as red marks (None: each computes its own). `active_features`
    is `build_features` on `active_spine` as a frame, rows in any order (the night's features).
    """

    reason_templates: Mapping[str, str]
    reason_features: frozenset[str] | None

    def validate(self, data_dir: Path) -> ValidationReport: ...

    def open(self, data_dir: Path, engine: str = "duckdb") -> DataSet: ...

    def active_spine(self, data: DataSet, as_of: date) -> ir.Table: ...

    def build_features(self, data: DataSet, spine: ir.Table) -> ir.Table: ...

    def active_features(self, data: DataSet, as_of: date) -> pd.DataFrame: ...

    def rule_periods(self, data: DataSet, persons: pd.Series, as_of: date) -> pd.DataFrame: ...

    def explain(
        self,
        data: DataSet,
        items: pd.DataFrame,
        values: pd.DataFrame | None = None,
        periods: pd.DataFrame | None = None,
    ) -> pd.DataFrame: ...

    def timeline_facts(
        self, data: DataSet, persons: pd.Series, as_of: date, periods: pd.DataFrame | None = None
    ) -> TimelineFacts: ...
