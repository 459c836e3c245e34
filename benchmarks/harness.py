"""Time a command in a child process: wall seconds and peak resident memory, on this machine.

Each measurement runs behind its own small wrapper process, so the peak memory is that command's
alone (getrusage of children is a maximum over every child a process ever had).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measurement:
    """One timed run of a command."""

    label: str
    wall_s: float
    peak_rss_gb: float
    returncode: int

    def row(self) -> str:
        return f"| {self.label} | {self.wall_s:.1f} | {self.peak_rss_gb:.2f} |"


def measure(label: str, argv: list[str], env: dict[str, str] | None = None) -> Measurement:
    """Run `argv` once and return its wall time and peak RSS."""
    wrapper = [sys.executable, "-m", "benchmarks.harness", *argv]
    proc = subprocess.run(
        wrapper, env={**os.environ, **(env or {})}, check=False, stdout=subprocess.PIPE, text=True
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["returncode"] != 0:
        print(f"{label}: exit {result['returncode']}", file=sys.stderr)
    return Measurement(
        label, result["wall_s"], result["peak_rss_kb"] / 1024**2, result["returncode"]
    )


def median_run(runs: list[Measurement]) -> Measurement:
    """The run with the median wall time (the upper one of an even count)."""
    return sorted(runs, key=lambda m: m.wall_s)[len(runs) // 2]


# Every benchmark world spans the same three years; `--keep` folders are shared between benchmarks.
WORLD_START, WORLD_END = "2020-01-01", "2022-12-31"


def synth_argv(n: int, seed: int, out: Path) -> list[str]:
    """The `felrisk synth` command for a benchmark world of n persons."""
    return [
        sys.executable, "-m", "felrisk.cli", "synth", "--persons", str(n), "--start", WORLD_START,
        "--end", WORLD_END, "--seed", str(seed), "--out", str(out),
    ]  # fmt: skip


def ensure_world(root: Path, n: int, seed: int) -> Path:
    """ROOT/world_<n>, generated unless a finished one is already there (not timed)."""
    out = root / f"world_{n}"
    if not (out / "controls.parquet").exists():
        proc = subprocess.run(synth_argv(n, seed, out), check=False, capture_output=True, text=True)
        if proc.returncode != 0:
            print(proc.stdout[-4000:], proc.stderr[-4000:], file=sys.stderr)
            raise SystemExit(f"felrisk synth failed for {n} persons (exit {proc.returncode})")
    return out


def machine() -> str:
    """A one-line description of the machine for RESULTS.md."""
    return f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"


def _run_and_report(argv: list[str]) -> None:
    start = time.perf_counter()
    proc = subprocess.run(argv, check=False, stdout=sys.stderr)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"wall_s": wall, "peak_rss_kb": peak, "returncode": proc.returncode}))


if __name__ == "__main__":
    _run_and_report(sys.argv[1:])
