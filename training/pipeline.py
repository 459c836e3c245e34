"""`felrisk train`: build the set, fit every model side by side, measure honestly, audit, register."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

import audit
from audit.weights import ipw_weights
from features.build import ID_COLUMNS, feature_table_columns
from felrisk.datadir import open_data
from felrisk.errors import ContractError
from felrisk.paths import project_root
from felrisk.validate import validate_data
from training import lineage, metrics, tracking
from training.card import comparison_table, model_card
from training.config import TrainingConfig, load_training_config
from training.dataset import TrainingSet, build_training_set
from training.evaluate import (
    Evaluation,
    evaluate_intent,
    evaluate_test,
    oracle_table,
    read_oracle_truth,
    top_k_mask,
)
from training.fitting import HYBRID, FittedModels, fit_models, period_masks
from training.gate import (
    AuditVerdict,
    GateDecision,
    confirm_failures,
    decide,
    decide_by_backtest,
    paired_gain_at_k,
)
from training.rolling import rolling_evaluation
from training.split import TimeSplit, time_split

log = logging.getLogger("felrisk.train")
# The champion ranks by the hybrid: its top-k is what the lists inherit, so it is audited and gated.
AUDITED = (HYBRID, "rules")


@dataclass
class TrainResult:
    """What one training run produced: where it is logged, the version, the gate, the figures."""

    run_id: str
    model_version: int
    promoted: bool
    decision: GateDecision
    evaluation: Evaluation
    metrics: dict[str, float]
    split: TimeSplit
    training_set: TrainingSet
    backtest: object | None = None


class PromotionCheck(Protocol):
    """What a promotion check returns (backtest/promotion.py): a verdict, reasons, a card section."""

    ok: bool
    reasons: list[str]
    markdown: str
    metrics: dict[str, float]
    tables: dict[str, pd.DataFrame]


# check(challenger bundle, champion bundle or None, data_dir, first night, last night)
PromotionCheckFn = Callable[[object, object, Path, date, date], PromotionCheck]


def require_test_rows(masks: dict[str, np.ndarray], split: TimeSplit, cfg: TrainingConfig) -> None:
    """Refuse a test period whose random stream is smaller than the capacity floor `min_k`."""
    n = int(masks["test"].sum())
    if n < cfg.capacity.min_k:
        raise ContractError(
            f"the test period ({split.t2} to {split.end}) holds {n} closed random-stream "
            f"controls (capacity.min_k = {cfg.capacity.min_k}): too few to measure anything "
            "honestly; use a longer test period (split.test_months) or more data"
        )


def _audit_frames(
    test: pd.DataFrame, score: np.ndarray, k: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(random stream with IPW weights, a model's top-k of it)."""
    random = test.assign(is_error=test["is_error"].astype(bool), ipw_weight=ipw_weights(test))
    return random, random.loc[top_k_mask(score, k)]


def _audit_kwargs(cfg: TrainingConfig, policy: audit.AuditPolicy, n_boot: int) -> dict:
    """The audit's keywords at training: resamples capped by the evaluation's bootstrap.n_boot."""
    return {
        "error_col": "is_error",
        "weight_col": "ipw_weight",
        "band": policy.band,
        "n_boot": min(cfg.bootstrap.n_boot, n_boot),
        "seed": cfg.seed,
        "level": policy.ci_level,
        "min_random_errors": policy.min_random_errors,
    }


def run_audits(
    test: pd.DataFrame, scores: dict[str, np.ndarray], k: int, cfg: TrainingConfig
) -> dict[str, dict[str, audit.AuditResult]]:
    """Equal treatment of each audited model's top-k against the test random stream."""
    policy = audit.load_audit_policy()
    groups = [g for g in policy.groups if g in test.columns]
    kwargs = _audit_kwargs(cfg, policy, policy.resamples.gate)
    out = {}
    for name in AUDITED:
        random, selected = _audit_frames(test, scores[name], k)
        out[name] = audit.audit_many(random, selected, groups, pairs=policy.pairs, **kwargs)
    return out


