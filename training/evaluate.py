"""Test-period evaluation on the random stream: comparison at k, per benefit, IPW, oracle, rolling."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from audit.weights import ipw_weights
from training import metrics
from training.config import TrainingConfig
from training.gate import paired_gain_at_k
from training.metrics import Estimate


def top_k_mask(score: np.ndarray, k: int) -> np.ndarray:
    """The k best scores (ties kept in row order, as the metrics do)."""
    order = np.argsort(-np.asarray(score, dtype=float), kind="stable")
    mask = np.zeros(len(order), dtype=bool)
    mask[order[:k]] = True
    return mask


@dataclass
class Evaluation:
    """Everything measured on the test period's random stream.

    `stream_rate` is the error rate of the test rows as they are (what hit rates and lifts at k
    compare with); `base_rate` the population prevalence, weighted by 1 / selection probability.
    """

    k: int
    n_random: int
    base_rate: Estimate
    comparison: pd.DataFrame
    per_benefit: pd.DataFrame
    population: pd.DataFrame
    stream_rate: Estimate
    paired: pd.DataFrame = field(default_factory=pd.DataFrame)
    intent: pd.DataFrame = field(default_factory=pd.DataFrame)
    oracle: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    def hit_rate(self, model: str) -> Estimate:
        row = self.comparison.set_index("model").loc[model]
        return Estimate(row["hit_rate"], row["hit_rate_low"], row["hit_rate_high"])


def evaluate_test(
    test: pd.DataFrame, scores: dict[str, np.ndarray], cfg: TrainingConfig
) -> Evaluation:
    """Compare the models at capacity k on the test random stream, overall and per benefit."""
    boot = {"n_boot": cfg.bootstrap.n_boot, "seed": cfg.seed}
    y = test["is_error"].to_numpy()
    w = ipw_weights(test)
    k = cfg.capacity.k_for(len(test))
    base = metrics.ipw_prevalence(y, w, **boot)
    stream = metrics.ipw_prevalence(y, np.ones(len(y)), **boot)
    # hit rates at k are counted on the test rows as they are, so their lift is over the same
    # rows' own error rate (re-estimated in every resample); the population lift, weighted by
    # the selection probabilities, is `population.ipw_lift`
    comparison = metrics.compare_at_k(test, scores, k, **boot)
    notes: list[str] = []

    rows = []
    for benefit, idx in test.groupby("benefit", sort=True).groups.items():
        sub = test.loc[idx]
        kb = cfg.capacity.k_for(len(sub))
        if len(sub) < cfg.capacity.min_k or sub["is_error"].nunique() < 2:
            notes.append(f"{benefit}: {len(sub)} random test rows, no comparison")
            continue
        pos = test.index.get_indexer(idx)
        sub_base = metrics.ipw_prevalence(sub["is_error"], ipw_weights(sub), **boot)
        table = metrics.compare_at_k(sub, {m: s[pos] for m, s in scores.items()}, kb, **boot)
        rows.append(table.assign(benefit=benefit, base_rate=sub_base.value))
    per_benefit = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()

    pop = []
    for name, s in scores.items():
        in_list = top_k_mask(s, k)
        recall = metrics.ipw_recall_of_list(y, w, in_list, **boot)
        lift = metrics.ipw_lift(y, w, in_list, **boot)
        pop.append(
            {
                "model": name,
                "ipw_recall": recall.value,
                "ipw_recall_low": recall.low,
                "ipw_recall_high": recall.high,
                "ipw_lift": lift.value,
                "ipw_lift_low": lift.low,
                "ipw_lift_high": lift.high,
            }
        )
    population = pd.DataFrame(pop)
    paired = paired_gains(y, scores, k, BASELINES, cfg)
    return Evaluation(
        k, len(test), base, comparison, per_benefit, population, stream, paired, notes=notes
    )


BASELINES = ("random", "rules")


def paired_gains(
    y: np.ndarray,
    scores: dict[str, np.ndarray],
    k: int,
    baselines: tuple[str, ...],
    cfg: TrainingConfig,
) -> pd.DataFrame:
    """Each model's hit rate at k minus each baseline's, on the same bootstrap resamples.

    Two separate intervals can overlap while the paired difference is clearly above zero: both
    lists are drawn from the same test rows, and pairing removes the noise they share.
    """
    rows = []
    for name, s in scores.items():
        for base in baselines:
            if name in baselines or base not in scores:
                continue
            g = paired_gain_at_k(y, s, scores[base], k, n_boot=cfg.bootstrap.n_boot, seed=cfg.seed)
            rows.append(
                {
                    "model": name,
                    "baseline": base,
                    "gain": g.value,
                    "gain_low": g.low,
                    "gain_high": g.high,
                }
            )
    return pd.DataFrame(rows, columns=["model", "baseline", "gain", "gain_low", "gain_high"])


def evaluate_intent(
    test: pd.DataFrame,
    scores: dict[str, np.ndarray],
    intent: np.ndarray | None,
    k: int,
    cfg: TrainingConfig,
) -> pd.DataFrame:
    """The second target (suspected_crime) at k: the intent model beside the error model and random.

    Empty when there is no intent model or the test stream holds no intent case at all.
    """
    y = test["is_intent"].to_numpy()
    if intent is None or not np.isfinite(intent).all() or y.sum() == 0:
        return pd.DataFrame()
    candidates = {"intent": intent, "lightgbm": scores["lightgbm"], "random": scores["random"]}
    return metrics.compare_at_k(
        test,
        candidates,
        k,
        y_col="is_intent",
        amount_col=None,
        n_boot=cfg.bootstrap.n_boot,
        seed=cfg.seed,
    )


def read_oracle_truth(data_dir: Path) -> pd.DataFrame | None:
    """Synthetic ground truth (DIR/truth/case_truth.parquet), or None on real data.

    The one place training and the backtest touch truth/: only oracle figures use what it returns
    (`oracle_table`, the backtest's oracle columns), after every model is fitted and every list
    drawn, so the truth can never reach a model, a split, a list or a gate. `corrected_date`
    (when the world records it) says from when an error was corrected and no longer there.
    """
    path = Path(data_dir) / "truth" / "case_truth.parquet"
    if not path.exists():
        return None
    import pyarrow.parquet as pq

    wanted = ["case_id", "is_erroneous", "wrong_amount_sek", "corrected_date"]
    present = set(pq.read_schema(path).names)
    return pd.read_parquet(path, columns=[c for c in wanted if c in present])


def oracle_table(
    test: pd.DataFrame,
    scores: dict[str, np.ndarray],
    truth: pd.DataFrame,
    evaluation: Evaluation,
    cfg: TrainingConfig,
) -> pd.DataFrame:
    """The same figures against the synthetic truth (labelled oracle) beside the honest ones.

    Honest: outcomes investigators recorded on the random stream. Oracle: whether the case was
    really erroneous. The gap shows what the honest measurement misses (errors not found).
    """
    boot = {"n_boot": cfg.bootstrap.n_boot, "seed": cfg.seed}
    t = test[["case_id"]].merge(truth, on="case_id", how="left")
    y_true = t["is_erroneous"].fillna(False).astype(int).to_numpy()
    w = ipw_weights(test)
    prev = metrics.ipw_prevalence(y_true, w, **boot)
    rows = [
        {
            "model": "(population)",
            "figure": "prevalence",
            "honest": evaluation.base_rate.value,
            "oracle": prev.value,
            "oracle_low": prev.low,
            "oracle_high": prev.high,
        }
    ]
    honest = evaluation.comparison.set_index("model")
    for name, s in scores.items():
        if y_true.sum() == 0:
            break
        hit = metrics.precision_at_k(y_true, s, evaluation.k, **boot)
        auc = metrics.pr_auc(y_true, s, **boot)
        for fig, est in (("hit_rate", hit), ("pr_auc", auc)):
            rows.append(
                {
                    "model": name,
                    "figure": fig,
                    "honest": honest.loc[name, fig],
                    "oracle": est.value,
                    "oracle_low": est.low,
                    "oracle_high": est.high,
                }
            )
    table = pd.DataFrame(rows)
    table["honest_minus_oracle"] = table["honest"] - table["oracle"]
    return table
