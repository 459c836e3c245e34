"""The configuration root: every shipped section loads, defaults live only in TOML, and
`felrisk config` prints the schema and the values in force."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from felrisk.cli import main
from felrisk.config import default_config_path
from felrisk.errors import ConfigError
from felrisk.settings import SECTIONS, Settings, load_settings, schema_json, settings_json

# Fields whose absence means "none" (no lower age limit, the rules' default prior), not a second
# copy of a value the TOML sets.
ABSENT_MEANS_NONE = {
    "RulePriorConfig.prior_mean",
    "RulePriorConfig.prior_strength",
    "AgeRule.min_age",
    "AgeRule.max_age_exclusive",
    "AgeRule.by_month",
    "ForbiddenPair.in_force",  # no dated figure: the pair is forbidden on every day
    "RuleEntry.benefit",  # benefit_rules.toml (the rules' dated figures): a general entry
    "RuleEntry.valid_to",  # still in force
}


def _models(model: type[BaseModel], seen: set) -> None:
    seen.add(model)
    for field in model.model_fields.values():
        args = [field.annotation, *getattr(field.annotation, "__args__", ())]
        for arg in [*args, *(a for x in args for a in getattr(x, "__args__", ()))]:
            if isinstance(arg, type) and issubclass(arg, BaseModel) and arg not in seen:
                _models(arg, seen)


def test_no_config_field_carries_a_default_of_its_own():
    seen: set = set()
    for name in SECTIONS:
        if name != "environment":
            _models(Settings.model_fields[name].annotation, seen)
    defaults = {
        f"{m.__name__}.{f}"
        for m in seen
        for f, info in m.model_fields.items()
        if not info.is_required()
    }
    assert defaults == ABSENT_MEANS_NONE


def test_every_shipped_section_loads_into_one_root():
    settings = load_settings()
    assert settings.training.split.validate_months == 3  # training.toml's, the one in force
    assert settings.audit.resamples.nightly == 200
    assert (
        "equal_treatment_n_boot" not in Settings.model_fields["selection"].annotation.model_fields
    )


def test_a_path_and_a_seed_override_their_section(tmp_path):
    text = default_config_path("backtest.toml").read_text(encoding="utf-8")
    path = tmp_path / "backtest.toml"
    path.write_text(text.replace("every_days = 7", "every_days = 14"), encoding="utf-8")
    settings = load_settings({"backtest": path}, seed=99)
    assert settings.backtest.every_days == 14 and settings.training.seed == 99
    with pytest.raises(ConfigError, match="no configuration section"):
        load_settings({"scenario": path})


def test_schema_and_values_are_json_per_section():
    schema = json.loads(schema_json())
    assert set(schema["properties"]) == set(SECTIONS)
    assert "nightly" in json.loads(schema_json("audit"))["$defs"]["Resamples"]["properties"]
    values = json.loads(settings_json(load_settings(), "selection"))
    assert values["hard_rule_features"] == ["overlap_forbidden_days", "tfp_in_sickpay_period_days"]
    with pytest.raises(ConfigError, match="no configuration section 'nope'"):
        schema_json("nope")


def test_cli_show_honours_the_options_and_the_environment(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://ann:secret@mlflow.example:5000")
    assert main(["config", "--show", "--seed", "5"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["training"]["seed"] == 5
    assert shown["environment"]["MLFLOW_TRACKING_URI"] == "http://ann:***@mlflow.example:5000"
    assert main(["config", "--schema", "contract"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "ContractConfig"


def test_cli_config_needs_one_of_schema_and_show_and_a_known_section(capsys):
    assert main(["config"]) == 2
    assert main(["config", "--schema", "--show"]) == 2
    assert main(["config", "--show", "nope"]) == 2
    assert "sections: contract" in capsys.readouterr().err


def test_cli_show_reports_a_bad_file_as_a_config_error(tmp_path, capsys):
    path = tmp_path / "selection.toml"
    path.write_text("rank_by = 1\n", encoding="utf-8")
    assert main(["config", "--show", "--selection", str(path)]) == 2
    assert str(path) in capsys.readouterr().err
