"""The feature registry: every feature's family, definition, unit, direction and Swedish reason.

Protected attributes (persons.sex, persons.birth_region) and direct proxies for them
(municipality or country of birth, names, country codes, language) are never features and no
builder reads them; `tests/features/test_registry.py` enforces it by building with those columns
scrambled and by checking the names.
"""

from __future__ import annotations

from types import ModuleType

from features import assistance, history, network, overlap, sgi, work
from features.feature import Feature

# Family modules in registry order; each exports FEATURES and build(ctx).
FAMILY_MODULES: tuple[ModuleType, ...] = (overlap, sgi, work, assistance, network, history)

# Columns no feature may read: the contract's protected attributes and their direct proxies.
NEVER_FEATURES: tuple[str, ...] = ("sex", "birth_region")

REGISTRY: dict[str, Feature] = {f.name: f for m in FAMILY_MODULES for f in m.FEATURES}


def feature_names(model_inputs_only: bool = True) -> list[str]:
    """Feature names in registry order (only model inputs unless asked for all)."""
    return [f.name for f in REGISTRY.values() if f.model_input or not model_inputs_only]


def categorical_features() -> list[str]:
    """Model-input features that are integer codes of categories, not quantities."""
    return [f.name for f in REGISTRY.values() if f.categorical and f.model_input]


def families() -> list[str]:
    """Family names in registry order."""
    return list(dict.fromkeys(f.family for f in REGISTRY.values()))


def doc_table() -> str:
    """A Markdown table of the registry, for the README and the investigators' handbook."""
    lines = [
        "| feature | family | definition | unit | higher is riskier | model input | reason (sv) |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in REGISTRY.values():
        lines.append(
            f"| `{f.name}` | {f.family} | {f.definition} | {f.unit} | "
            f"{'yes' if f.higher_is_riskier else 'no'} | {'yes' if f.model_input else 'no'} | "
            f"{f.reason_sv} |"
        )
    lines.append("")
    lines.append(
        "Never features: " + ", ".join(f"`persons.{c}`" for c in NEVER_FEATURES) + " and direct "
        "proxies for them (municipality or country of birth, names, country codes)."
    )
    return "\n".join(lines)
