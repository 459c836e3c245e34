"""Errors by kind: the system's refusals and missing keys end with one line and a documented code."""

from __future__ import annotations

import errno
import json

import pytest

from felrisk import cli
from felrisk.cli import main
from felrisk.errors import NotReproducedError, StorageError, UnsafePathError, storage_message


def test_new_exit_codes_are_distinct():
    assert UnsafePathError("x").exit_code == 2
    assert StorageError("x").exit_code == 6
    assert NotReproducedError("x").exit_code == 7
    for code in (6, 7):
        assert f"{code} " in cli.__doc__


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (OSError(errno.ENOSPC, "No space left on device", "/lists/2026-01-01.lock"), "No space"),
        (PermissionError(errno.EACCES, "Permission denied", "/data/fk/controls.parquet"), "denied"),
    ],
)
def test_an_os_error_is_exit_6_with_the_file_and_no_traceback(monkeypatch, capsys, exc, words):
    def fails(*args, **kwargs):
        raise exc

    monkeypatch.setattr("felrisk.validate.validate_data", fails)
    assert main(["validate", "--data", "/nowhere"]) == 6
    err = capsys.readouterr().err
    assert words in err and exc.filename in err and "Traceback" not in err


def test_storage_message_names_both_files_of_a_rename():
    exc = OSError(errno.EXDEV, "Invalid cross-device link", "/a", None, "/b")
    assert storage_message(exc) == "Invalid cross-device link: /a -> /b"


def test_a_missing_key_is_exit_2_with_the_key(monkeypatch, capsys):
    def fails(*args, **kwargs):
        raise KeyError("registered_model_name")

    monkeypatch.setattr("felrisk.validate.validate_data", fails)
    assert main(["validate", "--data", "/nowhere"]) == 2
    err = capsys.readouterr().err
    assert "missing key 'registered_model_name'" in err and "Traceback" not in err


def test_a_manifest_without_its_keys_is_bad_input_naming_them(tmp_path, capsys):
    day = tmp_path / "lists" / "2026-01-01"
    day.mkdir(parents=True)
    manifest = day / "manifest.json"
    manifest.write_text(json.dumps({"as_of": "2026-01-01", "model": {"name": "felrisk"}}))
    args = ["reproduce", str(manifest), "--data", str(tmp_path), "--out", str(tmp_path / "o")]
    assert main(args) == 3
    err = capsys.readouterr().err
    assert "lacks" in err and "engine" in err and "outputs_sha256" in err
    manifest.write_text("{not json")
    assert main(args) == 3
    assert "not a manifest" in capsys.readouterr().err


def test_reproducing_into_the_original_folder_is_refused(tmp_path, capsys):
    from tests.scoring.test_reproduce_fresh import LIST_FILES

    day = tmp_path / "lists" / "2026-01-01"
    day.mkdir(parents=True)
    m = {
        "as_of": "2026-01-01",
        "model": {"name": "felrisk", "version": 1},
        "engine": "duckdb",
        "config": {},
        "inputs": {},
        "outputs_sha256": {f: "0" * 64 for f in LIST_FILES},
    }
    (day / "manifest.json").write_text(json.dumps(m))
    args = ["reproduce", str(day / "manifest.json"), "--data", str(tmp_path)]
    assert main([*args, "--out", str(tmp_path / "lists")]) == 2
    assert "another folder" in capsys.readouterr().err
