"""Fakes of the night's two sides (model registry, data source), over the active world
(tests.world.active)."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

import ibis
import numpy as np
import pandas as pd

from felrisk.datadir import open_data
from felrisk.errors import NoModelError
from felrisk.validate import validate_data
from models.profile import TrainingProfile
from scoring.timeline_data import fetch_timeline_facts, rule_periods
from tests.world.active import AS_OF

# ---- fakes of features and training -------------------------------------------------------

FEATURES = ("amount_sum", "n_payments", "overlap_forbidden_days", "tfp_in_sickpay_period_days")


def fake_active_spine(data, as_of: date) -> ibis.Table:
    p = data["payments"]
    last = as_of - timedelta(days=1)
    active = p.filter(p.paid_date <= last, p.period_end >= as_of - timedelta(days=90))
    return active.select("case_id").distinct().mutate(as_of=ibis.literal(as_of))


def fake_build_features(data, spine: ibis.Table) -> ibis.Table:
    p = data["payments"]
    agg = p.group_by("case_id").aggregate(amount_sum=p.amount_sek.sum(), n_payments=p.count())
    c = data["cases"].select("case_id", "person_id", "benefit")
    t = spine.join(c, "case_id").join(agg, "case_id")
    # a hard rule break on every KAR case (its days are also paid as SJP in this world)
    return t.mutate(
        overlap_forbidden_days=ibis.cases((t.benefit == "KAR", 1), else_=0),
        tfp_in_sickpay_period_days=ibis.literal(0),
    )


def _h(s: str) -> float:
    return (zlib.crc32(s.encode()) % 10_000) / 10_000


@dataclass
class FakeBundle:
    """Scores from a fixed formula; contributions proportional to each feature's push."""

    feature_names: list[str] = field(default_factory=lambda: list(FEATURES))
    feature_version: str = "fake0001"
    profile: TrainingProfile | None = None

    def input_frame(self, X: pd.DataFrame) -> pd.DataFrame:
        return X[self.feature_names].astype("float64")

    def predict_frame(self, X: pd.DataFrame) -> pd.DataFrame:
        Xm = self.input_frame(X)
        h = X["case_id"].map(_h).to_numpy()
        p = 1 / (1 + np.exp(-(Xm["amount_sum"] / 10_000 - 1.5 + h)))
        return pd.DataFrame(
            {
                "probability": p,
                "expected_wrong_sek": p * Xm["amount_sum"] * 0.3,
                "intent_probability": X["case_id"].map(lambda s: _h(s[::-1])).to_numpy(),
                "score": p,
            },
            index=X.index,
        ).astype("float64")

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        Xm = self.input_frame(X)
        weights = {"amount_sum": 1e-4, "n_payments": 0.1, "overlap_forbidden_days": 2.0}
        out = Xm * pd.Series(weights).reindex(Xm.columns).fillna(0.0)
        out["bias"] = -1.0
        return out


def fake_explain(
    data,
    items: pd.DataFrame,
    values: pd.DataFrame | None = None,
    periods: pd.DataFrame | None = None,
) -> pd.DataFrame:
    return items.assign(reason_sv="Skäl: " + items["feature"] + " i ärende " + items["case_id"])


def no_facts(
    data,
    items: pd.DataFrame,
    values: pd.DataFrame | None = None,
    periods: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """An explain that says nothing: the registry's sentence templates word every reason."""
    return items.assign(reason_sv="")


@dataclass
class FakeData:
    """The data side: real validation, tables, rule periods and timeline facts; fake features and
    explain.

    The fields are the parts a test swaps (the real builders, another explain, templates).
    """

    active_spine: Callable = fake_active_spine
    build_features: Callable = fake_build_features
    explain: Callable = fake_explain
    reason_templates: Mapping[str, str] = field(default_factory=dict)
    reason_features: frozenset[str] | None = None

    def validate(self, data_dir: Path):
        return validate_data(data_dir)

    def open(self, data_dir: Path, engine: str = "duckdb"):
        return open_data(data_dir, engine=engine)

    def active_features(self, data, as_of: date) -> pd.DataFrame:
        return self.build_features(data, self.active_spine(data, as_of)).to_pandas()

    def rule_periods(self, data, persons: pd.Series, as_of: date):
        return rule_periods(data, persons, as_of)

    def timeline_facts(self, data, persons: pd.Series, as_of: date, periods=None):
        return fetch_timeline_facts(data, persons, as_of, periods=periods)


@dataclass
class FakeModels:
    """The model side: one bundle as champion and every version; scoring runs recorded in `runs`."""

    bundle: object = None
    version: int = 3
    registered_name: str = "felrisk"
    runs: list = field(default_factory=list)

    def load_champion(self):
        return self.version, self.bundle

    def load_version(self, version: int):
        return self.bundle

    @contextmanager
    def scoring_run(self, as_of, version, params):
        rec = {"as_of": as_of, "version": version, "params": params, "metrics": {}, "tables": {}}
        self.runs.append(rec)

        class _Logger:
            def log_metrics(self, m):
                rec["metrics"].update(m)

            def log_table(self, df, name):
                rec["tables"][name] = df

            def log_artifact(self, path, artifact_path=None):
                rec.setdefault("artifacts", []).append(Path(path).name)

        yield _Logger()


class NoChampion(FakeModels):
    """A registry that holds no champion."""

    def load_champion(self):
        raise NoModelError("no champion for model 'felrisk'")


def fake_bundle(world: Path) -> FakeBundle:
    """A FakeBundle profiled on the world's own features on AS_OF (so drift is measured)."""
    data = open_data(world)
    feats = fake_build_features(data, fake_active_spine(data, AS_OF)).to_pandas()
    bundle = FakeBundle()
    prof = TrainingProfile.build(
        bundle.input_frame(feats), bundle.predict_frame(feats)["score"].to_numpy()
    )
    return replace(bundle, profile=prof)


def fakes(world: Path, **data: object) -> dict:
    """run_nightly's keywords for a night on fakes: `models` (FakeModels, version 3, a profiled
    FakeBundle) and `source` (FakeData with `data`'s fields swapped)."""
    return {"models": FakeModels(fake_bundle(world)), "source": FakeData(**data)}


def use_fakes(monkeypatch, world: Path, models=None, **data: object) -> None:
    """Make the command line's nights run on fakes (`models` replaces FakeModels)."""
    monkeypatch.setattr(
        "scoring.job.default_models", lambda: models or FakeModels(fake_bundle(world))
    )
    monkeypatch.setattr("scoring.job.default_source", lambda: FakeData(**data))
