"""The real sides of the night (scoring/ports.py): training.tracking's registry, felrisk's data."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path

import ibis.expr.types as ir
import pandas as pd

from features import build, compiled, facts
from features.registry import REGISTRY
from felrisk.datadir import DataSet, open_data
from felrisk.validate import ValidationReport, validate_data
from scoring.ports import Bundle, RunLogger
from scoring.timeline_data import TimelineFacts, fetch_timeline_facts, rule_periods
from training import tracking


class TrackedModels:
    """The registered model in the MLflow store of training.tracking."""

    @property
    def registered_name(self) -> str:
        return tracking.registered_name()

    def load_champion(self) -> tuple[int, Bundle]:
        return tracking.load_champion()

    def load_version(self, version: int) -> Bundle:
        return tracking.load_version(version)

    def scoring_run(
        self, as_of: date, version: int, params: Mapping[str, object]
    ) -> AbstractContextManager[RunLogger]:
        return tracking.start_scoring_run(as_of, version, params)


class FelriskData:
    """A contract data directory, the feature builders and the feature registry's reasons."""

    def __init__(self) -> None:
        told = {name: f for name, f in REGISTRY.items() if f.is_reason}
        self.reason_templates: Mapping[str, str] = {name: f.reason_sv for name, f in told.items()}
        self.reason_features: frozenset[str] | None = frozenset(told)

    def validate(self, data_dir: Path) -> ValidationReport:
        return validate_data(data_dir)

    def open(self, data_dir: Path, engine: str = "duckdb") -> DataSet:
        return open_data(data_dir, engine=engine)

    def active_spine(self, data: DataSet, as_of: date) -> ir.Table:
        return build.active_spine(data, as_of)

    def build_features(self, data: DataSet, spine: ir.Table) -> ir.Table:
        return build.build_features(data, spine)

    def active_features(self, data: DataSet, as_of: date) -> pd.DataFrame:
        # the compiled query kept beside the models: a night skips Ibis's build and compilation
        return compiled.active_features(data, as_of, tracking.query_cache())

    def rule_periods(self, data: DataSet, persons: pd.Series, as_of: date) -> pd.DataFrame:
        return rule_periods(data, persons, as_of, tracking.query_cache())

    def explain(
        self,
        data: DataSet,
        items: pd.DataFrame,
        values: pd.DataFrame | None = None,
        periods: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        return facts.explain(data, items, values=values, periods=periods)

    def timeline_facts(
        self, data: DataSet, persons: pd.Series, as_of: date, periods: pd.DataFrame | None = None
    ) -> TimelineFacts:
        return fetch_timeline_facts(data, persons, as_of, periods=periods)
