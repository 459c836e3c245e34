"""What a registered version records about where it came from: data, code, config, backtest.

Tags and a description on the version itself, so that the registry alone (`mlflow ui`, a
notebook) tells what a version is and why it is champion, without opening its run.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Mapping
from pathlib import Path

UNKNOWN = "unknown"
# A model version's description is a 5,000-character column in MLflow's SQL stores.
MAX_DESCRIPTION = 5000


def snapshot_sha256(snapshot: Mapping[str, object]) -> str:
    """One hash of the data snapshot (rows and SHA-256 per table), independent of key order."""
    text = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def git_commit(folder: Path) -> tuple[str, bool | None]:
    """(commit, has uncommitted changes) of the checkout holding `folder`; (UNKNOWN, None) when
    it is no git checkout (an installed package) or git is missing."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return done.stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return UNKNOWN, None
    return commit, dirty


def lineage_tags(
    *,
    snapshot: Mapping[str, object],
    data_dir: Path,
    commit: tuple[str, bool | None],
    config: Mapping[str, object],
    backtest_reasons: list[str] | None,
) -> dict[str, str]:
    """The version's tags: data snapshot hash, data folder, git commit, training config, backtest."""
    sha, dirty = commit
    return {
        "data_snapshot_sha256": snapshot_sha256(snapshot),
        "data_dir": str(Path(data_dir).resolve()),
        "git_commit": sha,
        "git_dirty": UNKNOWN if dirty is None else str(dirty).lower(),
        "training_config": json.dumps(config, sort_keys=True, separators=(",", ":"), default=str),
        "backtest": (
            "; ".join(backtest_reasons)
            if backtest_reasons is not None
            else "not run (train without the backtest: the gate compared hit rates at k)"
        ),
    }


def version_description(
    *,
    name: str,
    version: int,
    tags: Mapping[str, str],
    snapshot: Mapping[str, Mapping[str, object]],
    split: Mapping[str, object],
    gate: str,
    backtest_markdown: str,
) -> str:
    """Markdown for the registry's page: what was trained on what, the gate, the backtest."""
    rows = sum(int(t.get("rows", 0)) for t in snapshot.values())
    dirty = " (with uncommitted changes)" if tags["git_dirty"] == "true" else ""
    lines = [
        f"**{name} version {version}**",
        "",
        f"- data: {tags['data_dir']}, {len(snapshot)} tables, {rows:,} rows, "
        f"snapshot sha256 `{tags['data_snapshot_sha256'][:16]}`",
        f"- code: git commit `{tags['git_commit']}`{dirty}",
        "- split: " + ", ".join(f"{k} {v}" for k, v in split.items()),
        "- training config: the `training_config` tag (JSON)",
        f"- gate: {gate}",
        "",
        backtest_markdown.strip() or f"Backtest: {tags['backtest']}",
    ]
    text = "\n".join(lines)
    if len(text) > MAX_DESCRIPTION:
        tail = "\n\n(cut here: the model card of the version's run has the whole backtest)"
        text = text[: MAX_DESCRIPTION - len(tail)] + tail
    return text
