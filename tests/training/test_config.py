"""The training config: rules and their priors are checked against the feature registry."""

from __future__ import annotations

import pytest

from features.registry import feature_names
from felrisk.config import default_config_path
from felrisk.errors import ConfigError
from training.config import load_training_config


def _write(tmp_path, old: str, new: str):
    text = default_config_path("training.toml").read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "training.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_shipped_rules_are_model_inputs_with_priors_in_range():
    rules = load_training_config().rules
    priors = rules.priors()
    assert set(priors) <= set(feature_names(model_inputs_only=True))
    assert priors["tfp_in_sickpay_period_days"][0] > 0.99  # FK: 279 of 279
    assert priors["overlap_excess_days"][0] == pytest.approx(151 / 195, abs=0.001)
    assert priors["sgi_hours_days_mixup"][0] == 0.36
    # a rule without an FK figure takes the stated default
    assert priors["age_rule_days"] == (rules.default_prior_mean, rules.default_prior_strength)
    assert "tip" not in rules.precision_selections


def test_an_unknown_rule_feature_is_rejected_by_name(tmp_path):
    path = _write(
        tmp_path,
        'age_rule_days = { source = "rule 5, no FK figure" }',
        'age_rule_days = { source = "rule 5, no FK figure" }\nmoon_phase_days = {}',
    )
    with pytest.raises(ConfigError, match="moon_phase_days"):
        load_training_config(path)


def test_a_prior_outside_zero_one_is_rejected(tmp_path):
    path = _write(tmp_path, "prior_mean = 0.36, prior_strength = 40.8", "prior_mean = 1.2")
    with pytest.raises(ConfigError, match="prior_mean"):
        load_training_config(path)


def test_a_misspelt_rule_feature_gets_its_close_match(tmp_path):
    path = _write(tmp_path, "age_rule_days = {", "age_rule_day = {")
    with pytest.raises(ConfigError) as err:
        load_training_config(path)
    assert str(path) in str(err.value)
    assert "rules.features: unknown model-input feature 'age_rule_day'" in str(err.value)
    assert "did you mean 'age_rule_days'" in str(err.value)


def test_each_booster_section_sets_every_field(tmp_path):
    """No booster falls back to a value in code: a section missing a key is refused."""
    path = _write(tmp_path, "[intent]\nnum_boost_round = 200\n", "[intent]\n")
    with pytest.raises(ConfigError, match="intent.num_boost_round: Field required"):
        load_training_config(path)
