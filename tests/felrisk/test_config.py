"""The config base: strict values, arrays as tuples, readable errors; the environment class."""

from __future__ import annotations

import pytest
from pydantic import Field

from felrisk.config import FrozenConfig, load_config, parse_config, unknown_names
from felrisk.environment import environment
from felrisk.errors import ConfigError


class _Knobs(FrozenConfig):
    days: int = Field(ge=1)
    share: float
    names: tuple[str, ...]


def test_a_string_is_not_a_number_and_a_fraction_is_not_an_int():
    with pytest.raises(ConfigError, match=r"days: .*valid integer \(received '3'\)"):
        parse_config(_Knobs, {"days": "3", "share": 0.5, "names": []})
    with pytest.raises(ConfigError, match=r"days: .*valid integer \(received 1.5\)"):
        parse_config(_Knobs, {"days": 1.5, "share": 0.5, "names": []})


def test_toml_arrays_become_tuples_and_an_int_is_a_float(tmp_path):
    path = tmp_path / "knobs.toml"
    path.write_text('days = 3\nshare = 1\nnames = ["a", "b"]\n', encoding="utf-8")
    knobs = load_config(_Knobs, path, "unused.toml")
    assert knobs == _Knobs(days=3, share=1.0, names=("a", "b"))


def test_an_unknown_or_missing_key_names_the_file_and_the_field(tmp_path):
    path = tmp_path / "knobs.toml"
    path.write_text('days = 3\nshares = 1.0\nnames = ["a"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(_Knobs, path, "unused.toml")
    assert str(path) in str(err.value)
    assert "share: Field required" in str(err.value)
    assert "shares: Extra inputs are not permitted" in str(err.value)


def test_unknown_names_suggests_close_matches():
    assert unknown_names(["ab"], ["ab", "cd"]) is None
    message = unknown_names(["overlap_forbiden_days"], ["overlap_forbidden_days", "x"])
    assert (
        message
        == "unknown feature 'overlap_forbiden_days' (did you mean 'overlap_forbidden_days'?)"
    )
    assert unknown_names(["zzz"], ["ab"], "rule") == "unknown rule 'zzz'"


def test_the_environment_is_parsed_once_into_one_object(tmp_path):
    env = environment(
        {
            "FELRISK_MLRUNS": str(tmp_path),
            "FELRISK_SHARE_GROUP": "Yes",
            "FELRISK_DUCKDB_THREADS": "3",
            "FELRISK_SPARK_MASTER": "",
            "UNRELATED": "x",
        }
    )
    mlruns = env.FELRISK_MLRUNS
    assert mlruns == tmp_path and env.FELRISK_SHARE_GROUP is True
    assert env.FELRISK_DUCKDB_THREADS == 3 and env.FELRISK_SPARK_MASTER is None
    assert environment({"FELRISK_SHARE_GROUP": "maybe"}).FELRISK_SHARE_GROUP is False


@pytest.mark.parametrize("value", ["many", "0"])
def test_a_bad_environment_value_is_a_config_error_naming_the_variable(value):
    with pytest.raises(ConfigError, match=f"FELRISK_DUCKDB_THREADS: .*received '{value}'"):
        environment({"FELRISK_DUCKDB_THREADS": value})


def test_paths_and_modes_read_the_environment_when_asked(tmp_path, monkeypatch):
    from felrisk.paths import mlruns_dir
    from felrisk.safeio import file_mode

    monkeypatch.setenv("FELRISK_MLRUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("FELRISK_SHARE_GROUP", "1")
    assert mlruns_dir() == (tmp_path / "runs").resolve()
    assert file_mode() == 0o640
    monkeypatch.delenv("FELRISK_SHARE_GROUP")
    assert file_mode() == 0o600
