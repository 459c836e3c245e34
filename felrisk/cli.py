"""The `felrisk` command: thin commands that parse options, call one library function, map errors.

Exit codes (documented in the README): 0 ok, 1 internal error, 2 usage or configuration error
(a symbolic link where felrisk writes, a missing key), 3 bad input data, 4 no model to score with,
5 another run holds the lock, 6 the system refused a read or write (disk full, permission denied),
7 a remade night differs from its manifest.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import logging
import os
import sys
import threading
from datetime import date
from pathlib import Path

import typer
from rich.console import Console

from felrisk.errors import (
    EXIT_INTERNAL,
    ConfigError,
    FelriskError,
    NotReproducedError,
    StorageError,
    storage_message,
)
from felrisk.safeio import private_umask

app = typer.Typer(
    help="felrisk: rank social-insurance cases for targeted controls (riktade kontroller).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
outcomes_app = typer.Typer(
    help="Investigators' results back into `controls`.", no_args_is_help=True
)
app.add_typer(outcomes_app, name="outcomes")

console = Console(stderr=True)

# Typer ships its own click; its usage errors all derive from the base of BadParameter.
_ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from exc


def _say_store() -> None:
    """Print which MLflow store the command uses: MLflow's settings, else the embedded one."""
    from training.tracking import store

    console.print(f"MLflow store: {store().describe()}", highlight=False, soft_wrap=True)


@app.command()
def synth(
    persons: int = typer.Option(..., min=10, help="Number of persons in the world."),
    start: str = typer.Option(..., help="First day of the world, YYYY-MM-DD."),
    end: str = typer.Option(..., help="Last day of the world, YYYY-MM-DD."),
    seed: int = typer.Option(0, help="Random seed: same seed, same bytes."),
    out: Path = typer.Option(..., help="Output data directory."),
    scenario: Path | None = typer.Option(None, help="Scenario config (default: the shipped one)."),
) -> None:
    """Generate a synthetic world that follows the data contract, with its truth under truth/."""
    first, last = _parse_date(start, "--start"), _parse_date(end, "--end")
    from synthetic.world import generate

    generate(
        persons=persons,
        start=first,
        end=last,
        seed=seed,
        out=out,
        scenario_path=scenario,
        console=console,
    )


@app.command()
def validate(
    data: Path = typer.Option(..., help="Data directory (Parquet folder or DuckDB file)."),
) -> None:
    """Check a data directory against the data contract; non-zero exit on any problem."""
    from felrisk.validate import validate_data

    report = validate_data(data)
    console.print(report.summary())


@app.command()
def features(
    data: Path = typer.Option(..., help="Data directory."),
    as_of: str = typer.Option(..., "--as-of", help="Date D: features use what was known by D-1."),
    out: Path = typer.Option(..., help="Output Parquet file."),
    engine: str = typer.Option("duckdb", help="duckdb (default) or spark."),
) -> None:
    """Write the feature table for every case active on the as-of date."""
    day = _parse_date(as_of, "--as-of")
    from features.build import write_feature_table

    write_feature_table(data, day, out, engine=engine, console=console)


@app.command()
def train(
    data: Path = typer.Option(..., help="Data directory."),
    config: Path | None = typer.Option(None, help="Training config (default: the shipped one)."),
    seed: int | None = typer.Option(None, help="Override the config's seed."),
) -> None:
    """Train, compare against random and rules, audit, replay the lists, maybe promote a model."""
    from backtest.promotion import train_with_backtest

    _say_store()
    train_with_backtest(data, config_path=config, seed=seed, console=console)


@app.command()
def promote(
    version: int = typer.Argument(..., help="Registered model version to make champion."),
    reason: str = typer.Option(..., help="Why this version overrides the automatic gate."),
) -> None:
    """Make a model version the champion by hand; the reason is logged."""
    from training.tracking import promote_version

    _say_store()
    promote_version(version, reason, console=console)


