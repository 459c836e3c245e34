"""The one configuration root: every section of felrisk's configuration, composed and frozen.

Each section keeps its own file and loader (contract.toml: `load_contract_config`, ...), which the
packages call; this root composes them for `felrisk config`, which prints their schema and the
values in force. It sits beside the CLI, on top of every package, because it imports each
package's section (the bottom layer, felrisk.config, cannot).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from audit.policy import AuditPolicy, load_audit_policy
from backtest.config import BacktestConfig, load_backtest_config
from features.settings import FeatureSettings, load_feature_settings
from felrisk.config import FrozenConfig
from felrisk.contract import ContractConfig, load_contract_config
from felrisk.environment import Environment, environment
from felrisk.errors import ConfigError
from felrisk.rules import CoordinationRules, load_rules
from scoring.config import SelectionConfig, load_selection_config
from training.config import TrainingConfig, load_training_config
from training.store import redact


class Settings(FrozenConfig):
    """Every section of felrisk's configuration (one file each in felrisk/config/) and the
    environment variables it reads."""

    contract: ContractConfig
    rules: CoordinationRules
    features: FeatureSettings
    audit: AuditPolicy
    training: TrainingConfig
    selection: SelectionConfig
    backtest: BacktestConfig
    environment: Environment


# Each file section's loader: path (None: the shipped file) -> the section.
LOADERS: dict[str, Callable[[Path | None], FrozenConfig]] = {
    "contract": load_contract_config,
    "rules": load_rules,
    "features": load_feature_settings,
    "audit": load_audit_policy,
    "training": load_training_config,
    "selection": load_selection_config,
    "backtest": load_backtest_config,
}
SECTIONS: tuple[str, ...] = tuple(Settings.model_fields)


def load_settings(
    paths: Mapping[str, Path | None] | None = None, seed: int | None = None
) -> Settings:
    """Every section as the commands read it: `paths` names a file per section (the commands'
    --config options; absent: the shipped one), `seed` overrides training.toml's as `--seed` does."""
    paths = dict(paths or {})
    unknown = sorted(set(paths) - set(LOADERS))
    if unknown:
        raise ConfigError(f"no configuration section {unknown}; sections: {', '.join(LOADERS)}")
    sections: dict[str, Any] = {name: load(paths.get(name)) for name, load in LOADERS.items()}
    if seed is not None:
        sections["training"] = sections["training"].model_copy(update={"seed": seed})
    return Settings(**sections, environment=environment())


def _section(section: str | None) -> str | None:
    if section is not None and section not in SECTIONS:
        raise ConfigError(f"no configuration section {section!r}; sections: {', '.join(SECTIONS)}")
    return section


def schema_json(section: str | None = None) -> str:
    """The JSON schema of the settings, or of one section."""
    model = Settings if _section(section) is None else Settings.model_fields[section].annotation
    return json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False)


def settings_json(settings: Settings, section: str | None = None) -> str:
    """The values in force as JSON (all sections, or one); passwords in MLflow addresses hidden."""
    values = settings.model_dump(mode="json")
    env = values["environment"]
    for key in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI"):
        if env[key] is not None:
            env[key] = redact(env[key])
    if _section(section) is not None:
        values = values[section]
    return json.dumps(values, indent=2, ensure_ascii=False)
