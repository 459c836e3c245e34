"""The nightly job: validate, score every active case, select, explain, write one folder atomically."""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from rich.console import Console

from felrisk import swedish
from felrisk.datadir import ENGINES, DataSet, file_sha256
from felrisk.errors import ConfigError, ContractError
from felrisk.safeio import remove_path, write_text
from felrisk.validate import ValidationReport
from scoring.config import SelectionConfig, load_selection_config
from scoring.fairness import NightFairness, audit_night, audit_settings
from scoring.manifest import Manifest, input_fingerprint, night_counts
from scoring.monitor import drift, log_scoring_run
from scoring.notice import notices
from scoring.outputs import finalize, write_csv, write_excel, write_parquet
from scoring.ports import Bundle, DataSource, ModelRegistry
from scoring.publish import date_lock, publish, published_lists, recover, staging_dir
from scoring.reasons import attach_reasons, frame_reasons, reason_candidates, template_reasons
from scoring.report import render_report, value_floor_sv
from scoring.selection import (
    capacity_use,
    confirmed_error_cases,
    cooldown_persons,
    eligible_cases,
    is_among,
    select_controls,
)
from scoring.timeline import render_timelines

log = logging.getLogger("felrisk.scoring")

# Every file of a night but the manifest; the manifest holds their hashes, so a rerun is compared.
LIST_FILES = ("control_list.parquet", "control_list.csv", "control_list.xlsx", "report.html")


@dataclass
class NightResult:
    """Where tonight's folder is and what it holds."""

    folder: Path
    as_of: date
    model_version: int
    n_scored: int
    n_selected: int
    counts: dict = field(default_factory=dict)


class _Steps:
    """A rich status line and a plain log line per step, with the step's wall time."""

    def __init__(self, console: Console | None) -> None:
        self.console = console
        self.timings: dict[str, float] = {}

    @contextmanager
    def step(self, name: str, text: str):
        start = time.perf_counter()
        log.info("step %s: start", name)
        if self.console is not None:
            with self.console.status(text):
                yield
        else:
            yield
        took = time.perf_counter() - start
        self.timings[name] = took
        log.info("step %s: done in %.2f s", name, took)
        if self.console is not None:
            self.console.print(f"[green]✓[/] {text} ({took:.1f} s)")


def issued_lists(out: Path, as_of: date, days: int) -> tuple[pd.DataFrame, dict[str, str]]:
    """Earlier nights' lists in OUT within the cooldown window (selected, outcome not yet back)."""
    frames, hashes = [], {}
    for day, f in published_lists(out):
        if 0 < (as_of - day).days <= days:
            frames.append(pd.read_parquet(f, columns=["person_id", "as_of"]))
            hashes[f.parent.name] = file_sha256(f)
    if not frames:
        return pd.DataFrame(columns=["person_id", "as_of"]), hashes
    return pd.concat(frames, ignore_index=True), hashes


def issued_exploration_ids(out: Path, as_of: date) -> set[str]:
    """Control ids of the exploration picks of every list in OUT issued before `as_of`."""
    ids: set[str] = set()
    for day, f in published_lists(out):
        if day < as_of:
            t = pd.read_parquet(f, columns=["control_id", "selection"])
            ids.update(t.loc[t["selection"] == "exploration", "control_id"].astype(str))
    return ids


def score_cases(features: pd.DataFrame, bundle, config: SelectionConfig) -> pd.DataFrame:
    """The model's figures for every active case, beside ids and the hard-rule features."""
    preds = bundle.predict_frame(features)
    keep = ["case_id", "person_id", "benefit"] + [
        f for f in config.hard_rule_features if f in features.columns
    ]
    return pd.concat([features[keep].reset_index(drop=True), preds.reset_index(drop=True)], axis=1)


def hard_rule_reasons(chosen: pd.DataFrame, features: tuple[str, ...]) -> pd.DataFrame:
    """(case_id, feature) for every hard-rule feature a selected case breaks (value > 0)."""
    present = [f for f in features if f in chosen.columns]
    if not present or chosen.empty:
        return pd.DataFrame(columns=["case_id", "feature"])
    long = chosen[["case_id", *present]].melt("case_id", var_name="feature", value_name="v")
    return long.loc[long["v"].fillna(0) > 0, ["case_id", "feature"]]


