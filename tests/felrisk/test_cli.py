"""The CLI's contract with a scheduler: documented exit codes and readable errors."""

from __future__ import annotations

from felrisk.cli import main
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