@app.command("audit-selection")
def audit_selection(
    file: Path = typer.Argument(..., help="CSV or Parquet, one row per control."),
    group: str = typer.Option(..., help="Column holding the group attribute."),
    out: Path = typer.Option(..., help="Output folder for audit.json and the chart."),
    selection_column: str = typer.Option(
        "selection", help="Column saying how a case was selected."
    ),
    random_value: str = typer.Option(
        "random", help="Value of the selection column for random picks."
    ),
    outcome_column: str = typer.Option("outcome", help="Column holding the control's outcome."),
    error_values: str = typer.Option(
        "error_customer,error_fk,suspected_crime", help="Comma-separated outcomes that are errors."
    ),
    band_low: float | None = typer.Option(
        None, help="Lower bound of the equal-burden band (default: audit.toml's)."
    ),
    band_high: float | None = typer.Option(
        None, help="Upper bound of the equal-burden band (default: audit.toml's)."
    ),
    seed: int | None = typer.Option(None, help="Bootstrap seed (default: audit.toml's)."),
) -> None:
    """Equal-treatment audit of a real or synthetic selection against its random stream."""
    from audit import audit_selection_file

    audit_selection_file(
        file,
        group=group,
        out=out,
        selection_column=selection_column,
        random_value=random_value,
        outcome_column=outcome_column,
        error_values=tuple(v.strip() for v in error_values.split(",") if v.strip()),
        band_low=band_low,
        band_high=band_high,
        seed=seed,
        console=console,
    )


