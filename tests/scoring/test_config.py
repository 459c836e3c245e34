"""The selection policy file: feature names are checked against the registry at load."""

from __future__ import annotations

import pytest

from felrisk.config import default_config_path
from felrisk.errors import ConfigError
from scoring.config import load_selection_config


def _write(tmp_path, old: str, new: str):
    text = default_config_path("selection.toml").read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "selection.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("field", "old", "new", "typo", "meant"),
    [
        (
            "hard_rule_features",
            '"overlap_forbidden_days", "tfp_in_sickpay_period_days"]',
            '"overlap_forbiden_days", "tfp_in_sickpay_period_days"]',
            "overlap_forbiden_days",
            "overlap_forbidden_days",
        ),
        (
            "reason_exclude_features",
            '"person_earlier_controls",',
            '"person_earlier_control",',
            "person_earlier_control",
            "person_earlier_controls",
        ),
        (
            "reason_notable_above",
            "sgi_per_hour = 400.0",
            "sgi_per_hours = 400.0",
            "sgi_per_hours",
            "sgi_per_hour",
        ),
        (
            "reason_notable_below",
            "sgi_employer_size = 3",
            "sgi_employer_sizes = 3",
            "sgi_employer_sizes",
            "sgi_employer_size",
        ),
    ],
)
def test_a_feature_typo_fails_at_load_naming_file_field_and_match(
    tmp_path, field, old, new, typo, meant
):
    path = _write(tmp_path, old, new)
    with pytest.raises(ConfigError) as err:
        load_selection_config(path)
    message = str(err.value)
    assert str(path) in message
    assert f"{field}: " in message
    assert f"unknown feature '{typo}' (did you mean '{meant}'" in message


def test_the_nightly_resample_count_is_the_audit_policys_only(tmp_path):
    path = _write(
        tmp_path,
        "equal_treatment_window_days = 730",
        "equal_treatment_window_days = 730\nequal_treatment_n_boot = 200",
    )
    with pytest.raises(ConfigError, match="equal_treatment_n_boot: Extra inputs"):
        load_selection_config(path)


def test_the_night_takes_its_resamples_from_the_audit_policy():
    from audit.policy import load_audit_policy
    from scoring.fairness import audit_settings

    assert audit_settings()["n_boot"] == load_audit_policy().resamples.nightly


def test_an_older_manifests_policy_still_loads(tmp_path):
    """Recorded with the resample count the audit policy holds now, and without later fields."""
    import json

    from scoring.manifest import config_from_manifest

    shipped = load_selection_config()
    recorded = shipped.model_dump(mode="json")
    del recorded["equal_treatment_power"], recorded["notice"]
    recorded["equal_treatment_n_boot"] = 200
    manifest = {
        "as_of": "2026-01-01",
        "model": {"name": "felrisk", "version": 1},
        "engine": "duckdb",
        "config": recorded,
        "inputs": {},
        "outputs_sha256": {},
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    old = config_from_manifest(path)
    assert old.notice is None and old.equal_treatment_power == 0.8
    assert old.model_copy(update={"notice": shipped.notice}) == shipped
