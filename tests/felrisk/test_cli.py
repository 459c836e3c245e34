"""The CLI's contract with a scheduler: documented exit codes and readable errors."""

from __future__ import annotations

import gc
import subprocess
import sys

from felrisk.cli import GC_THRESHOLDS, main
from felrisk.errors import (
    ConfigError,
    ContractError,
    FelriskError,
    LockedError,
    NoModelError,
    OutcomeImportError,
)


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in (
        "synth",
        "validate",
        "features",
        "train",
        "promote",
        "audit-selection",
        "score",
    ):
        assert command in out


def test_bad_date_is_a_usage_error(tmp_path, capsys):
    rc = main(["features", "--data", str(tmp_path), "--as-of", "2025-13-01", "--out", "x.parquet"])
    assert rc == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error():
    assert main(["validate", "--nope"]) == 2


def test_exit_codes_are_distinct_and_documented():
    codes = {
        ConfigError: 2,
        ContractError: 3,
        OutcomeImportError: 3,
        NoModelError: 4,
        LockedError: 5,
        FelriskError: 1,
    }
    for cls, code in codes.items():
        assert cls("x").exit_code == code
    readme = (__import__("felrisk.paths").paths.project_root() / "README.md").read_text()
    for code in (0, 1, 2, 3, 4, 5):
        assert f"| {code} |" in readme


def _felrisk_run(tmp_path, argv: list[str], before: str = "") -> subprocess.CompletedProcess:
    """`felrisk.cli.run` (the installed command's entry) in a fresh interpreter."""
    script = (
        "import sys\n"
        f"sys.argv = ['felrisk', *{argv!r}]\n"
        f"{before}\n"
        "from felrisk.cli import run\n"
        "run()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )


def test_the_command_exits_with_mains_code_and_runs_the_exit_handlers(tmp_path):
    marker = tmp_path / "handler_ran"
    handler = f"import atexit; atexit.register(lambda: open({str(marker)!r}, 'w').write('x'))"
    ok = _felrisk_run(tmp_path, ["--help"], before=handler)
    assert ok.returncode == 0, ok.stderr
    assert "score" in ok.stdout  # flushed before the fast exit
    assert marker.read_text() == "x"

    bad = _felrisk_run(tmp_path, ["validate", "--data", str(tmp_path / "no_such_dir")])
    assert bad.returncode == ContractError.exit_code
    assert "error" in bad.stdout + bad.stderr


def test_the_command_waits_for_a_live_thread_before_exiting(tmp_path):
    marker = tmp_path / "thread_done"
    thread = (
        "import threading, time\n"
        "def late():\n"
        "    time.sleep(0.5)\n"
        f"    open({str(marker)!r}, 'w').write('x')\n"
        "threading.Thread(target=late).start()"
    )
    done = _felrisk_run(tmp_path, ["--help"], before=thread)
    assert done.returncode == 0, done.stderr
    assert marker.read_text() == "x"  # the ordinary exit joined the thread


def test_the_command_runs_under_the_batch_gc_thresholds(tmp_path):
    seen = tmp_path / "thresholds"
    # an exit handler runs after main, inside run(): it sees the thresholds main ran under
    handler = f"import atexit, gc; atexit.register(lambda: open({str(seen)!r}, 'w').write(repr(gc.get_threshold())))"
    done = _felrisk_run(tmp_path, ["--help"], before=handler)
    assert done.returncode == 0, done.stderr
    assert seen.read_text() == repr(GC_THRESHOLDS)
    before = gc.get_threshold()
    assert main(["--help"]) == 0
    assert gc.get_threshold() == before  # main, which tests call in-process, leaves it alone