def _controls_frame(data) -> pd.DataFrame:
    if "controls" not in data:
        raise ContractError("controls: table missing")
    return data["controls"].to_pandas()


def default_source() -> DataSource:
    """felrisk's data and feature builders (imported on use: scoring/sources.py loads MLflow)."""
    from scoring.sources import FelriskData

    return FelriskData()


def default_models() -> ModelRegistry:
    """The registered model in training.tracking's MLflow store (imported on use)."""
    from scoring.sources import TrackedModels

    return TrackedModels()


@dataclass
class _Night:
    """Everything one night's run has settled before it takes the lock."""

    data_dir: Path
    out: Path
    as_of: date
    engine: str
    config: SelectionConfig
    config_source: str
    audit: dict
    report: ValidationReport
    source: DataSource
    models: ModelRegistry
    model_name: str
    version: int
    bundle: Bundle
    steps: _Steps
    issued_from: Path

    @property
    def model_label(self) -> str:
        return f"{self.model_name} version {self.version}"


def run_nightly(
    data_dir: Path,
    *,
    as_of: date,
    out: Path,
    engine: str = "duckdb",
    config_path: Path | None = None,
    console=None,
    models: ModelRegistry | None = None,
    source: DataSource | None = None,
    config: SelectionConfig | None = None,
    issued_from: Path | None = None,
    audit: dict | None = None,
) -> NightResult:
    """Score every active case on `as_of` and publish OUT/<as_of>/ completely or not at all.

    Order matters: config, data and model are checked before anything is created on disk.
    `config` (a policy object, e.g. from a manifest) replaces `config_path`; `issued_from` is
    the folder of earlier lists for the cooldown (default OUT). `models` and `source` default to
    the real registry and data (scoring/sources.py); `audit` (the equal-treatment settings, e.g.
    from a manifest) to the audit policy's.
    """
    data_dir, out = Path(data_dir), Path(out)
    steps = _Steps(console)
    with steps.step("config", "Läser urvalsregler"):
        if engine not in ENGINES:
            raise ConfigError(f"--engine: {engine!r} is not one of {', '.join(ENGINES)}")
        config_source = (
            "given" if config is not None else str(config_path or "felrisk/config/selection.toml")
        )
        config = config or load_selection_config(config_path)
        audit = dict(audit) if audit is not None else audit_settings()
    with steps.step("validate", f"Kontrollerar indata i {data_dir}"):
        source = source or default_source()
        report = source.validate(data_dir)
    with steps.step("model", "Hämtar champion-modellen"):
        models = models or default_models()
        version, bundle = models.load_champion()
    night = _Night(
        data_dir=data_dir,
        out=out,
        as_of=as_of,
        engine=engine,
        config=config,
        config_source=config_source,
        audit=audit,
        report=report,
        source=source,
        models=models,
        model_name=models.registered_name,
        version=int(version),
        bundle=bundle,
        steps=steps,
        issued_from=Path(issued_from) if issued_from is not None else out,
    )
    with date_lock(out, as_of):
        recover(out, as_of)
        result = _run(night)
    if console is not None:
        console.print(f"Kontrollista: {result.folder}")
    return result


def _no_active_cases(data, as_of: date) -> str:
    """Why a night with no active case is refused: almost always stale data or a wrong date."""
    newest = None
    if "payments" in data:
        newest = data["payments"].paid_date.max().to_pandas()
    known = (
        f"the newest payment in the data was paid {pd.Timestamp(newest).date()}"
        if newest is not None and not pd.isna(newest)
        else "the data holds no payments"
    )
    return (
        f"payments: no active case on {as_of} (no payment known by the day before covers a day "
        f"in the 90 days before it); {known}. Is the data current, or --as-of wrong? "
        "Nothing was written."
    )


