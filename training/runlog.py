"""What a training run sends to MLflow: params, figures, tables, plots, the new version, its card."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

import audit
from features.build import ID_COLUMNS, feature_table_columns
from felrisk.paths import project_root
from training import lineage, metrics, tracking
from training.card import model_card
from training.config import TrainingConfig
from training.dataset import TrainingSet
from training.evaluate import Evaluation
from training.fitting import HYBRID, FittedModels
from training.gate import GateDecision
from training.split import TimeSplit


class PromotionCheck(Protocol):
    """What a promotion check returns (backtest/promotion.py): a verdict, reasons, a card section."""

    ok: bool
    reasons: list[str]
    markdown: str
    metrics: dict[str, float]
    tables: dict[str, pd.DataFrame]


def _audit_summary(audits: dict[str, dict[str, audit.AuditResult]]) -> pd.DataFrame:
    rows = []
    for model, results in audits.items():
        for group, res in results.items():
            t = res.table().reset_index(names="value")
            t.insert(0, "group", group)
            t.insert(0, "model", model)
            rows.append(t)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def feature_table_example(ts: TrainingSet, mask: np.ndarray, n: int = 5) -> pd.DataFrame:
    """A few rows shaped and typed as the table `felrisk features` writes, for the model's
    signature and input example. The ids are made up: the example is stored beside the
    model, which a team's server shows to everyone who may read the registry."""
    rows = ts.rows(mask).head(n).reset_index(drop=True)
    example = rows.loc[:, feature_table_columns()].copy()
    for col in ("case_id", "person_id"):
        example[col] = [f"{col}-example-{i + 1}" for i in range(len(example))]
    return example


def flat_metrics(ev: Evaluation, rolling: pd.DataFrame) -> dict[str, float]:
    """Every figure as one MLflow metric (`test.<model>.<figure>` and so on)."""
    out: dict[str, float] = {
        "test.k": ev.k,
        "test.n_random": ev.n_random,
        "test.base_rate": ev.base_rate.value,
        "test.base_rate_low": ev.base_rate.low,
        "test.base_rate_high": ev.base_rate.high,
        "test.stream_rate": ev.stream_rate.value,
        "test.stream_rate_low": ev.stream_rate.low,
        "test.stream_rate_high": ev.stream_rate.high,
    }
    skip = {"model", "k", "n", "benefit"}
    for _, r in ev.comparison.iterrows():
        out |= {f"test.{r['model']}.{c}": float(r[c]) for c in r.index if c not in skip}
    for _, r in ev.population.iterrows():
        out |= {f"test.{r['model']}.{c}": float(r[c]) for c in r.index if c not in skip}
    for _, r in ev.intent.iterrows():
        for c in ("hit_rate", "hit_rate_low", "hit_rate_high", "pr_auc", "roc_auc"):
            out[f"intent.{r['model']}.{c}"] = float(r[c])
    for _, r in ev.paired.iterrows():
        for c in ("gain", "gain_low", "gain_high"):
            out[f"test.{r['model']}.{c}_vs_{r['baseline']}"] = float(r[c])
    for _, r in ev.per_benefit.iterrows():
        for c in ("hit_rate", "hit_rate_low", "hit_rate_high", "lift", "wrong_sek", "pr_auc"):
            out[f"benefit.{r['benefit']}.{r['model']}.{c}"] = float(r[c])
    if ev.oracle is not None:
        for _, r in ev.oracle.iterrows():
            out[f"oracle.{r['model']}.{r['figure']}"] = float(r["oracle"])
            out[f"oracle.{r['model']}.{r['figure']}_honest_minus_oracle"] = float(
                r["honest_minus_oracle"]
            )
    if "model" in rolling.columns:
        for _, r in rolling.dropna(subset=["model"]).iterrows():
            out[f"rolling.{r['period_start']}.{r['model']}.hit_rate"] = float(r["hit_rate"])
    return {k.replace("(", "").replace(")", ""): v for k, v in out.items() if pd.notna(v)}


