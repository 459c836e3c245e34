"""`felrisk train`: build the set, fit every model side by side, measure honestly, audit, register."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

import audit
from audit.weights import ipw_weights
from felrisk.datadir import open_data
from felrisk.errors import ContractError
from felrisk.validate import validate_data
from training import tracking
from training.card import comparison_table
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
from training.fitting import HYBRID, fit_models, period_masks
from training.gate import (
    AuditVerdict,
    GateDecision,
    confirm_failures,
    decide,
    decide_by_backtest,
    paired_gain_at_k,
)
from training.rolling import rolling_evaluation
from training.runlog import PromotionCheck, TrainingReport, flat_metrics, log_training_run
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
    report = TrainingReport(
        data_dir=data_dir,
        cfg=cfg,
        ts=ts,
        fitted=fitted,
        split=split,
        masks=masks,
        test=test,
        scores=scores,
        ev=ev,
        audits=audits,
        within=within,
        proxy=proxy,
        rolling=rolling,
        decision=decision,
        flat=flat,
        check=check,
    )
    run_id, version = log_training_run(report)
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