def _run(n: _Night) -> NightResult:
    """The night's stages in order; only a published night is logged to the scoring run."""
    scored = _score(n)
    picks = _select(n, scored)
    with n.steps.step("breaks", "Regelbrott för valda personers ärenden"):
        # once a night: the reasons word them, the timelines draw them
        periods = n.source.rule_periods(scored.data, picks.lst["person_id"], n.as_of)
    lst = _explain(n, scored, picks.lst, periods)
    fairness = _audit(n, scored, picks, lst)
    with n.steps.step("drift", "Drift mot träningsdata (PSI)"):
        psi = drift(n.bundle, scored.features, scored.scored)
    html = _render(n, scored, picks, lst, fairness, periods)
    counts = _night_counts(scored, picks, lst, fairness)
    folder = _publish(n, lst, html, counts, picks.issued_hashes, fairness.message)
    # Logged only once the night is published: a failed night leaves no run that looks like one.
    _log(n, scored, lst, psi, fairness, folder)
    return NightResult(folder, n.as_of, n.version, len(scored.scored), len(lst), counts)


@dataclass
class Scored:
    """The night's data, its active cases' features (sorted by case_id) and the model's figures."""

    data: DataSet
    features: pd.DataFrame
    scored: pd.DataFrame


def _score(n: _Night) -> Scored:
    """Features of every active case on `as_of`, scored by tonight's model."""
    with n.steps.step("features", "Beräknar särdrag för aktiva ärenden"):
        data = n.source.open(n.data_dir, engine=n.engine)
        with data.any_row_order():  # one row per case: the sort on case_id gives the order
            features = n.source.active_features(data, n.as_of)
        features = features.sort_values("case_id", kind="mergesort").reset_index(drop=True)
        if features.empty:
            raise ContractError(_no_active_cases(data, n.as_of))
    with n.steps.step("score", f"Poängsätter {swedish.number(len(features))} ärenden"):
        scored = score_cases(features, n.bundle, n.config)
    return Scored(data, features, scored)


@dataclass
class Picks:
    """Tonight's list within capacity, and the controls, pools and earlier lists behind it."""

    lst: pd.DataFrame
    use: pd.DataFrame
    controls: pd.DataFrame
    cooled: set[str]
    confirmed: set[str]
    issued_hashes: dict[str, str]


def _select(n: _Night, s: Scored) -> Picks:
    """The list: cooldown and confirmed errors out, then capacity per benefit and lane."""
    config, as_of = n.config, n.as_of
    with n.steps.step("select", "Väljer ärenden inom kapacitet"):
        controls = _controls_frame(s.data)
        issued, issued_hashes = issued_lists(n.issued_from, as_of, config.cooldown_days)
        cooled = cooldown_persons(controls, as_of, config.cooldown_days, issued)
        ids = s.scored["case_id"]
        confirmed = set(ids[is_among(ids, confirmed_error_cases(controls, as_of))].astype(str))
        pools = dict(cooled_persons=cooled, confirmed_cases=confirmed)
        lst = select_controls(s.scored, config, as_of=as_of, **pools)
        use = capacity_use(lst, config, eligible_cases(s.scored, config, **pools))
    return Picks(lst, use, controls, cooled, confirmed, issued_hashes)


