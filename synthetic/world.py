"""`felrisk synth`: generate a synthetic world, write every contract table and its truth.

Same seed, same bytes: every random step draws from its own stream derived from the seed, frames
are sorted before writing, and Parquet is written without timestamps or pandas metadata.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from felrisk.datadir import write_table
from felrisk.errors import ConfigError
from felrisk.safeio import make_dir, remove_leftover_files
from synthetic import export
from synthetic.agency_rules import check_flags, rule_flags
from synthetic.build import World, build_world
from synthetic.calibration import CalibrationReport, calibrate
from synthetic.correction import control_history
from synthetic.scenario import Scenario, load_scenario
from synthetic.timeaxis import NA_DAY, day

MIN_DAYS = 365


def generate(
    persons: int,
    start: date,
    end: date,
    seed: int,
    out: Path,
    scenario_path: Path | None = None,
    console: Console | None = None,
) -> CalibrationReport:
    """Write a world of `persons` persons over [start, end] to `out` (and `out/truth/`)."""
    if persons < 10:
        raise ConfigError(f"persons: at least 10 (received {persons})")
    if (end - start).days + 1 < MIN_DAYS:
        raise ConfigError(f"the world must span at least {MIN_DAYS} days (received {start}..{end})")
    sc = load_scenario(scenario_path)
    if console is not None:
        console.print(scenario_table(sc, persons, start, end, seed))
    s, e = day(start), day(end)
    world = build_world(persons, s, e, sc, seed)
    known = _known_cases(world, e)
    flags = rule_flags(
        known, world.sgi, world.income, world.activity, world.time_reports, world.payments
    )
    world, known, controls, flags = control_history(world, known, flags)
    write_world(world, known, controls, Path(out))
    checks = check_flags(known, world.state.persons, world.state.children)
    all_flags = pd.concat([flags, checks], ignore_index=True)
    report = calibrate(
        known,
        world.state.persons,
        world.payments,
        controls,
        all_flags,
        s,
        e,
        world.state.floored,
        (sc.drift.benefit, sc.drift.last_days) if sc.drift.enabled else None,
    )
    if console is not None:
        console.print(report)
    return report


def _known_cases(world: World, end: int) -> pd.DataFrame:
    """Cases the agency knows by the last day (opened on or before it), sorted by id."""
    c = world.state.cases
    c = c[c["opened"] <= end]
    closed = c["closed"].to_numpy()
    # a case may not close before it opened; an error mechanism may have moved its days
    closed = np.where((closed != NA_DAY) & (closed < c["opened"].to_numpy()), c["opened"], closed)
    return c.assign(closed=closed).sort_values("case", kind="stable").reset_index(drop=True)


def write_world(world: World, cases: pd.DataFrame, controls: pd.DataFrame, out: Path) -> None:
    """Write every contract table and truth/case_truth.parquet (replacing an older world).

    Owner-only (felrisk.safeio): the world is personal data, truth/ even more so.
    """
    make_dir(out)
    remove_leftover_files(out)
    truth_dir = out / "truth"
    if truth_dir.exists():
        shutil.rmtree(truth_dir)
    st = world.state
    keep = set(cases["case"].to_numpy().tolist())
    pay = world.payments[world.payments["case"].isin(keep)]
    acts = world.activity[world.activity["case"].isin(keep)]
    reports = world.time_reports[world.time_reports["case"].isin(keep)]
    reports = reports.sort_values(["case", "day", "aid"], kind="stable")
    write_table("persons", export.persons_table(st.persons), out)
    write_table("children", export.children_table(st.children), out)
    write_table("employers", export.employers_table(st.employers), out)
    write_table("cases", export.cases_table(cases), out)
    write_table("payments", export.payments_table(pay), out)
    write_table("income_reports", export.income_table(world.income), out)
    write_table("sgi_decisions", export.sgi_table(world.sgi), out)
    write_table("work_time_reports", export.time_reports_table(reports), out)
    write_table("activity_reports", export.activity_table(acts), out)
    write_table("controls", export.controls_table(controls), out)
    write_table("case_truth", export.truth_table(cases), truth_dir)


def scenario_table(sc: Scenario, persons: int, start: date, end: date, seed: int) -> Table:
    """The knobs of the run, printed before it starts."""
    t = Table(title=f"Scenario: {persons:,} persons, {start}..{end}, seed {seed}")
    t.add_column("section")
    t.add_column("knob")
    t.add_column("value", overflow="fold")
    for section, model in sc:
        for name, value in model:
            t.add_row(section, name, _fmt(value))
    return t


def _fmt(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_fmt(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