@app.command()
def score(
    data: Path = typer.Option(..., help="Data directory."),
    out: Path = typer.Option(..., help="Folder of lists; one subfolder per as-of date."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date of the list (default: today)."),
    engine: str = typer.Option("duckdb", help="duckdb (default) or spark."),
    config: Path | None = typer.Option(None, help="Selection policy (default: the shipped one)."),
) -> None:
    """The nightly job: score active cases and write prioritised control lists."""
    day = _parse_date(as_of, "--as-of") or date.today()
    from scoring.job import run_nightly

    _say_store()
    run_nightly(
        data,
        as_of=day,
        out=out,
        engine=engine,
        config_path=config,
        console=console,
    )


@app.command()
def backtest(
    data: Path = typer.Option(..., help="Data directory."),
    first: str = typer.Option(..., "--from", help="First night replayed, YYYY-MM-DD."),
    last: str = typer.Option(..., "--to", help="Last night replayed, YYYY-MM-DD."),
    every: int | None = typer.Option(
        None, "--every", min=1, help="Days between nights (default: backtest.toml's)."
    ),
    config: Path | None = typer.Option(None, help="Backtest settings (default: the shipped ones)."),
    selection: Path | None = typer.Option(
        None, help="Selection policy (default: the shipped selection.toml)."
    ),
    seed: int | None = typer.Option(None, help="Override the training config's seed."),
) -> None:
    """Replay the nightly job over past nights: hybrid, model, rules and random side by side."""
    start, end = _parse_date(first, "--from"), _parse_date(last, "--to")
    if end < start:
        raise typer.BadParameter(f"{last} is before --from {first}", param_hint="--to")
    from backtest.run import run_backtest

    _say_store()
    run_backtest(
        data,
        start,
        end,
        every_days=every,
        config_path=config,
        selection_path=selection,
        seed=seed,
        console=console,
    )


@outcomes_app.command("import")
def outcomes_import(
    file: Path = typer.Argument(..., help="CSV of investigators' results."),
    lists: Path = typer.Option(..., help="Folder of issued lists (the score command's --out)."),
    data: Path = typer.Option(..., help="Data directory whose controls table grows."),
) -> None:
    """Add investigators' results to `controls`; refuses unknown, repeated or conflicting rows."""
    from scoring.outcomes import import_outcomes

    import_outcomes(file, lists_dir=lists, data_dir=data, console=console)


@app.command()
def reproduce(
    manifest: Path = typer.Argument(..., help="manifest.json of the night to remake."),
    data: Path = typer.Option(..., help="Data directory the night was made from."),
    out: Path = typer.Option(..., help="Folder for the remade night (not the original's)."),
    lists: Path | None = typer.Option(
        None, help="Folder of earlier lists the night's cooldown read (default: the manifest's)."
    ),
) -> None:
    """Remake a night from its manifest in this process; exit 0 only if every file matches."""
    from scoring.reproduce import reproduce_night

    _say_store()
    again = reproduce_night(manifest, data, out, lists_dir=lists, console=console)
    for line in again.summary():
        console.print(line, highlight=False)
    if not again.identical:
        raise NotReproducedError(
            f"{again.result.folder} differs from {manifest}: " + "; ".join(again.summary())
        )


@app.command("config")
def config_command(
    section: str | None = typer.Argument(
        None,
        help="One section: contract, rules, features, audit, training, selection, "
        "backtest or environment (default: all).",
    ),
    schema: bool = typer.Option(False, "--schema", help="Print the JSON schema."),
    show: bool = typer.Option(False, "--show", help="Print the values in force, as JSON."),
    training: Path | None = typer.Option(None, help="Training config, as `train --config`."),
    selection: Path | None = typer.Option(None, help="Selection policy, as `score --config`."),
    backtest: Path | None = typer.Option(None, help="Backtest settings, as `backtest --config`."),
    seed: int | None = typer.Option(None, help="Override the training config's seed."),
) -> None:
    """Print the configuration's JSON schema (--schema) or the values in force (--show)."""
    if schema == show:
        raise typer.BadParameter("give one of --schema and --show", param_hint="--schema/--show")
    from felrisk.settings import load_settings, schema_json, settings_json

    if schema:
        typer.echo(schema_json(section))
        return
    paths = {"training": training, "selection": selection, "backtest": backtest}
    typer.echo(settings_json(load_settings(paths, seed=seed), section))


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and turn felrisk's named errors into documented exit codes."""
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        # Whatever a library creates on felrisk's behalf (MLflow's store, feature tables, plots)
        # is owner-only too; felrisk's own writes set their modes explicitly (felrisk.safeio).
        # Inside the try: a bad FELRISK_SHARE_GROUP is a configuration error, exit 2.
        os.umask(private_umask())
        app(args=argv, standalone_mode=False)
    except FelriskError as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except _ClickException as exc:  # usage errors: unknown option, bad value
        exc.show()
        return 2
    except typer.Abort:
        return 2
    except OSError as exc:  # disk full, permission denied, read-only file system
        console.print(
            f"[bold red]error:[/] {storage_message(exc)}", highlight=False, soft_wrap=True
        )
        logging.getLogger("felrisk").debug("storage error", exc_info=True)
        return StorageError.exit_code
    except KeyError as exc:  # a manifest, config or input that lacks a key it must have
        console.print(f"[bold red]error:[/] missing key {exc}", highlight=False, soft_wrap=True)
        logging.getLogger("felrisk").debug("missing key", exc_info=True)
        return ConfigError.exit_code
    except Exception as exc:  # the scheduler needs a code, the log needs the trace
        logging.getLogger("felrisk").exception("internal error: %s", exc)
        return EXIT_INTERNAL
    return 0


# Python's cycle collector, tuned for a batch process: the young generation is collected after
# 100,000 new container objects, not 700. A 1M night's objects mostly die by reference count or
# live to its end; the collector took 1.9 of its 33.6 s with the default, 0.2 s with this, at the
# same peak memory (3.2 GB).
GC_THRESHOLDS = (100_000, 10, 10)


def run() -> None:
    """The `felrisk` command: `main` under GC_THRESHOLDS, then exit without the interpreter's
    teardown.

    Freeing every module and object one by one cost the nightly job 1-2 s at 1M persons after
    its work was done. Everything felrisk writes is closed by then; the exit handlers (logging,
    MLflow) still run. With a non-daemon thread still alive, the ordinary exit waits for it.
    """
    gc.set_threshold(*GC_THRESHOLDS)
    code = main()
    if any(
        t.is_alive() and not t.daemon
        for t in threading.enumerate()
        if t is not threading.main_thread()
    ):
        sys.exit(code)
    atexit._run_exitfuncs()  # what the ordinary exit runs first: logging's flush, MLflow's end
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