def _plots(folder: Path, test: pd.DataFrame, scores, ev: Evaluation, audits) -> None:
    y = test["is_error"].to_numpy()
    metrics.plot_lift_at_k(y, scores, folder / "lift_at_k.png", base_rate=ev.stream_rate.value)
    metrics.plot_pr(y, scores, folder / "pr_curve.png")
    metrics.plot_reliability(y, scores["lightgbm"], folder / "reliability_lightgbm.png")
    for model, results in audits.items():
        audit.plot_equal_burden(results, folder / f"equal_burden_{model}.png")


@dataclass
class TrainingReport:
    """One training run's set, models, measures and gate decision: what goes to MLflow."""

    data_dir: Path
    cfg: TrainingConfig
    ts: TrainingSet
    fitted: FittedModels
    split: TimeSplit
    masks: dict[str, np.ndarray]
    test: pd.DataFrame
    scores: dict[str, np.ndarray]
    ev: Evaluation
    audits: dict[str, dict[str, audit.AuditResult]]
    within: pd.DataFrame
    proxy: pd.DataFrame
    rolling: pd.DataFrame
    decision: GateDecision
    flat: dict[str, float]
    check: PromotionCheck | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Rows per period (train, validate, test, ...)."""
        return {name: int(m.sum()) for name, m in self.masks.items()}

    @property
    def backtest_markdown(self) -> str:
        return self.check.markdown if self.check is not None else ""


def log_training_run(r: TrainingReport) -> tuple[str, int]:
    """Log the run, register its bundle as a new version and promote it if the gate says so."""
    cfg, bundle = r.cfg, r.fitted.bundle
    bundle.metadata |= {"split": r.split.as_dict(), "k": r.ev.k, "data_dir": str(r.data_dir)}
    summary = _audit_summary(r.audits)
    with tracking.start_run(cfg.experiment, f"train seed={cfg.seed}", {"kind": "train"}) as lg:
        _log_inputs(lg, r)
        _log_measures(lg, r, summary)
        with tracking.scratch_dir() as tmp:
            _plots(Path(tmp), r.test, r.scores, r.ev, r.audits)
            tracking.log_figure_dir(lg, Path(tmp), "plots")
        version = tracking.log_bundle(
            lg,
            bundle,
            feature_table_example(r.ts, r.masks["train"]),
            cfg.registered_model_name,
            id_columns=ID_COLUMNS,
        )
        tags = _log_lineage(lg, r, version)
        lg.log_text(_card(r, version, summary), "model_card.md")
        _describe_version(r, version, tags)
        if r.decision.promote:
            tracking.set_champion(version, r.decision.summary(), "gate", cfg.registered_model_name)
        return lg.run_id, version


def _log_inputs(lg: tracking.RunLogger, r: TrainingReport) -> None:
    """The run's params (seed, data, split, rows, config) and the data snapshot and features."""
    cfg, ts, bundle = r.cfg, r.ts, r.fitted.bundle
    lg.log_params(
        {
            "seed": cfg.seed,
            "data_dir": str(Path(r.data_dir).resolve()),
            "k": r.ev.k,
            "k_share": cfg.capacity.k_share,
            **{f"split.{k}": v for k, v in r.split.as_dict().items()},
            **{f"rows.{k}": v for k, v in r.counts.items()},
            "feature_version": bundle.feature_version,
            "n_features": len(ts.feature_names),
            **{f"config.{k}": v for k, v in cfg.model_dump().items()},
        }
    )
    lg.log_dict(ts.snapshot, "data/snapshot.json")
    lg.log_dict(
        {
            "version": bundle.feature_version,
            "features": ts.feature_names,
            "categorical": ts.categorical_features,
        },
        "data/features.json",
    )