def per_benefit_audit(
    test: pd.DataFrame, score: np.ndarray, k: int, cfg: TrainingConfig
) -> pd.DataFrame:
    """Equal treatment of the model's top-k within each benefit: reported, not gated.

    Pooled figures can hide a group over-selected within one benefit and under-selected in
    another; a nightly list is cut per benefit, so this is the view it inherits. Thresholds:
    `per_benefit_min_picks` in the gate config, `resamples.per_benefit` in the audit policy.
    """
    random, selected = _audit_frames(test, score, k)
    policy = audit.load_audit_policy()
    groups = [g for g in policy.groups if g in test.columns]
    kwargs = _audit_kwargs(cfg, policy, policy.resamples.per_benefit)
    rows = []
    benefits = sorted(set(selected["benefit"])) if groups else []
    min_picks = cfg.gate.per_benefit_min_picks
    for benefit, r, s in audit.by_benefit(random, selected, benefits, min_picks=min_picks):
        for group, res in audit.audit_many(r, s, groups, pairs=False, **kwargs).items():
            t = res.table().reset_index(names="value")
            t.insert(0, "group", group)
            t.insert(0, "benefit", benefit)
            rows.append(t)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def _per_benefit_note(table: pd.DataFrame) -> str:
    """One line for the console: which groups fall outside the band within a benefit."""
    if table.empty or "fails" not in table.columns:
        return "equal treatment within benefits (reported, not gated): nothing to audit"
    failing = table[table["fails"].astype(bool)]
    if failing.empty:
        return "equal treatment within benefits (reported, not gated): every group within the band"
    named = ", ".join(
        f"{r.benefit} {r.group}={r.value} {r.equal_burden_ratio:.2f}" for r in failing.itertuples()
    )
    return f"equal treatment within benefits (reported, not gated): outside the band: {named}"


def gate_audit(
    test: pd.DataFrame,
    score: np.ndarray,
    k: int,
    results: dict[str, audit.AuditResult],
    cfg: TrainingConfig,
) -> AuditVerdict:
    """The failures that block promotion, after the multiple-testing adjustment of the config."""
    random, selected = _audit_frames(test, score, k)
    policy = audit.load_audit_policy()
    return confirm_failures(
        results,
        random,
        selected,
        correction=cfg.gate.multiple_testing,
        max_boot=policy.resamples.confirm_max,
        **_audit_kwargs(cfg, policy, policy.resamples.gate),
    )


def _audit_summary(audits: dict[str, dict[str, audit.AuditResult]]) -> pd.DataFrame:
    rows = []
    for model, results in audits.items():
        for group, res in results.items():
            t = res.table().reset_index(names="value")
            t.insert(0, "group", group)
            t.insert(0, "model", model)
            rows.append(t)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def _compare_with_champion(
    test: pd.DataFrame, scores: dict[str, np.ndarray], k: int, cfg: TrainingConfig
) -> tuple[int | None, object, str | None]:
    """(champion version, paired hit-rate gain at k, problem) on this run's test period."""
    version = tracking.champion_version(cfg.registered_model_name)
    if version is None:
        return None, None, None
    try:
        champ = tracking.load_version(version, cfg.registered_model_name)
        champ_score = champ.predict_frame(test)["score"].to_numpy()
    except Exception as exc:  # any failure to score is a reason to keep the champion
        return version, None, f"{type(exc).__name__}: {exc}"
    gain = paired_gain_at_k(
        test["is_error"].to_numpy(),
        scores[HYBRID],
        champ_score,
        k,
        n_boot=cfg.bootstrap.n_boot,
        seed=cfg.seed,
    )
    return version, gain, None


def _proxy_screen(
    X: pd.DataFrame, test: pd.DataFrame, score: np.ndarray, cfg: TrainingConfig
) -> pd.DataFrame:
    """Proxy screen per audit attribute; an attribute the screen cannot handle gets a row saying why.

    Features with no value at all in the test rows carry no information and are left out.
    """
    settings = audit.load_audit_policy()
    X = X.reset_index(drop=True)
    X = X.loc[:, X.notna().any()]
    tables = []
    for group in (g for g in settings.groups if g in test.columns):
        attr = test[[group]].reset_index(drop=True)
        try:
            tables.append(
                audit.proxy_screen(
                    X,
                    attr,
                    score=pd.Series(score),
                    folds=settings.proxy_folds,
                    seed=cfg.seed,
                    max_rows=settings.proxy_max_rows,
                )
            )
        except ValueError as exc:
            log.warning("proxy screen of %s not computed: %s", group, exc)
            tables.append(pd.DataFrame([{"attribute": group, "feature": f"not computed: {exc}"}]))
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()


