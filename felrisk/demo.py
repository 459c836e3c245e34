"""`make demo`: a small synthetic world through the whole chain, on the embedded default (DuckDB).

world -> validate -> train (MLflow: the embedded store unless MLFLOW_TRACKING_URI names one) ->
nightly list.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.rule import Rule

from backtest.promotion import train_with_backtest
from felrisk.errors import FelriskError
from felrisk.validate import validate_data
from scoring.job import run_nightly
from synthetic.world import generate
from training.tracking import store

DEMO_PERSONS = 200_000
DEMO_START = date(2020, 1, 1)
DEMO_END = date(2022, 12, 31)
DEMO_SEED = 7


def run_demo(out: Path, persons: int = DEMO_PERSONS, console: Console | None = None) -> int:
    """Run the chain into `out`; returns a process exit code."""
    console = console or Console()
    out = out.resolve()
    world = out / "world"
    lists = out / "lists"

    console.print(Rule("1/4  Synthetic world (felrisk synth)"))
    generate(
        persons=persons,
        start=DEMO_START,
        end=DEMO_END,
        seed=DEMO_SEED,
        out=world,
        scenario_path=None,
        console=console,
    )

    console.print(Rule("2/4  Contract check (felrisk validate)"))
    console.print(validate_data(world).summary())

    console.print(Rule("3/4  Training in MLflow (felrisk train)"))
    train_with_backtest(world, config_path=None, seed=None, console=console)

    console.print(Rule("4/4  Nightly job (felrisk score)"))
    as_of = DEMO_END + timedelta(days=1)
    run_nightly(world, as_of=as_of, out=lists, engine="duckdb", console=console)

    folder = lists / as_of.isoformat()
    console.print(Rule("Done"))
    console.print(f"Control list (Parquet): {folder / 'control_list.parquet'}")
    console.print(f"Control list (CSV):     {folder / 'control_list.csv'}")
    console.print(f"Excel for investigators: {folder / 'control_list.xlsx'}")
    console.print(f"Night report (page):    {folder / 'report.html'}")
    console.print(f"Manifest:               {folder / 'manifest.json'}")
    where = store()
    console.print(
        f"MLflow runs and models: .venv/bin/mlflow ui --backend-store-uri {where.tracking_uri}"
        if where.embedded
        else f"MLflow runs and models: {where.describe()}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("demo"))
    parser.add_argument("--persons", type=int, default=DEMO_PERSONS)
    args = parser.parse_args(argv)
    console = Console()
    try:
        return run_demo(args.out, persons=args.persons, console=console)
    except FelriskError as exc:
        console.print(f"[bold red]error:[/] {exc}")
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
