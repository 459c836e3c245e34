"""Benchmark `felrisk backtest`: 26 weekly nights replayed (four policies), wall time and peak memory.

Usage: python -m benchmarks.bench_backtest [--sizes 1000000] [--nights 26] [--keep DIR]
Per size: a synthetic world (felrisk synth, not timed), then the timed backtest of the last
`--nights` weekly nights of the world: the model trained on the controls closed before the first
night, every night's features built once and every policy's list drawn. MLflow writes to a
private store. Target on 2 cores: 26 weekly nights at 1M persons in at most 15 minutes and 8 GB.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from benchmarks.harness import WORLD_END, ensure_world, machine, measure


def backtest_argv(world: Path, nights: int) -> list[str]:
    """The `felrisk backtest` command over the last `nights` weekly nights of the world."""
    last = date.fromisoformat(WORLD_END) - timedelta(days=6)
    first = last - timedelta(days=7 * (nights - 1))
    return [
        sys.executable, "-m", "felrisk.cli", "backtest", "--data", str(world),
        "--from", first.isoformat(), "--to", last.isoformat(), "--every", "7",
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--nights", type=int, default=26)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="felrisk-bench-"))
    print(f"machine: {machine()}")
    print("| persons | nights | wall s | peak GB |")
    print("|---:|---:|---:|---:|")
    for n in args.sizes:
        world = ensure_world(root, n, args.seed)
        store = root / f"mlruns_backtest_{n}"
        store.mkdir(parents=True, exist_ok=True)
        m = measure(f"{n}", backtest_argv(world, args.nights), env={"FELRISK_MLRUNS": str(store)})
        print(f"| {n:,} | {args.nights} | {m.wall_s:.1f} | {m.peak_rss_gb:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
