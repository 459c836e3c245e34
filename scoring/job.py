"""The nightly job: validate, score every active case, select, explain, write one folder atomically."""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import ibis
import pandas as pd
from rich.console import Console

from audit.night import (
    add_groups,
    choose_random_base,
    match_benefit_mix,
    night_equal_treatment,
    per_benefit_equal_treatment,
    random_stream,
)
from felrisk import swedish
from felrisk.datadir import ENGINES, file_sha256
from felrisk.errors import ConfigError, ContractError
from felrisk.safeio import remove_path, write_text
from felrisk.validate import validate_data
from scoring.config import SelectionConfig, load_selection_config
from scoring.deps import NightDeps, default_deps
from scoring.manifest import Manifest, input_fingerprint
from scoring.monitor import drift, log_scoring_run
from scoring.notice import notices
from scoring.outputs import finalize, write_csv, write_excel, write_parquet
from scoring.publish import date_lock, publish, published_lists, recover, staging_dir
from scoring.reasons import attach_reasons, frame_reasons, reason_candidates, template_reasons
from scoring.report import render_report, value_floor_sv
from scoring.selection import (
    capacity_use,
    confirmed_error_cases,
    cooldown_persons,
    eligible_cases,
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


def _persons_frame(data, ids: set[str]) -> pd.DataFrame:
    """Audit attributes of the given persons: a join on a small in-memory table, which scales
    where an IN list of tens of thousands of literals does not."""
    t = data["persons"].select("person_id", "sex", "birth_region", "birth_date")
    if not ids:
        return t.limit(0).to_pandas()
    wanted = ibis.memtable({"person_id": sorted(ids)}, schema={"person_id": "string"})
    return t.join(wanted, "person_id").to_pandas()


def _timelines(facts, lst: pd.DataFrame, as_of: date) -> dict[str, str]:
    return render_timelines(lst, facts.payments, facts.income, facts.marks, as_of)


def _counts(
    n_active: int, cooled: set, confirmed: set, lst: pd.DataFrame, use: pd.DataFrame
) -> dict:
    """The manifest's counts: the night in totals, and per benefit and lane its capacity, picks
    and unused slots with why (eligible cases, those below the value floor, those whose person
    is already on the list)."""
    per = {}
    for r in use.itertuples(index=False):
        grp = lst[(lst["benefit"] == r.benefit) & (lst["lane"] == r.lane)]
        per[f"{r.benefit}/{r.lane}"] = {
            "capacity": int(r.capacity),
            "selected": int(r.selected),
            "exploration": int(r.exploration),
            "unused": int(r.unused),
            "unused_reason": r.unused_reason,
            "eligible": int(r.eligible),
            "below_floor": int(r.below_floor),
            "person_taken": int(r.person_taken),
            "hard_rule_break": int(grp["hard_rule_break"].sum()),
            "expected_wrong_sek": round(float(grp["expected_wrong_sek"].fillna(0).sum()), 2),
        }
    return {
        "active_cases": n_active,
        "scored_cases": n_active,
        "persons_in_cooldown": len(cooled),
        "confirmed_errors_excluded": len(confirmed),
        "selected": len(lst),
        "selected_model": int((lst["selection"] == "model").sum()),
        "selected_exploration": int((lst["selection"] == "exploration").sum()),
        "capacity": int(use["capacity"].sum()),
        "unused_capacity": int(use["unused"].sum()),
        "lists": per,
    }


@dataclass
class _Night:
    """Everything one night's run has settled before it takes the lock."""

    data_dir: Path
    out: Path
    as_of: date
    engine: str
    config: SelectionConfig
    config_source: str
    report: object
    version: int
    bundle: object
    deps: NightDeps
    steps: _Steps
    issued_from: Path


def run_nightly(
    data_dir: Path,
    *,
    as_of: date,
    out: Path,
    engine: str = "duckdb",
    config_path: Path | None = None,
    console=None,
    deps: NightDeps | None = None,
    config: SelectionConfig | None = None,
    issued_from: Path | None = None,
) -> NightResult:
    """Score every active case on `as_of` and publish OUT/<as_of>/ completely or not at all.

    Order matters: config, data and model are checked before anything is created on disk.
    `config` (a policy object, e.g. from a manifest) replaces `config_path`; `issued_from` is
    the folder of earlier lists for the cooldown (default OUT).
    """
    data_dir, out = Path(data_dir), Path(out)
    steps = _Steps(console)
    with steps.step("config", "Läser urvalsregler"):
        if engine not in ENGINES:
            raise ConfigError(f"--engine: {engine!r} is not one of {', '.join(ENGINES)}")
        source = (
            "given" if config is not None else str(config_path or "felrisk/config/selection.toml")
        )
        config = config or load_selection_config(config_path)
    with steps.step("validate", f"Kontrollerar indata i {data_dir}"):
        report = deps.validate(data_dir) if deps is not None else validate_data(data_dir)
    with steps.step("model", "Hämtar champion-modellen"):
        deps = deps or default_deps()
        version, bundle = deps.load_model()
    night = _Night(
        data_dir,
        out,
        as_of,
        engine,
        config,
        source,
        report,
        int(version),
        bundle,
        deps,
        steps,
        Path(issued_from) if issued_from is not None else out,
    )
    with date_lock(out, as_of):
        recover(out, as_of)
        result = _run(night)
    if console is not None:
        console.print(f"Kontrollista: {result.folder}")
    return result


def _explainer(deps: NightDeps, data, chosen: pd.DataFrame):
    """explain(items) of the features module, with the registry's templates where it is silent."""
    values = chosen.set_index("case_id")

    def explain(items: pd.DataFrame) -> pd.DataFrame:
        if deps.explain is None:
            return items.assign(reason_sv="")
        return deps.explain(data, items)

    def fallback(items: pd.DataFrame) -> pd.Series:
        return template_reasons(items, values, deps.reason_templates)

    return explain, fallback


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
    deps, steps, config, as_of, bundle = n.deps, n.steps, n.config, n.as_of, n.bundle
    with steps.step("features", "Beräknar särdrag för aktiva ärenden"):
        data = deps.open_data(n.data_dir, engine=n.engine)
        spine = deps.active_spine(data, as_of)
        features = deps.build_features(data, spine).to_pandas()
        features = features.sort_values("case_id", kind="mergesort").reset_index(drop=True)
        if features.empty:
            raise ContractError(_no_active_cases(data, as_of))
    with steps.step("score", f"Poängsätter {swedish.number(len(features))} ärenden"):
        scored = score_cases(features, bundle, config)
    with steps.step("select", "Väljer ärenden inom kapacitet"):
        controls = _controls_frame(data)
        issued, issued_hashes = issued_lists(n.issued_from, as_of, config.cooldown_days)
        cooled = cooldown_persons(controls, as_of, config.cooldown_days, issued)
        confirmed = confirmed_error_cases(controls, as_of) & set(scored["case_id"].astype(str))
        pools = dict(cooled_persons=cooled, confirmed_cases=confirmed)
        lst = select_controls(scored, config, as_of=as_of, **pools)
        use = capacity_use(lst, config, eligible_cases(scored, config, **pools))
    with steps.step("reasons", f"Skäl för {len(lst)} valda ärenden"):
        chosen = features.set_index("case_id").loc[lst["case_id"]].reset_index()
        contrib = bundle.contributions(chosen) if len(chosen) else pd.DataFrame(index=lst.index)
        contrib.index = lst.index
        contrib = reason_candidates(contrib, chosen, config, deps.reason_features)
        explain, fallback = _explainer(deps, data, chosen)
        lst = attach_reasons(
            lst,
            contrib,
            explain,
            k=config.reasons_per_case,
            forced=hard_rule_reasons(chosen, config.hard_rule_features),
            fallback=fallback,
        )
        lst = frame_reasons(lst)
        lst["notice"] = notices(lst, config.notice)
        lst = finalize(lst)
    with steps.step("audit", "Likabehandling mot slumpurvalet"):
        base = choose_random_base(
            random_stream(controls, as_of, config.equal_treatment_window_days),
            issued_exploration_ids(n.issued_from, as_of),
            config.equal_treatment_base,
            config.equal_treatment_min_exploration_errors,
        )
        picks = lst[lst["selection"] == "model"]
        persons = _persons_frame(data, set(base.controls["person_id"]) | set(picks["person_id"]))
        # each row's groups once, for the pooled check and the one within each benefit
        rnd = add_groups(base.controls, persons, as_of, age_band=deps.age_band)
        model_picks = add_groups(picks, persons, as_of, age_band=deps.age_band)
        settings = dict(
            deps.audit_settings,
            power=config.equal_treatment_power,
        )
        groups = settings.pop("groups")
        rnd_mix, picks_mix, unmatched = rnd, model_picks, []
        if config.equal_treatment_benefit_mix == "list":
            rnd_mix, picks_mix, unmatched = match_benefit_mix(rnd, model_picks)
        if unmatched:
            log.warning("equal treatment: no random errors to compare for %s", unmatched)
        fair, fair_msg = night_equal_treatment(
            rnd_mix, picks_mix, groups, deps.equal_treatment, **settings
        )
        fair_by_benefit = per_benefit_equal_treatment(
            rnd,
            model_picks,
            tuple(config.equal_treatment_per_benefit_groups),
            deps.equal_treatment,
            min_picks=config.equal_treatment_per_benefit_min_picks,
            **settings,
        )
        if not fair.empty:
            fair_msg = base.note_sv
        if config.equal_treatment_benefit_mix == "list" and not fair.empty:
            fair_msg += (
                " Felen i slumpurvalet är vägda så att förmånerna har samma fördelning som i "
                "nattens lista."
            )
            if unmatched:
                fair_msg += (
                    " Utan jämförelse (inga fel i slumpurvalet): " + ", ".join(unmatched) + "."
                )
    with steps.step("drift", "Drift mot träningsdata (PSI)"):
        psi = drift(bundle, features, scored)
    model_label = f"{deps.model_name} version {n.version}"
    with steps.step("timelines", "Tidslinjer för valda ärenden"):
        facts = deps.timeline_facts(data, lst["person_id"], as_of)
        timelines = _timelines(facts, lst, as_of)
        html = render_report(
            lst,
            as_of=as_of,
            model_label=model_label,
            n_scored=len(scored),
            timelines=timelines,
            fairness=fair,
            fairness_message=fair_msg,
            fairness_by_benefit=fair_by_benefit,
            capacity=use,
            value_floor=value_floor_sv(config),
        )
    counts = _counts(len(features), cooled, confirmed, lst, use)
    counts["fairness_base"] = base.source
    counts["fairness_failing_within_benefits"] = sorted(
        f"{r.benefit} {r.group}={r.value}" for r in fair_by_benefit.itertuples() if r.fails
    )
    counts["fairness_groups_failing"] = (
        sorted(f"{r.group}={r.value}" for r in fair.itertuples() if r.fails) if len(fair) else []
    )
    tmp = staging_dir(n.out, as_of)
    try:
        with steps.step("write", "Skriver lista, Excel och rapport"):
            write_parquet(lst, tmp / "control_list.parquet")
            write_csv(lst, tmp / "control_list.csv")
            write_excel(lst, tmp / "control_list.xlsx", as_of=as_of, model_label=model_label)
            write_text(tmp / "report.html", html)
        manifest = Manifest(
            as_of=as_of,
            model_name=deps.model_name,
            model_version=n.version,
            feature_version=str(getattr(bundle, "feature_version", "")),
            engine=n.engine,
            config=config,
            config_source=n.config_source,
            inputs=input_fingerprint(n.data_dir, n.report.row_counts),
            issued_lists=issued_hashes,
            counts=counts,
            timings_s=steps.timings,
            outputs={f: file_sha256(tmp / f) for f in LIST_FILES},
            notes=[fair_msg] if fair_msg else [],
        )
        manifest.write(tmp / "manifest.json")
        with steps.step("publish", "Publicerar nattens mapp"):
            folder = publish(tmp, n.out, as_of)
    except BaseException:
        remove_path(tmp)  # the previous list, if any, stays in place
        raise
    # Logged only once the night is published: a failed night leaves no run that looks like one.
    with steps.step("mlflow", "Loggar körningen i MLflow"):
        log_scoring_run(
            deps.scoring_run,
            as_of=as_of,
            version=n.version,
            config=config,
            scored=scored,
            lst=lst,
            psi=psi,
            fair=fair,
            fair_by_benefit=fair_by_benefit,
            manifest=folder / "manifest.json",
        )
    return NightResult(folder, as_of, n.version, len(scored), len(lst), counts)
