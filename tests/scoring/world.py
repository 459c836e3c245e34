"""A small contract-valid world with many active cases on 2025-10-01, and fakes of the night's two sides."""

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

from felrisk.datadir import open_data, write_table
from felrisk.errors import NoModelError
from felrisk.validate import validate_data
from models.profile import TrainingProfile
from scoring.timeline_data import fetch_timeline_facts

AS_OF = date(2025, 10, 1)
D = date.fromisoformat


def world_tables(n_persons: int = 300, seed: int = 1) -> dict[str, pd.DataFrame]:
    """Persons with SJP, KAR, FP or TFP cases paid in the 90 days before AS_OF, a random stream."""
    rng = np.random.default_rng(seed)
    pid = [f"P{i:04d}" for i in range(n_persons)]
    persons = pd.DataFrame(
        {
            "person_id": pid,
            "birth_date": [
                D("1960-01-01") + timedelta(days=int(x)) for x in rng.integers(0, 14000, n_persons)
            ],
            "sex": rng.choice(["F", "M"], n_persons),
            "birth_region": rng.choice(
                ["SE", "NORDIC", "EU", "OTHER"], n_persons, p=[0.7, 0.1, 0.1, 0.1]
            ),
            "municipality_code": "0180",
            "household_id": None,
            "insured_from": None,
        }
    )
    children = pd.DataFrame(
        {
            "child_id": [f"B{i:04d}" for i in range(n_persons)],
            "parent_id": pid,
            "child_birth_date": D("2020-05-01"),
        }
    )
    employers = pd.DataFrame(
        {
            "employer_id": ["E1", "E2", "E3"],
            "registered_date": [D("2001-01-01"), D("2010-01-01"), D("2024-01-01")],
            "industry_code": ["86", "47", "62"],
            "municipality_code": "0180",
        }
    )
    cases, payments = [], []
    for i, p in enumerate(pid):
        benefits = ["SJP"] if i % 3 else ["SJP", "KAR"]
        if i % 4 == 0:
            benefits = ["FP", "TFP"] if i % 8 == 0 else ["TFP"]
        for j, b in enumerate(benefits):
            cid = f"C{i:04d}{j}"
            start = AS_OF - timedelta(days=int(rng.integers(20, 80)))
            cases.append(
                {
                    "case_id": cid,
                    "person_id": p,
                    "benefit": b,
                    "insured_event_date": start,
                    "opened_date": start + timedelta(days=1),
                    "closed_date": None,
                    "child_id": f"B{i:04d}" if b in ("FP", "TFP") else None,
                    "employment_type": "employee" if b == "SJP" else None,
                    "granted_hours_per_week": None,
                }
            )
            days = 1 if b == "KAR" else int(rng.integers(5, 15))
            for k in range(2):
                ps = start + timedelta(days=k * 16 + (0 if b != "KAR" else 2))
                pe = ps + timedelta(days=days - 1)
                payments.append(
                    {
                        "payment_id": f"U{cid}{k}",
                        "case_id": cid,
                        "person_id": p,
                        "benefit": b,
                        "period_start": ps,
                        "period_end": pe,
                        "extent": 1.0 if b != "TFP" else 0.5,
                        "hours": None,
                        "amount_sek": float(days * rng.integers(500, 1100)),
                        "paid_date": min(pe + timedelta(days=3), AS_OF - timedelta(days=1)),
                        "automated": bool(rng.integers(0, 2)),
                    }
                )
    cases = pd.DataFrame(cases)
    payments = pd.DataFrame(payments)
    months = pd.date_range("2024-10-01", "2025-08-01", freq="MS").date
    income = pd.DataFrame(
        [
            {
                "person_id": p,
                "employer_id": "E1" if i % 2 else "E2",
                "month": m,
                "gross_pay_sek": float(20000 + (i * 37) % 25000),
                "reported_date": date(m.year + m.month // 12, m.month % 12 + 1, 12),
            }
            for i, p in enumerate(pid)
            for m in months
            if i % 5
        ]
    )
    sgi = pd.DataFrame(
        {
            "sgi_id": ["S1"],
            "person_id": [pid[0]],
            "decision_date": [D("2025-01-10")],
            "valid_from": [D("2025-01-01")],
            "annual_sgi_sek": [350_000.0],
            "annual_work_hours": [2080.0],
            "income_basis": ["employment"],
        }
    )
    work = pd.DataFrame(
        {
            "report_id": ["W1"],
            "assistant_id": [pid[1]],
            "client_case_id": [cases["case_id"].iloc[0]],
            "provider_id": ["E3"],
            "work_date": [D("2025-08-04")],
            "hours": [8.0],
            "submitted_date": [D("2025-08-10")],
        }
    )
    activity = pd.DataFrame(
        {
            "person_id": [pid[2]],
            "case_id": [cases["case_id"].iloc[2]],
            "month": [D("2025-08-01")],
            "declared_absence_days": [0],
            "declared_work_hours": [0.0],
            "submitted_date": [D("2025-09-03")],
        }
    )
    # A random stream of closed controls (the yardstick), on the persons' older SJP/TFP cases.
    n_ctrl = n_persons // 2
    ctrl_idx = rng.choice(len(cases), n_ctrl, replace=False)
    sel = [AS_OF - timedelta(days=int(x)) for x in rng.integers(200, 500, n_ctrl)]
    controls = pd.DataFrame(
        {
            "control_id": [f"R{i:05d}" for i in range(n_ctrl)],
            "case_id": cases["case_id"].to_numpy()[ctrl_idx],
            "person_id": cases["person_id"].to_numpy()[ctrl_idx],
            "benefit": cases["benefit"].to_numpy()[ctrl_idx],
            "selected_date": sel,
            "selection": "random",
            "selection_probability": 0.02,
            "closed_date": [s + timedelta(days=40) for s in sel],
            "outcome": rng.choice(
                ["no_error", "error_customer", "error_fk"], n_ctrl, p=[0.7, 0.2, 0.1]
            ),
            "wrong_amount_sek": 0.0,
        }
    )
    controls.loc[controls["outcome"] != "no_error", "wrong_amount_sek"] = 5000.0
    # one person controlled a week ago, still open: in cooldown tonight
    recent = controls.iloc[[0]].assign(
        control_id="R99999",
        selected_date=AS_OF - timedelta(days=7),
        selection="rule",
        selection_probability=np.nan,
        closed_date=None,
        outcome=None,
        wrong_amount_sek=np.nan,
    )
    controls = pd.concat([controls, recent], ignore_index=True)
    return {
        "persons": persons,
        "children": children,
        "employers": employers,
        "cases": cases,
        "payments": payments,
        "income_reports": income,
        "sgi_decisions": sgi,
        "work_time_reports": work,
        "activity_reports": activity,
        "controls": controls,
    }


def write_world(out: Path, tables: dict[str, pd.DataFrame] | None = None) -> Path:
    """Write the world as a contract-typed Parquet data directory."""
    for name, df in (tables or world_tables()).items():
        write_table(name, df, out)
    return out


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


def no_facts(data, items: pd.DataFrame) -> pd.DataFrame:
    """An explain that says nothing: the registry's sentence templates word every reason."""
    return items.assign(reason_sv="")


@dataclass
class FakeData:
    """The data side: real validation, tables and timeline facts; fake features and explain.

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

    def timeline_facts(self, data, persons: pd.Series, as_of: date):
        return fetch_timeline_facts(data, persons, as_of)


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