def feature_table_example(ts: TrainingSet, mask: np.ndarray, n: int = 5) -> pd.DataFrame:
    """A few rows shaped and typed as the table `felrisk features` writes, for the model's
    signature and input example. The ids are placeholders: the example is stored beside the
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


def train(
    data_dir: Path,
    config_path: Path | None = None,
    seed: int | None = None,
    console=None,
    promotion_check: PromotionCheckFn | None = None,
) -> TrainResult:
    """Train on the closed controls of `data_dir`, compare, audit, log to MLflow, maybe promote.

    With `promotion_check` (the CLI passes the list's backtest), the challenger's lists replayed
    over the test period decide instead of the hit rate at k against the champion.
    """
    data_dir = Path(data_dir)
    cfg = load_training_config(config_path, seed)
    validate_data(data_dir)
    data = open_data(data_dir)
    ts = build_training_set(data, chunk_rows=cfg.feature_chunk_rows)
    log.info("training set: %d closed controls, %d features", len(ts.frame), len(ts.feature_names))
    split = time_split(ts.frame["selected_date"], ts.data_end, cfg.split)
    periods = split.assign(ts.frame["selected_date"], ts.frame["closed_date"])
    masks = period_masks(ts, periods, cfg)
    require_test_rows(masks, split, cfg)
    fitted = fit_models(ts, masks, cfg)
    test = ts.rows(masks["test"]).reset_index(drop=True)
    scores = fitted.scores(test)
    ev = evaluate_test(test, scores, cfg)
    intent = fitted.bundle.predict_frame(test)["intent_probability"].to_numpy()
    ev.intent = evaluate_intent(test, scores, intent, ev.k, cfg)
    truth = read_oracle_truth(data_dir)
    if truth is not None:
        ev.oracle = oracle_table(test, scores, truth, ev, cfg)
    audits = run_audits(test, scores, ev.k, cfg)
    within = per_benefit_audit(test, scores[HYBRID], ev.k, cfg)
    proxy = _proxy_screen(ts.X(masks["test"]), test, scores[HYBRID], cfg)
    rolling = rolling_evaluation(ts, split, cfg)
    verdict = gate_audit(test, scores[HYBRID], ev.k, audits[HYBRID], cfg)
    check = None
    if promotion_check is not None:
        champ_version = tracking.champion_version(cfg.registered_model_name)
        champion = (
            tracking.load_version(champ_version, cfg.registered_model_name)
            if champ_version is not None
            else None
        )
        check = promotion_check(fitted.bundle, champion, data_dir, split.t2, split.end)
        decision = decide_by_backtest(
            verdict.failures, champ_version, check.ok, check.reasons, audit_note=verdict.note()
        )
    else:
        champ_version, gain, problem = _compare_with_champion(test, scores, ev.k, cfg)
        decision = decide(
            verdict.failures,
            champ_version,
            gain,
            cfg.gate.min_improvement,
            problem,
            audit_note=verdict.note(),
        )
    flat = flat_metrics(ev, rolling)
    run_id, version = _log_run(
        data_dir,
        cfg,
        ts,
        fitted,
        split,
        masks,
        test,
        scores,
        ev,
        audits,
        within,
        proxy,
        rolling,
        decision,
        flat,
        check,
    )
    if console is not None:
        console.print(
            comparison_table(
                ev,
                f"Test period {split.t2} to {split.end}, random stream: k = {ev.k} of "
                f"{ev.n_random} controls, error rate {ev.stream_rate.value:.1%} "
                f"(population, IPW: {ev.base_rate.value:.1%})",
            )
        )
        console.print(f"{cfg.registered_model_name} v{version} ({run_id}): {decision.summary()}")
        console.print(_per_benefit_note(within))
    return TrainResult(run_id, version, decision.promote, decision, ev, flat, split, ts, check)


def _log_run(
    data_dir,
    cfg,
    ts: TrainingSet,
    fitted: FittedModels,
    split,
    masks,
    test,
    scores,
    ev: Evaluation,
    audits,
    within: pd.DataFrame,
    proxy,
    rolling,
    decision: GateDecision,
    flat,
    check: PromotionCheck | None = None,
) -> tuple[str, int]:
    counts = {name: int(m.sum()) for name, m in masks.items()}
    bundle = fitted.bundle
    bundle.metadata |= {"split": split.as_dict(), "k": ev.k, "data_dir": str(data_dir)}
    summary = _audit_summary(audits)
    with tracking.start_run(cfg.experiment, f"train seed={cfg.seed}", {"kind": "train"}) as lg:
        lg.log_params(
            {
                "seed": cfg.seed,
                "data_dir": str(Path(data_dir).resolve()),
                "k": ev.k,
                "k_share": cfg.capacity.k_share,
                **{f"split.{k}": v for k, v in split.as_dict().items()},
                **{f"rows.{k}": v for k, v in counts.items()},
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
        lg.log_metrics(flat)
        lg.log_table(ev.comparison, "metrics/comparison.csv")
        lg.log_table(ev.per_benefit, "metrics/per_benefit.csv")
        lg.log_table(ev.population, "metrics/population_ipw.csv")
        lg.log_table(ev.paired, "metrics/paired_gains.csv")
        lg.log_table(ev.intent, "metrics/intent.csv")
        lg.log_table(rolling, "metrics/rolling.csv")
        if ev.oracle is not None:
            lg.log_table(ev.oracle, "metrics/oracle.csv")
        lg.log_table(summary, "audit/equal_treatment.csv")
        lg.log_dict(
            {m: {g: r.to_dict() for g, r in res.items()} for m, res in audits.items()},
            "audit/equal_treatment.json",
        )
        lg.log_table(within, "audit/equal_treatment_per_benefit.csv")
        lg.log_table(proxy, "audit/proxy_screen.csv")
        if check is not None:
            lg.log_metrics(check.metrics)
            for artifact, table in check.tables.items():
                lg.log_table(table, artifact)
            lg.log_text(check.markdown, "backtest.md")
        lg.log_table(bundle.profile.to_frame(), "model/training_profile.csv")
        with tracking.scratch_dir() as tmp:
            _plots(Path(tmp), test, scores, ev, audits)
            tracking.log_figure_dir(lg, Path(tmp), "plots")
        version = tracking.log_bundle(
            lg,
            bundle,
            feature_table_example(ts, masks["train"]),
            cfg.registered_model_name,
            id_columns=ID_COLUMNS,
        )
        commit = lineage.git_commit(project_root())
        tags = lineage.lineage_tags(
            snapshot=ts.snapshot,
            data_dir=Path(data_dir),
            commit=commit,
            config=cfg.model_dump(),
            backtest_reasons=check.reasons if check is not None else None,
        )
        run_tags = {
            "model_version": version,
            "gate": decision.summary(),
            "data_snapshot_sha256": tags["data_snapshot_sha256"],
        }
        if tags["git_commit"] != lineage.UNKNOWN:
            run_tags["mlflow.source.git.commit"] = tags["git_commit"]  # MLflow's own key
        lg.set_tags(run_tags)
        lg.log_dict(
            {
                "promote": decision.promote,
                "reasons": decision.reasons,
                "audit_failures": decision.audit_failures,
            },
            "gate.json",
        )
        main = summary[summary["model"] == HYBRID] if not summary.empty else summary
        cols = [
            c
            for c in (
                "group",
                "value",
                "share_selected",
                "share_random_errors",
                "equal_burden_ratio",
                "equal_burden_ratio_low",
                "equal_burden_ratio_high",
                "fails",
            )
            if c in main.columns
        ]
        card = model_card(
            name=cfg.registered_model_name,
            version=version,
            ev=ev,
            split=split.as_dict(),
            counts=counts,
            snapshot=ts.snapshot,
            feature_names=ts.feature_names,
            feature_version=bundle.feature_version,
            audit_summary=main[cols] if cols else main,
            proxy_top=proxy.head(15),
            decision=decision,
            rolling=rolling,
            oracle=ev.oracle,
            seed=cfg.seed,
            band=audit.load_audit_policy().band,
            backtest_md=check.markdown if check is not None else "",
        )
        lg.log_text(card, "model_card.md")
        tracking.tag_version(
            version, {"gate": decision.summary()[:4000], **tags}, cfg.registered_model_name
        )
        tracking.describe_version(
            version,
            lineage.version_description(
                name=cfg.registered_model_name,
                version=version,
                tags=tags,
                snapshot=ts.snapshot,
                split=split.as_dict(),
                gate=decision.summary(),
                backtest_markdown=check.markdown if check is not None else "",
            ),
            cfg.registered_model_name,
        )
        if decision.promote:
            tracking.set_champion(version, decision.summary(), "gate", cfg.registered_model_name)
        return lg.run_id, version
