"""Benchmark `felrisk synth`: wall time and peak memory at a few sizes over three years.

Usage: python -m benchmarks.bench_synth [--sizes 100000 1000000] [--keep DIR]
Prints one markdown row per size (persons, wall s, peak GB, cores). Targets on 2 cores: 1M
persons in at most 10 minutes and 8 GB peak, time linear in persons.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.harness import WORLD_END, WORLD_START, machine, measure, synth_argv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=None, help="keep the worlds under this folder")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    cores = os.cpu_count()
    print(f"synth over {WORLD_START}..{WORLD_END} on {machine()}")
    print("| persons | wall s | peak GB | cores | s per 100k |")
    print("|---:|---:|---:|---:|---:|")
    failed = 0
    for n in args.sizes:
        root = args.keep or Path(tempfile.mkdtemp(prefix="felrisk-bench-synth-"))
        out = root / f"world_{n}"
        m = measure(f"{n}", synth_argv(n, args.seed, out))
        failed += m.returncode != 0
        print(
            f"| {n:,} | {m.wall_s:.1f} | {m.peak_rss_gb:.2f} | {cores} | "
            f"{m.wall_s / n * 100_000:.1f} |",
            flush=True,
        )
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
