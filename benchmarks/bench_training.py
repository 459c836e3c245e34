"""Benchmark training: the training-set build alone, then the whole `felrisk train`, per world size.

Usage: python -m benchmarks.bench_training [--sizes 1000000] [--keep DIR] [--world DIR]
Generates a world with `felrisk synth` per size (not timed here: see bench_synth), then times in
their own processes (wall seconds, peak RSS): the training-set build (features on the control
spine, labels, audit groups) and `felrisk train --data DIR` into a scratch MLflow store. Prints
one markdown row per size and stage.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.harness import WORLD_END, WORLD_START, ensure_world, machine, measure


def _build_only(data_dir: str) -> int:
    """Child process: build the training set once and print its size (the timed stage)."""
    from felrisk.datadir import open_data
    from training.dataset import build_training_set

    ts = build_training_set(open_data(Path(data_dir)))
    print(f"{len(ts.frame)} closed controls, {len(ts.feature_names)} features", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=None, help="keep the worlds under this folder")
    parser.add_argument(
        "--world", type=Path, default=None, help="time this existing world instead (one size)"
    )
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    print(f"training over {WORLD_START}..{WORLD_END} on {machine()}")
    print("| persons | stage | wall s | peak GB | cores |")
    print("|---:|---|---:|---:|---:|")
    failed = 0
    sizes = [0] if args.world else args.sizes
    for n in sizes:
        root = args.keep or Path(tempfile.mkdtemp(prefix="felrisk-bench-train-"))
        data = args.world or ensure_world(root, n, args.seed)
        store = Path(tempfile.mkdtemp(prefix="felrisk-bench-mlruns-"))
        stages = {
            "training set": [
                sys.executable,
                "-m",
                "benchmarks.bench_training",
                "--build",
                str(data),
            ],
            "felrisk train": [sys.executable, "-m", "felrisk.cli", "train", "--data", str(data)],
        }
        for stage, cmd in stages.items():
            m = measure(stage, cmd, env={"FELRISK_MLRUNS": str(store)})
            failed += m.returncode != 0
            label = f"{n:,}" if n else str(data)
            print(
                f"| {label} | {stage} | {m.wall_s:.1f} | {m.peak_rss_gb:.2f} | {os.cpu_count()} |",
                flush=True,
            )
        shutil.rmtree(store, ignore_errors=True)
        if args.keep is None and args.world is None:
            shutil.rmtree(root, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--build":
        sys.exit(_build_only(sys.argv[2]))
    sys.exit(main())
