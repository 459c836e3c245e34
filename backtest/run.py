"""`felrisk backtest`: the nightly job replayed over past nights, policies side by side, logged."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from backtest import measure, report
from backtest.config import BacktestConfig, load_backtest_config
from backtest.replay import PolicySpec, capacity_total, night_dates, replay, standard_policies
from felrisk.errors import ContractError
from scoring.config import SelectionConfig, load_selection_config
from scoring.job import default_source, score_cases
from scoring.ports import DataSource
from training import tracking
from training.config import TrainingConfig, load_training_config
from training.dataset import FeatureSource, build_training_set, default_feature_source
from training.evaluate import read_oracle_truth
from training.fitting import fit_models
from training.split import TimeSplit

log = logging.getLogger("felrisk.backtest")

# Pairs whose paired differences every backtest reports.
PAIRS = (("hybrid", "rules"), ("hybrid", "model"), ("hybrid", "random"), ("model", "rules"))


@dataclass
class BacktestResult:
    """Nights replayed, every pick with its labels, sums per night, totals and paired figures."""

    nights: list[date]
    picks: pd.DataFrame
    per_night: pd.DataFrame
    totals: pd.DataFrame
    paired: pd.DataFrame
    model_note: str
    capacity_per_night: int
    run_id: str | None = None
    notes: list[str] = field(default_factory=list)

    def title(self) -> str:
        first, last = self.nights[0], self.nights[-1]
        return (
            f"Backtest: {len(self.nights)} nights {first} to {last}, capacity "
            f"{self.capacity_per_night} a night; {self.model_note}"
        )

    def figure(self, policy: str, figure: str) -> float:
        return float(self.totals.set_index("policy").loc[policy, figure])


def train_before(
    data,
    first: date,
    cfg: TrainingConfig,
    validate_months: int,
    source: FeatureSource | None = None,
):
    """A model bundle fitted on the controls closed before `first` (the window's first night).

    Calibrated on the last `validate_months` before it; training.toml's hyperparameters.
    """
    from features import build

    base = source or default_feature_source()
    src = FeatureSource(
        control_spine=lambda d: build.control_spine(d, closed_before=first),
        build_features=base.build_features,
        feature_names=base.feature_names,
        categorical_features=base.categorical_features,
    )
    ts = build_training_set(data, src, chunk_rows=cfg.feature_chunk_rows)
    t1 = (pd.Timestamp(first) - pd.DateOffset(months=validate_months)).date()
    periods = TimeSplit(t1, first, first).assign(ts.frame["selected_date"], ts.frame["closed_date"])
    usable = ts.frame["selection"].isin(cfg.train_selections).to_numpy()
    p = periods.to_numpy()
    masks = {
        "train": (p == "train") & usable,
        "validate": (p == "validate") & usable,
        "test": np.zeros(len(p), dtype=bool),
    }
    fitted = fit_models(ts, masks, cfg)
    return fitted.bundle, int(masks["train"].sum()), int(masks["validate"].sum())


def night_scorer(
    data, bundles: Mapping[str, object], selection: SelectionConfig, source: DataSource
) -> Callable[[date], dict[str, pd.DataFrame]]:
    """score(D): per bundle name, the nightly job's scored frame of D's active cases.

    The features are built once a night (the job's own code path) and scored by every bundle.
    """

    def score(night: date) -> dict[str, pd.DataFrame]:
        spine = source.active_spine(data, night)
        features = source.build_features(data, spine).to_pandas()
        features = features.sort_values("case_id", kind="mergesort").reset_index(drop=True)
        if features.empty:
            raise ContractError(
                f"payments: no active case on {night}; is the window inside the data?"
            )
        return {name: score_cases(features, b, selection) for name, b in bundles.items()}

    return score


def measure_picks(
    picks: pd.DataFrame,
    controls: pd.DataFrame,
    truth: pd.DataFrame | None,
    nights: list[date],
    policies: Sequence[str],
    cfg: BacktestConfig,
    pairs: Sequence[tuple[str, str]] = PAIRS,
    cases: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(labelled picks, sums per night, totals, paired differences)."""
    labelled = measure.label_picks(picks, controls, truth, cases)
    sums = measure.complete_nights(measure.night_sums(labelled), policies, nights)
    boot = {"n_boot": cfg.n_boot, "seed": cfg.seed, "level": cfg.level}
    tot = measure.totals(sums, policies, **boot)
    pairs = [(a, b) for a, b in pairs if a in policies and b in policies]
    return labelled, sums, tot, measure.paired_table(sums, pairs, **boot)


def replay_and_measure(
    data,
    data_dir: Path,
    bundles: Mapping[str, object],
    nights: list[date],
    *,
    cfg: BacktestConfig,
    selection: SelectionConfig,
    source: DataSource,
    policies: Sequence[PolicySpec],
    model_note: str,
    pairs: Sequence[tuple[str, str]] = PAIRS,
) -> BacktestResult:
    """Replay `nights` for every policy (each ranking one of `bundles`) and measure the lists."""
    controls = data["controls"].to_pandas()
    score = night_scorer(data, bundles, selection, source)

    def progress(night: date, i: int) -> None:
        log.info("backtest night %s (%d of %d)", night, i + 1, len(nights))

    picks = replay(nights, score, controls, selection, policies, on_night=progress)
    truth = read_oracle_truth(data_dir)
    names = [p.name for p in policies]
    cases = data["cases"].select("case_id", "opened_date", "closed_date").to_pandas()
    labelled, sums, tot, paired = measure_picks(
        picks, controls, truth, nights, names, cfg, pairs, cases
    )
    notes = []
    if truth is None:
        notes.append("no truth/ beside the data: honest figures only")
    return BacktestResult(
        nights, labelled, sums, tot, paired, model_note, capacity_total(selection), notes=notes
    )


def run_backtest(
    data_dir: Path,
    first: date,
    last: date,
    *,
    every_days: int | None = None,
    config_path: Path | None = None,
    selection_path: Path | None = None,
    seed: int | None = None,
    console=None,
    source: DataSource | None = None,
    log_to_mlflow: bool = True,
) -> BacktestResult:
    """Replay the nights from `first` to `last` with a model trained before `first`; log it."""
    cfg = load_backtest_config(config_path)
    selection = load_selection_config(selection_path)
    train_cfg = load_training_config(None, seed)
    source = source or default_source()
    source.validate(Path(data_dir))
    data = source.open(Path(data_dir))
    nights = night_dates(first, last, every_days or cfg.every_days)
    bundle, n_train, n_val = train_before(data, first, train_cfg, cfg.validate_months)
    note = f"model trained on {n_train} controls closed before {first} (calibrated on {n_val})"
    result = replay_and_measure(
        data,
        Path(data_dir),
        {"model": bundle},
        nights,
        cfg=cfg,
        selection=selection,
        source=source,
        policies=standard_policies(cfg.policies),
        model_note=note,
    )
    if console is not None:
        console.print(report.console_table(result.totals, result.title()))
    if log_to_mlflow:
        result.run_id = log_backtest(result, cfg, data_dir, selection)
    return result


def log_backtest(
    result: BacktestResult, cfg: BacktestConfig, data_dir: Path, selection: SelectionConfig
) -> str:
    """One MLflow run: parameters, totals as metrics, the tables, the plot and a markdown page."""
    params = {
        "data_dir": str(Path(data_dir).resolve()),
        "first_night": result.nights[0].isoformat(),
        "last_night": result.nights[-1].isoformat(),
        "nights": len(result.nights),
        "policies": ",".join(result.totals["policy"]),
        "model": result.model_note,
        "selection": selection.model_dump(),
    }
    with tracking.start_run(cfg.experiment, result.title()[:200], {"kind": "backtest"}) as lg:
        lg.log_params(params)
        lg.log_metrics(flat_metrics(result.totals))
        lg.log_table(result.totals, "backtest/totals.csv")
        lg.log_table(result.per_night, "backtest/per_night.csv")
        lg.log_table(result.paired, "backtest/paired.csv")
        lg.log_text(report.markdown(result.totals, result.paired, result.title()), "backtest.md")
        with tracking.scratch_dir() as tmp:
            report.plot_cumulative(result.per_night, Path(tmp) / "backtest_errors_found.png")
            tracking.log_figure_dir(lg, Path(tmp), "plots")
        return lg.run_id


def flat_metrics(totals: pd.DataFrame, prefix: str = "backtest") -> dict[str, float]:
    """`backtest.<policy>.<figure>` for every finite figure of the totals."""
    out = {}
    for _, r in totals.iterrows():
        for col, v in r.items():
            if col == "policy" or not isinstance(v, int | float | np.floating | np.integer):
                continue
            if np.isfinite(v):
                out[f"{prefix}.{r['policy']}.{col}"] = float(v)
    return out
