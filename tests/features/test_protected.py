"""Protected attributes (sex, birth_region) are never read: scrambled or dropped, nothing changes."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from features.build import build_features
from features.registry import REGISTRY, feature_names
from felrisk.contract import PROTECTED_COLUMNS
from felrisk.datadir import open_data
from tests.features import scenarios
from tests.features.conftest import run, spine_of

pytestmark = pytest.mark.slow  # feature builds with scrambled attributes

# Words that would name a protected attribute or a direct proxy for one.
PROXY_WORDS = (
    "sex",
    "gender",
    "kon",
    "birth_region",
    "region",
    "country",
    "born",
    "origin",
    "municipality",
    "language",
    "name",
    "citizen",
)


def _build(data) -> pd.DataFrame:
    spine = spine_of([c["case_id"] for c in scenarios.CASES], scenarios.AS_OF)
    return run(data, build_features(data, spine)).set_index("case_id")


def test_registry_never_names_a_protected_attribute():
    for name, f in REGISTRY.items():
        text = f"{name} {f.definition}".lower()
        assert not any(w in name.lower() for w in PROXY_WORDS), name
        assert "birth_region" not in text and " sex" not in text, name
    assert set(feature_names()) <= set(REGISTRY)


def test_scrambled_protected_attributes_change_no_feature(hand_world, hand_features):
    base = hand_features
    data = open_data(hand_world)
    p = data["persons"]
    # every person gets the other sex and a different region
    data.tables["persons"] = p.mutate(
        sex=(p.sex == "F").ifelse("M", "F"),
        birth_region=p.birth_region.fill_null("SE").substitute(
            {"SE": "OTHER", "NORDIC": "EU", "EU": "NORDIC", "OTHER": ibis.null("string")}
        ),
    )
    pd.testing.assert_frame_equal(_build(data), base)


def test_no_builder_reads_protected_columns(hand_world, hand_features):
    """With the columns gone from persons, the build still compiles and gives the same table."""
    base = hand_features
    data = open_data(hand_world)
    data.tables["persons"] = data["persons"].drop(*PROTECTED_COLUMNS)
    pd.testing.assert_frame_equal(_build(data), base)
