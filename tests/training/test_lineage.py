"""What a registered version records about its data, code, config and backtest."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from training.lineage import (
    MAX_DESCRIPTION,
    UNKNOWN,
    git_commit,
    lineage_tags,
    snapshot_sha256,
    version_description,
)

SNAPSHOT = {"controls": {"rows": 10, "sha256": "ab"}, "persons": {"rows": 5, "sha256": "cd"}}


def test_the_snapshot_hash_follows_the_data_not_the_key_order():
    reordered = {"persons": SNAPSHOT["persons"], "controls": SNAPSHOT["controls"]}
    assert snapshot_sha256(reordered) == snapshot_sha256(SNAPSHOT)
    changed = {**SNAPSHOT, "persons": {"rows": 6, "sha256": "cd"}}
    assert snapshot_sha256(changed) != snapshot_sha256(SNAPSHOT)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_commit_and_whether_the_checkout_has_changes(tmp_path):
    assert git_commit(tmp_path) == (UNKNOWN, None)  # no checkout, e.g. an installed package

    def git(*args):
        return subprocess.run(
            ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.org"]
            + list(args),
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    git("init", "-q")
    (tmp_path / "a.py").write_text("x = 1\n")
    git("add", "a.py")
    git("commit", "-qm", "one")
    head = git("rev-parse", "HEAD")
    assert git_commit(tmp_path) == (head, False)
    (tmp_path / "a.py").write_text("x = 2\n")
    assert git_commit(tmp_path) == (head, True)


def test_tags_and_description_say_what_a_version_is(tmp_path):
    config = {"seed": 7, "split": {"mode": "months"}}
    tags = lineage_tags(
        snapshot=SNAPSHOT,
        data_dir=tmp_path,
        commit=("abc123", False),
        config=config,
        backtest_reasons=["backtest: at least as good as rules", "picks pass equal treatment"],
    )
    assert tags["data_snapshot_sha256"] == snapshot_sha256(SNAPSHOT)
    assert tags["git_commit"] == "abc123" and tags["git_dirty"] == "false"
    assert json.loads(tags["training_config"]) == config
    assert tags["backtest"] == "backtest: at least as good as rules; picks pass equal treatment"
    assert all(isinstance(v, str) for v in tags.values())
    text = version_description(
        name="felrisk",
        version=3,
        tags=tags,
        snapshot=SNAPSHOT,
        split={"t1": "2024-12-31"},
        gate="champion: gate passed",
        backtest_markdown="## Backtest\n\n| policy |\n" + "| x |\n" * 2000,
    )
    assert text.startswith("**felrisk version 3**") and "15 rows" in text and "abc123" in text
    assert len(text) <= MAX_DESCRIPTION and text.endswith("has the whole backtest)")
    untested = lineage_tags(
        snapshot=SNAPSHOT,
        data_dir=tmp_path,
        commit=(UNKNOWN, None),
        config={},
        backtest_reasons=None,
    )
    assert untested["backtest"].startswith("not run") and untested["git_dirty"] == UNKNOWN
