"""Benchmark the feature build: every active case on one date, against one DuckDB scan of the input.

Usage: python -m benchmarks.bench_features [--sizes 100000 300000 1000000] [--keep DIR]
           [--repeat 3] [--spark-max 100000] [--as-of 2022-06-01]
Per size it generates a world with `felrisk synth` (not timed here: bench_synth does that), then
times in separate processes: one DuckDB scan of every input table (the floor), the feature build
and write (no validation), the whole `felrisk features` command (validation included) and, up to
--spark-max persons, the same command on local Spark. Scan and build run --repeat times, one
after the other, and the row reports their medians: on a shared machine two runs of one command
differ by 15 %, and interleaving exposes both to the same load.
Targets on 2 cores at 1M persons: build at most 90 s, 6 GB peak, 10 times the scan.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

from benchmarks.harness import WORLD_END, WORLD_START, ensure_world, machine, measure, median_run

INPUT_TABLES = (
    "persons", "children", "employers", "cases", "payments", "income_reports", "sgi_decisions",
    "work_time_reports", "activity_reports", "controls",
)  # fmt: skip


def scan(data_dir: Path) -> None:
    """Read and decode every value of every input table once on DuckDB.

    Each column is hashed and the hashes counted: the cheapest query we found that DuckDB cannot
    answer from Parquet metadata. (`min`/`max` of each column can be: DuckDB reads them from the
    row-group statistics, 65 kB of a 38 MB file, so such a "scan" reads nothing.)
    """
    import duckdb

    con = duckdb.connect()
    for name in INPUT_TABLES:
        path = data_dir / f"{name}.parquet"
        if path.exists():
            con.sql(f"SELECT count(hash(COLUMNS(*))) FROM read_parquet('{path}')").fetchall()


def build_only(data_dir: Path, as_of: date, out: Path) -> None:
    """Build and write the feature table of the active cases, without validating first."""
    import pyarrow.parquet as pq

    from features.build import active_spine, build_features, execute_features
    from felrisk.datadir import open_data

    data = open_data(data_dir)
    table = execute_features(data, build_features(data, active_spine(data, as_of)), ["case_id"])
    pq.write_table(table, out)
    print(f"{table.num_rows} active cases", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--as-of", default="2022-06-01")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="scan and build runs per size")
    parser.add_argument("--spark-max", type=int, default=100_000, help="Spark up to this size")
    parser.add_argument("--keep", type=Path, default=None, help="keep the worlds under this folder")
    parser.add_argument("--scan", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--build-only", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    if args.scan is not None:
        scan(args.scan)
        return 0
    if args.build_only is not None:
        build_only(args.build_only, date.fromisoformat(args.as_of), args.out)
        return 0

    me = [sys.executable, "-m", "benchmarks.bench_features"]
    print(f"features as of {args.as_of}, worlds {WORLD_START}..{WORLD_END}, on {machine()}")
    print(
        "| persons | active cases | scan s | build s | build peak GB | build / scan | "
        "CLI s (validation incl.) | CLI peak GB | Spark CLI s | Spark peak GB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    failed = 0
    for n in args.sizes:
        root = args.keep or Path(tempfile.mkdtemp(prefix="felrisk-bench-features-"))
        world = ensure_world(root, n, args.seed)
        out = root / f"features_{n}.parquet"
        scans, builds = [], []
        for _ in range(max(1, args.repeat)):
            scans.append(measure("scan", [*me, "--scan", str(world)]))
            builds.append(measure("build", [*me, "--build-only", str(world), "--as-of",
                                            args.as_of, "--out", str(out)]))  # fmt: skip
        s, b = median_run(scans), median_run(builds)
        print(
            f"  {n:,}: scan {' '.join(f'{m.wall_s:.2f}' for m in scans)} s; "
            f"build {' '.join(f'{m.wall_s:.2f}' for m in builds)} s",
            file=sys.stderr,
        )
        cli = [sys.executable, "-m", "felrisk.cli", "features", "--data", str(world),
               "--as-of", args.as_of, "--out", str(out)]  # fmt: skip
        c = measure("cli", cli)
        spark = measure("spark", [*cli, "--engine", "spark"]) if n <= args.spark_max else None
        failed += sum(m.returncode != 0 for m in (*scans, *builds, c, spark) if m is not None)
        import pyarrow.parquet as pq

        rows = pq.read_metadata(out).num_rows if out.exists() else 0
        sp = f"{spark.wall_s:.1f} | {spark.peak_rss_gb:.2f}" if spark else "– | –"
        print(
            f"| {n:,} | {rows:,} | {s.wall_s:.2f} | {b.wall_s:.1f} | {b.peak_rss_gb:.2f} | "
            f"{b.wall_s / max(s.wall_s, 1e-9):.1f} | {c.wall_s:.1f} | {c.peak_rss_gb:.2f} | {sp} |",
            flush=True,
        )
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print(f"cores: {os.cpu_count()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
