"""Benchmark the whole night against one DuckDB pass over its inputs, side by side in one run.

Usage: python -m benchmarks.bench_night [--sizes 200000] [--repeat 3] [--selected 5000]
       [--train-persons N] [--keep DIR] [--baseline TREE]
Per size: a world (felrisk synth, not timed) and a champion trained once (not timed, as in
bench_scoring), then one night that fills the model cache (timed, reported apart: the first night
of a new champion), then `--repeat` rounds of the scan (bench_features' scan: every value of every
input table hashed once, in its own process) and the night (`felrisk score`, its own process).
With `--baseline TREE` (a checkout of an earlier commit) each round also runs that code's night,
so both are measured under the same load. Prints the medians, each step's median from the night's
log, and night / scan. Target (issue 16): the whole night within 20 times the scan.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.bench_scoring import AS_OF, _cli, ensure_champion, policy_for
from benchmarks.harness import ensure_world, machine

TARGET_RATIO = 20
_STEP = re.compile(r"step (\w+): done in ([0-9.]+) s")
HERE = Path(__file__).resolve().parent.parent


@dataclass
class Night:
    """One timed run: wall seconds, peak GB and the job's own step times."""

    wall_s: float
    peak_gb: float
    returncode: int
    steps: dict[str, float] = field(default_factory=dict)


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> Night:
    """Run `argv` behind benchmarks.harness in `cwd` (whose code it imports), keeping its log."""
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.harness", *argv],
        env={**os.environ, **env},
        cwd=cwd,
        check=False,
        capture_output=True,
        text=True,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    steps = {m.group(1): float(m.group(2)) for m in _STEP.finditer(proc.stderr)}
    if result["returncode"] != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
    return Night(result["wall_s"], result["peak_rss_kb"] / 1024**2, result["returncode"], steps)


def _median(nights: list[Night]) -> Night:
    steps = list(dict.fromkeys(s for n in nights for s in n.steps))  # in the job's order
    return Night(
        statistics.median(n.wall_s for n in nights),
        max(n.peak_gb for n in nights),
        max(n.returncode for n in nights),
        {s: statistics.median(n.steps.get(s, 0.0) for n in nights) for s in steps},
    )


def _steps_line(label: str, night: Night) -> str:
    parts = ", ".join(f"{k} {v:.1f}" for k, v in night.steps.items() if v >= 0.05)
    return f"  {label}: {parts}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200_000])
    parser.add_argument("--repeat", type=int, default=3, help="rounds of scan and night")
    parser.add_argument("--selected", type=int, default=5_000, help="cases on all lists together")
    parser.add_argument("--train-persons", type=int, default=None, help="default: smallest size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=None, help="keep worlds, store and lists")
    parser.add_argument("--baseline", type=Path, default=None, help="also time this tree's night")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    root = (args.keep or Path(tempfile.mkdtemp(prefix="felrisk-bench-night-"))).resolve()
    root.mkdir(parents=True, exist_ok=True)
    env = {"FELRISK_MLRUNS": str(root / "mlruns")}
    train_n = args.train_persons or min(args.sizes)
    trained = ensure_champion(root, train_n, args.seed, env)
    policy = policy_for(args.selected, root / "selection.toml")
    trees = {"night": HERE, **({"baseline": args.baseline.resolve()} if args.baseline else {})}

    champion = f"trained on {train_n:,}" if trained else f"the one in {root / 'mlruns'}"
    print(f"felrisk score as of {AS_OF} (champion: {champion}) on {machine()}")
    print("| persons | code | scan s | night s | night / scan | peak GB | first night s |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    failed = 0
    for n in args.sizes:
        data = ensure_world(root, n, args.seed)

        def night(tree: Path, tag: str, data: Path = data, n: int = n) -> Night:
            out = root / f"lists_{n}_{tag}"
            shutil.rmtree(out, ignore_errors=True)
            cmd = _cli("score", "--data", str(data), "--as-of", AS_OF, "--out", str(out),
                       "--config", str(policy))  # fmt: skip
            return timed(cmd, env, tree)

        first = {label: night(tree, label) for label, tree in trees.items()}
        scan_cmd = [sys.executable, "-m", "benchmarks.bench_features", "--scan", str(data)]
        scans, nights = [], {label: [] for label in trees}
        for _ in range(max(1, args.repeat)):
            scans.append(timed(scan_cmd, env, HERE))
            for label, tree in trees.items():
                nights[label].append(night(tree, label))
        scan_s = statistics.median(s.wall_s for s in scans)
        print(f"  {n:,}: scans {' '.join(f'{s.wall_s:.2f}' for s in scans)} s", file=sys.stderr)
        for label in trees:
            m = _median(nights[label])
            walls = " ".join(f"{x.wall_s:.1f}" for x in nights[label])
            print(f"  {n:,} {label}: nights {walls} s", file=sys.stderr)
            print(_steps_line(f"{n:,} {label} steps (median s)", m), file=sys.stderr)
            print(
                f"| {n:,} | {label} | {scan_s:.2f} | {m.wall_s:.1f} | "
                f"{m.wall_s / max(scan_s, 1e-9):.1f} | {m.peak_gb:.2f} | "
                f"{first[label].wall_s:.1f} |",
                flush=True,
            )
            failed += m.returncode != 0 or first[label].returncode != 0
        failed += any(s.returncode != 0 for s in scans)
    print(f"target: night within {TARGET_RATIO} times the scan; cores: {os.cpu_count()}")
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
