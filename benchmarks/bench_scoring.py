"""Benchmark `felrisk score`: wall time and peak memory of the nightly job at a few world sizes.

Usage: python -m benchmarks.bench_scoring [--sizes 100000 1000000] [--selected 5000]
       [--train-persons 100000] [--keep DIR]
Per size: a synthetic world (felrisk synth, not timed), then the timed nightly job with a policy
whose capacities add up to about `--selected` cases (each with its three reasons). The champion
is trained once (felrisk train, not timed) on a world of `--train-persons` in a private MLflow
store (a store kept under --keep that already has a champion is reused). Prints one markdown row per size. Target on 2 cores: 1M persons in at most 3 minutes and
8 GB peak, with reasons for up to 5,000 selected cases.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from benchmarks.harness import ensure_world, machine, measure

AS_OF = "2023-01-01"
SHIPPED_POLICY = Path(__file__).resolve().parent.parent / "felrisk" / "config" / "selection.toml"

_CHAMPION = """
import sys
from training.tracking import champion_version, client, promote_version
from training.config import load_training_config
if champion_version() is None:
    name = load_training_config().registered_model_name
    versions = client().search_model_versions(f"name='{name}'")
    if not versions:
        sys.exit("training registered no model version")
    latest = max(int(v.version) for v in versions)
    promote_version(latest, "benchmark: score with the latest version whatever the gate said")
print(champion_version())
"""


_HAS_CHAMPION = (
    "import sys; from training.tracking import champion_version; "
    "sys.exit(0 if champion_version() is not None else 1)"
)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "felrisk.cli", *args]


def _run(argv: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(argv, env={**os.environ, **env}, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(argv[2:])}")


def policy_for(selected: int, out: Path) -> Path:
    """The shipped policy with every capacity scaled so that all lists hold about `selected`.

    Only the capacity lines change; everything else is the shipped file's own text.
    """
    text = SHIPPED_POLICY.read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    total = sum(sum(lanes.values()) for lanes in raw["capacity"].values())
    factor = selected / total

    def scaled(m: re.Match) -> str:
        return f"{m.group(1)} = {max(1, round(int(m.group(2)) * factor))}"

    text = re.sub(r"(?m)^(verifiering|kontrollutredning) = (\d+)\s*$", scaled, text)
    out.write_text(text, encoding="utf-8")
    return out


def ensure_champion(root: Path, train_n: int, seed: int, env: dict[str, str]) -> bool:
    """A champion in the store `env` names: trained (not timed) on ROOT's world of `train_n`
    persons, and promoted whatever the gate said, unless the store already has one (False)."""
    has_champion = subprocess.run(
        [sys.executable, "-c", _HAS_CHAMPION], env={**os.environ, **env}, check=False
    )
    trained = has_champion.returncode != 0  # a kept store with a champion is reused
    if trained:
        _run(_cli("train", "--data", str(ensure_world(root, train_n, seed))), env)
    _run([sys.executable, "-c", _CHAMPION], env)
    return trained


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--selected", type=int, default=5_000, help="cases on all lists together")
    parser.add_argument("--train-persons", type=int, default=None, help="default: smallest size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=None, help="keep worlds and lists here")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    root = args.keep or Path(tempfile.mkdtemp(prefix="felrisk-bench-score-"))
    root.mkdir(parents=True, exist_ok=True)
    env = {"FELRISK_MLRUNS": str((root / "mlruns").resolve())}
    train_n = args.train_persons or min(args.sizes)
    ensure_champion(root, train_n, args.seed, env)
    policy = policy_for(args.selected, root / "selection.toml")

    print(f"felrisk score (as of {AS_OF}, champion trained on {train_n:,}) on {machine()}")
    print("| persons | selected | wall s | peak GB | cores |")
    print("|---:|---:|---:|---:|---:|")
    failed = 0
    for n in args.sizes:
        data = ensure_world(root, n, args.seed)
        lists = root / f"lists_{n}"
        shutil.rmtree(lists, ignore_errors=True)
        cmd = _cli(
            "score", "--data", str(data), "--as-of", AS_OF, "--out", str(lists),
            "--config", str(policy),
        )  # fmt: skip
        m = measure(f"{n}", cmd, env=env)
        failed += m.returncode != 0
        got = lists / AS_OF / "control_list.csv"
        selected = sum(1 for _ in got.open(encoding="utf-8")) - 1 if got.exists() else 0
        print(
            f"| {n:,} | {selected:,} | {m.wall_s:.1f} | {m.peak_rss_gb:.2f} | {os.cpu_count()} |",
            flush=True,
        )
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
