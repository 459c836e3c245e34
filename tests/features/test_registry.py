"""The registry documents every feature the build writes, and pins the five fixed definitions."""

from __future__ import annotations

from pathlib import Path

from features.registry import (
    REGISTRY,
    categorical_features,
    doc_table,
    families,
    feature_names,
    legal_grounds_doc,
)

# Read by other tools: names and definitions exactly as the feature issue states them.
FIXED = {
    "overlap_excess_days": "days in the window that this case paid for and on which the person's "
    "paid extents over SJP, KAR, FP, TFP, AKS, SE and AE add up to more than 1.0.",
    "overlap_forbidden_days": "days in the window that this case paid for and on which the person "
    "was also paid a benefit that rule 2 of the contract forbids beside this one.",
    "tfp_in_sickpay_period_days": "for TFP cases, days paid inside days 1-14 from "
    "insured_event_date of an SJP case of the same person with employment_type `employee`; 0 for "
    "other benefits.",
    "sgi_hours_days_mixup": "1 when the person's latest SGI decision known by D-1 has "
    "annual_sgi_sek >= 100,000 and annual_work_hours <= 365, else 0.",
    "assistant_days_over_24h": "for ASS cases, days in the window on which an assistant who billed "
    "this case reported more than 24 hours in total across all clients.",
}


def test_fixed_names_and_definitions():
    for name, definition in FIXED.items():
        assert REGISTRY[name].definition == definition


def test_every_entry_is_documented():
    assert families() == ["overlap", "sgi", "work", "assistance", "network", "history"]
    for name, f in REGISTRY.items():
        assert f.name == name and name.isidentifier()
        assert f.definition and "\n" not in f.definition
        assert f.unit and f.family in families()
        text = f.reason_sv.format(value="7")
        assert text and "{" not in text
        assert f.dtype in ("int64", "float64")


def test_feature_lists(hand_features):
    assert feature_names() == [n for n, f in REGISTRY.items() if f.model_input]
    assert categorical_features() == ["benefit_code"]
    assert list(hand_features.columns) == ["as_of", "person_id", "benefit", *feature_names(False)]
    table = doc_table()
    assert all(f"`{n}`" in table for n in REGISTRY)


def test_docs_list_the_registry_as_it_is():
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "features.md"
    assert doc_table() in doc.read_text(encoding="utf-8"), (
        "docs/features.md is out of date: regenerate it with `python -m features.registry`"
    )


def test_legal_grounds_doc_lists_every_rule_and_reason_as_the_registry_has_it():
    doc = Path(__file__).resolve().parents[2] / "docs" / "legal_grounds.md"
    assert doc.read_text(encoding="utf-8") == legal_grounds_doc(), (
        "docs/legal_grounds.md is out of date: regenerate it with `python -m features.registry`"
    )
    text = legal_grounds_doc()
    for number in "1234567":
        assert f"\n| {number} | " in text
    for f in REGISTRY.values():
        if f.is_reason:
            assert f"| `{f.name}` | {f.reason_sv} | {f.legal_ground or 'open'} |" in text
        else:
            assert f"| `{f.name}` | {f.not_reason_why} |" in text


def test_a_reason_names_a_provision_or_none_and_a_silent_feature_says_why():
    for f in REGISTRY.values():
        assert f.legal_ground == "" or " kap. " in f.legal_ground and "§" in f.legal_ground
        assert f.is_reason != bool(f.not_reason_why), f.name
    # the network family rests on other persons' data: it scores, never tells
    assert not any(f.is_reason for f in REGISTRY.values() if f.family == "network")
    assert not REGISTRY["amount_in_window_sek"].is_reason
