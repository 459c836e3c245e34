"""Fakes for the nightly job's deps, over the active world (tests.world.active)."""

from __future__ import annotations

import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

import ibis
import numpy as np
import pandas as pd

from audit.burden import equal_treatment
from audit.groups import age_band
from felrisk.datadir import open_data
from felrisk.errors import NoModelError
from felrisk.validate import validate_data
from models.profile import TrainingProfile
from scoring.deps import NightDeps
from scoring.timeline_data import fetch_timeline_facts
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


def fake_explain(data, items: pd.DataFrame) -> pd.DataFrame:
    return items.assign(reason_sv="Skäl: " + items["feature"] + " i ärende " + items["case_id"])


@dataclass
class RunRecorder:
    """Collects what the job logs to its scoring run."""

    runs: list = field(default_factory=list)

    @contextmanager
    def __call__(self, as_of, version, params):
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


def fake_deps(world: Path, **overrides) -> NightDeps:
    """Real validation, data, audit and timeline facts; fake features, model, explain, MLflow."""
    data = open_data(world)
    feats = fake_build_features(data, fake_active_spine(data, AS_OF)).to_pandas()
    bundle = FakeBundle()
    prof = TrainingProfile.build(
        bundle.input_frame(feats), bundle.predict_frame(feats)["score"].to_numpy()
    )
    bundle = replace(bundle, profile=prof)
    deps = NightDeps(
        validate=validate_data,
        load_model=lambda: (3, bundle),
        model_name="felrisk",
        open_data=open_data,
        active_spine=fake_active_spine,
        build_features=fake_build_features,
        explain=fake_explain,
        timeline_facts=fetch_timeline_facts,
        equal_treatment=equal_treatment,
        age_band=age_band,
        audit_settings={
            "groups": ("sex", "birth_region", "age_band"),
            "band": (0.8, 1.25),
            "seed": 0,
        },
        scoring_run=RunRecorder(),
        load_version=lambda version: bundle,
    )
    return replace(deps, **overrides)


def no_model():
    raise NoModelError("no champion for model 'felrisk'")