def _explain(n: _Night, s: Scored, lst: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """The picks with their reasons in Swedish, the notice and the list's final columns;
    `periods`: the rule break periods of the picked persons' cases."""
    config = n.config
    with n.steps.step("reasons", f"Skäl för {len(lst)} valda ärenden"):
        chosen = s.features.set_index("case_id").loc[lst["case_id"]].reset_index()
        contrib = n.bundle.contributions(chosen) if len(chosen) else pd.DataFrame(index=lst.index)
        contrib.index = lst.index
        contrib = reason_candidates(contrib, chosen, config, n.source.reason_features)
        values = chosen.set_index("case_id")
        lst = attach_reasons(
            lst,
            contrib,
            # the values the model saw: the features are not built again for the reasons
            lambda items: n.source.explain(s.data, items, values=chosen, periods=periods),
            k=config.reasons_per_case,
            forced=hard_rule_reasons(chosen, config.hard_rule_features),
            # where the facts are silent, the registry's sentence filled with the value
            fallback=lambda items: template_reasons(items, values, n.source.reason_templates),
        )
        lst = frame_reasons(lst)
        lst["notice"] = notices(lst, config.notice)
        return finalize(lst)


def _audit(n: _Night, s: Scored, picks: Picks, lst: pd.DataFrame) -> NightFairness:
    """Equal treatment of tonight's model picks against the random controls' errors."""
    with n.steps.step("audit", "Likabehandling mot slumpurvalet"):
        explored = issued_exploration_ids(n.issued_from, n.as_of)
        return audit_night(s.data, picks.controls, lst, n.as_of, n.config, n.audit, explored)


def _render(
    n: _Night,
    s: Scored,
    picks: Picks,
    lst: pd.DataFrame,
    fairness: NightFairness,
    periods: pd.DataFrame,
) -> str:
    """The night's page: the list, capacity, equal treatment and a timeline per selected case
    (`periods`: the red marks' rule break periods of the picked persons' cases)."""
    with n.steps.step("timelines", "Tidslinjer för valda ärenden"):
        facts = n.source.timeline_facts(s.data, lst["person_id"], n.as_of, periods=periods)
        timelines = render_timelines(lst, facts.payments, facts.income, facts.marks, n.as_of)
        return render_report(
            lst,
            as_of=n.as_of,
            model_label=n.model_label,
            n_scored=len(s.scored),
            timelines=timelines,
            fairness=fairness.pooled,
            fairness_message=fairness.message,
            fairness_by_benefit=fairness.by_benefit,
            capacity=picks.use,
            value_floor=value_floor_sv(n.config),
        )


def _night_counts(s: Scored, picks: Picks, lst: pd.DataFrame, fairness: NightFairness) -> dict:
    """The manifest's counts, with the equal-treatment base and the groups that fail."""
    counts = night_counts(len(s.features), picks.cooled, picks.confirmed, lst, picks.use)
    counts["fairness_base"] = fairness.base_source
    counts["fairness_failing_within_benefits"] = sorted(
        f"{r.benefit} {r.group}={r.value}" for r in fairness.by_benefit.itertuples() if r.fails
    )
    fair = fairness.pooled
    counts["fairness_groups_failing"] = (
        sorted(f"{r.group}={r.value}" for r in fair.itertuples() if r.fails) if len(fair) else []
    )
    return counts


def _publish(
    n: _Night, lst: pd.DataFrame, html: str, counts: dict, issued: dict[str, str], note: str
) -> Path:
    """Write every file into a staging folder, then swap it in as OUT/<as_of>/ in one step."""
    tmp = staging_dir(n.out, n.as_of)
    try:
        with n.steps.step("write", "Skriver lista, Excel och rapport"):
            write_parquet(lst, tmp / "control_list.parquet")
            write_csv(lst, tmp / "control_list.csv")
            write_excel(lst, tmp / "control_list.xlsx", as_of=n.as_of, model_label=n.model_label)
            write_text(tmp / "report.html", html)
        _manifest(n, tmp, counts, issued, note).write(tmp / "manifest.json")
        with n.steps.step("publish", "Publicerar nattens mapp"):
            return publish(tmp, n.out, n.as_of)
    except BaseException:
        remove_path(tmp)  # the previous list, if any, stays in place
        raise


def _manifest(n: _Night, tmp: Path, counts: dict, issued: dict[str, str], note: str) -> Manifest:
    """What makes the night in TMP reproducible: inputs, model, policy, counts, file hashes."""
    return Manifest(
        as_of=n.as_of,
        model_name=n.model_name,
        model_version=n.version,
        feature_version=str(getattr(n.bundle, "feature_version", "")),
        engine=n.engine,
        config=n.config,
        config_source=n.config_source,
        inputs=input_fingerprint(n.data_dir, n.report.row_counts),
        issued_lists=issued,
        counts=counts,
        timings_s=n.steps.timings,
        outputs={f: file_sha256(tmp / f) for f in LIST_FILES},
        notes=[note] if note else [],
        audit=n.audit,
    )


def _log(
    n: _Night,
    s: Scored,
    lst: pd.DataFrame,
    psi: pd.DataFrame,
    fairness: NightFairness,
    folder: Path,
) -> None:
    """The night's run in the scoring experiment: policy, sizes, drift, equal treatment."""
    with n.steps.step("mlflow", "Loggar körningen i MLflow"):
        log_scoring_run(
            n.models.scoring_run,
            as_of=n.as_of,
            version=n.version,
            config=n.config,
            scored=s.scored,
            lst=lst,
            psi=psi,
            fair=fairness.pooled,
            fair_by_benefit=fairness.by_benefit,
            manifest=folder / "manifest.json",
        )
