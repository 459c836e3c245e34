"""The model card: every section, figures with intervals, tables as Markdown, and the fallbacks
when a part has nothing to show."""

from __future__ import annotations

import pandas as pd

from felrisk.bootstrap import Estimate
from training.card import model_card
from training.evaluate import Evaluation
from training.gate import GateDecision


def _comparison(models: list[str], **extra) -> pd.DataFrame:
    rows = []
    for i, m in enumerate(models):
        row = {"model": m, "k": 10, **extra}
        for key, v in {
            "hit_rate": 0.1 * (i + 1),
            "wrong_sek": 12_000.0,
            "lift": 1.5,
            "pr_auc": 0.3,
            "roc_auc": 0.7,
            "brier": 0.05,
        }.items():
            row |= {key: v, f"{key}_low": v / 2, f"{key}_high": v * 1.5}
        rows.append(row)
    return pd.DataFrame(rows)


def _card(**change) -> str:
    ev = Evaluation(
        k=10,
        n_random=120,
        base_rate=Estimate(0.04, 0.02, 0.06),
        comparison=_comparison(["rules", "hybrid"]),
        per_benefit=_comparison(["hybrid"], benefit="SJP"),
        population=pd.DataFrame({"model": ["hybrid"], "ipw_rate": [0.25]}),
        stream_rate=Estimate(0.125, 0.1, 0.15),
        paired=pd.DataFrame({"model": ["hybrid"], "baseline": ["rules"], "gain": [0.1]}),
    )
    args = {
        "name": "felrisk",
        "version": 3,
        "ev": ev,
        "split": {"t1": "2024-12-31", "t2": "2025-03-31", "end": "2025-12-31"},
        "counts": {"train": 900, "validate": 40, "test": 120},
        "snapshot": {"persons": {"rows": 30000, "sha256": "06d158c974b1ada2ffff"}},
        "feature_names": ["a", "b"],
        "feature_version": "e6e9",
        "audit_summary": pd.DataFrame({"group": ["sex"], "value": ["F"], "fails": [False]}),
        "proxy_top": pd.DataFrame({"feature": ["a"], "auc": [0.51234]}),
        "decision": GateDecision(promote=True, reasons=["no group outside the band"]),
        "rolling": pd.DataFrame(),
        "oracle": None,
        "seed": 7,
        "band": (0.8, 1.25),
    }
    return model_card(**(args | change))


def test_card_has_every_section_with_figures_and_markdown_tables():
    card = _card()
    assert card.startswith("# Model card: felrisk version 3\n\n## Intended use\n")
    assert card.endswith("the audit on every list.\n")
    assert "T1 = 2024-12-31, T2 = 2025-03-31, data end = 2025-12-31." in card
    assert "Rows: {'train': 900, 'validate': 40, 'test': 120}.\nSeed 7." in card
    assert "Feature list version `e6e9` (2 features)." in card
    assert (
        "| table | rows | sha256 |\n|---|---|---|\n| persons | 30,000 | `06d158c974b1ada2` |\n"
        in card
    )
    assert "stream: 12.5% [10.0%,\n15.0%]" in card and "probability: 4.0% [2.0%,\n6.0%]" in card
    head = "| model | k | hit rate at k | wrong SEK at k | lift | PR-AUC | ROC-AUC | Brier |"
    assert (
        f"{head}\n|---|---|---|---|---|---|---|---|\n| rules | 10 | 10.0% [5.0%, 15.0%] |" in card
    )
    assert "| hybrid | 10 | 20.0% [10.0%, 30.0%] | 12k [6k, 18k] | 1.50 [0.75, 2.25] |" in card
    assert "### Per benefit\n| benefit | model | k |" in card and "| SJP | hybrid | 10 |" in card
    assert "| model | baseline | gain |\n|---|---|---|\n| hybrid | rules | 0.100 |\n" in card
    assert "| feature | auc |\n|---|---|\n| a | 0.512 |\n" in card
    assert "outside 0.8-1.25).\nGate: **champion: no group outside the band**\n" in card


def test_card_says_what_is_missing():
    card = _card(version=None, ev=_card_ev_without_intent())
    assert card.startswith("# Model card: felrisk version (not registered)\n")
    assert "### Rolling (prequential) evaluation\n(none)\n" in card
    assert "(no intent model, or no intent case in the test stream)" in card
    assert "### Honest against oracle\nNo ground truth in this data directory" in card
    assert "\n## Backtest of the list\n(not run: promotion by hit rate at k)\n\n## Limits\n" in card


def test_card_shows_the_oracle_and_the_backtest_when_given():
    oracle = pd.DataFrame({"model": ["hybrid"], "oracle_hit_rate": [0.3]})
    card = _card(oracle=oracle, backtest_md="## Backtest of the list\nnight by night\n")
    assert (
        "outcomes.\n\n| model | oracle_hit_rate |\n|---|---|\n| hybrid | 0.300 |\n\n## Equal"
        in card
    )
    assert "\n## Backtest of the list\nnight by night\n\n## Limits\n" in card
    assert "(not run" not in card
    assert "\n(none)\n\n## Equal" in _card(oracle=pd.DataFrame())  # synthetic, nothing measured


def _card_ev_without_intent() -> Evaluation:
    return Evaluation(
        k=10,
        n_random=120,
        base_rate=Estimate(0.04, 0.02, 0.06),
        comparison=_comparison(["rules"]),
        per_benefit=pd.DataFrame(),
        population=pd.DataFrame(),
        stream_rate=Estimate(0.125, 0.1, 0.15),
    )