def _log_measures(lg: tracking.RunLogger, r: TrainingReport, summary: pd.DataFrame) -> None:
    """Every figure and table: the evaluation, the audits, the backtest, the training profile."""
    ev = r.ev
    lg.log_metrics(r.flat)
    lg.log_table(ev.comparison, "metrics/comparison.csv")
    lg.log_table(ev.per_benefit, "metrics/per_benefit.csv")
    lg.log_table(ev.population, "metrics/population_ipw.csv")
    lg.log_table(ev.paired, "metrics/paired_gains.csv")
    lg.log_table(ev.intent, "metrics/intent.csv")
    lg.log_table(r.rolling, "metrics/rolling.csv")
    if ev.oracle is not None:
        lg.log_table(ev.oracle, "metrics/oracle.csv")
    lg.log_table(summary, "audit/equal_treatment.csv")
    lg.log_dict(
        {m: {g: res.to_dict() for g, res in results.items()} for m, results in r.audits.items()},
        "audit/equal_treatment.json",
    )
    lg.log_table(r.within, "audit/equal_treatment_per_benefit.csv")
    lg.log_table(r.proxy, "audit/proxy_screen.csv")
    if r.check is not None:
        lg.log_metrics(r.check.metrics)
        for artifact, table in r.check.tables.items():
            lg.log_table(table, artifact)
        lg.log_text(r.check.markdown, "backtest.md")
    lg.log_table(r.fitted.bundle.profile.to_frame(), "model/training_profile.csv")


def _log_lineage(lg: tracking.RunLogger, r: TrainingReport, version: int) -> dict:
    """Tag the run with its version, gate and data snapshot; log the gate; return the lineage."""
    commit = lineage.git_commit(project_root())
    tags = lineage.lineage_tags(
        snapshot=r.ts.snapshot,
        data_dir=Path(r.data_dir),
        commit=commit,
        config=r.cfg.model_dump(),
        backtest_reasons=r.check.reasons if r.check is not None else None,
    )
    run_tags = {
        "model_version": version,
        "gate": r.decision.summary(),
        "data_snapshot_sha256": tags["data_snapshot_sha256"],
    }
    if tags["git_commit"] != lineage.UNKNOWN:
        run_tags["mlflow.source.git.commit"] = tags["git_commit"]  # MLflow's own key
    lg.set_tags(run_tags)
    lg.log_dict(
        {
            "promote": r.decision.promote,
            "reasons": r.decision.reasons,
            "audit_failures": r.decision.audit_failures,
        },
        "gate.json",
    )
    return tags


# The model card's audit columns, those the summary holds.
_CARD_AUDIT_COLUMNS = (
    "group",
    "value",
    "share_selected",
    "share_random_errors",
    "equal_burden_ratio",
    "equal_burden_ratio_low",
    "equal_burden_ratio_high",
    "fails",
)


def _card(r: TrainingReport, version: int, summary: pd.DataFrame) -> str:
    """The model card (Markdown): the champion's ranking model's audit beside every figure."""
    main = summary[summary["model"] == HYBRID] if not summary.empty else summary
    cols = [c for c in _CARD_AUDIT_COLUMNS if c in main.columns]
    return model_card(
        name=r.cfg.registered_model_name,
        version=version,
        ev=r.ev,
        split=r.split.as_dict(),
        counts=r.counts,
        snapshot=r.ts.snapshot,
        feature_names=r.ts.feature_names,
        feature_version=r.fitted.bundle.feature_version,
        audit_summary=main[cols] if cols else main,
        proxy_top=r.proxy.head(15),
        decision=r.decision,
        rolling=r.rolling,
        oracle=r.ev.oracle,
        seed=r.cfg.seed,
        band=audit.load_audit_policy().band,
        backtest_md=r.backtest_markdown,
    )


def _describe_version(r: TrainingReport, version: int, tags: dict) -> None:
    """The registered version's tags (gate, lineage) and the description its page shows first."""
    name = r.cfg.registered_model_name
    tracking.tag_version(version, {"gate": r.decision.summary()[:4000], **tags}, name)
    tracking.describe_version(
        version,
        lineage.version_description(
            name=name,
            version=version,
            tags=tags,
            snapshot=r.ts.snapshot,
            split=r.split.as_dict(),
            gate=r.decision.summary(),
            backtest_markdown=r.backtest_markdown,
        ),
        name,
    )
