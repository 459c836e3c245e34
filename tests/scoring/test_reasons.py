"""Reasons for selected cases: top positive contributions, forced hard-rule reasons, Swedish text."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from scoring.reasons import (
    NO_SINGLE_FACT_SV,
    attach_reasons,
    frame_reasons,
    notable,
    template_reasons,
    top_contributions,
)

AS_OF = date(2025, 10, 1)


def _list(ids):
    return pd.DataFrame({"case_id": ids, "as_of": AS_OF})


def test_top_three_positive_contributions_in_order():
    contrib = pd.DataFrame(
        {"a": [0.5, -1.0], "b": [2.0, -0.5], "c": [0.1, 0.3], "d": [1.0, 0.0], "bias": [9, 9]}
    )
    top = top_contributions(contrib, pd.Series(["X", "Y"]), 3)
    assert top[top["case_id"] == "X"]["feature"].tolist() == ["b", "d", "a"]
    assert top[top["case_id"] == "Y"]["feature"].tolist() == ["c"]  # only what pushed it up


def test_forced_rule_reason_comes_first_and_explain_words_the_rest():
    lst = _list(["X", "Y"])
    contrib = pd.DataFrame({"a": [0.5, 0.2], "b": [2.0, 0.1], "rule_days": [0.0, 0.0]})
    forced = pd.DataFrame({"case_id": ["X"], "feature": ["rule_days"]})
    seen = []

    def explain(items):
        seen.append(items)
        return items.assign(reason_sv="Fakta om " + items["feature"])

    out = attach_reasons(lst, contrib, explain, k=2, forced=forced)
    x, y = out.set_index("case_id").loc["X"], out.set_index("case_id").loc["Y"]
    assert (x["reason_1"], x["reason_2"], x["reason_3"]) == ("Fakta om rule_days", "Fakta om b", "")
    assert x["reason_features"] == "rule_days;b" and y["reason_features"] == "a;b"
    assert set(seen[0].columns) == {"case_id", "as_of", "feature"}
    assert (seen[0]["as_of"] == AS_OF).all()


def test_registry_templates_fill_what_explain_leaves_empty():
    lst = _list(["X", "Y"])
    contrib = pd.DataFrame({"days": [3.0, 1.0], "amount": [1.0, 2.0]})
    values = pd.DataFrame(
        {"days": [4, 0], "amount": [12345.678, 0.25]}, index=pd.Index(["X", "Y"], name="case_id")
    )
    templates = {"days": "{value} dagar överlappar.", "amount": "Belopp {value} kr."}
    out = attach_reasons(
        lst,
        contrib,
        lambda items: items.assign(reason_sv=np.where(items["case_id"] == "X", "", "från fakta")),
        k=3,
        fallback=lambda items: template_reasons(items, values, templates),
    )
    x = out.set_index("case_id").loc["X"]
    assert x["reason_1"] == "4 dagar överlappar."
    assert x["reason_2"] == "Belopp 12\u00a0346\u00a0kr."
    assert out.set_index("case_id").loc["Y", "reason_1"] == "från fakta"
    small = template_reasons(
        pd.DataFrame({"case_id": ["Y", "Y"], "feature": ["amount", "unknown"]}), values, templates
    )
    assert small.tolist() == ["Belopp 0,25\u00a0kr.", ""]


def test_only_known_values_beyond_their_threshold_are_notable():
    values = pd.DataFrame(
        {
            "days": [0, 3, np.nan],  # a count: notable above 0
            "ratio": [0.96, 1.8, np.nan],  # notable above 1.5
            "employer_age": [90, 5000, np.nan],  # notable below 365
        }
    )
    got = notable(values, above={"ratio": 1.5}, below={"employer_age": 365})
    assert got.to_dict("list") == {
        "days": [False, True, False],
        "ratio": [False, True, False],
        "employer_age": [True, False, False],
    }


def test_exploration_picks_say_they_are_random_and_silent_model_picks_say_so():
    lst = pd.DataFrame(
        {
            "case_id": ["R", "M", "Q"],
            "selection": ["exploration", "model", "model"],
            "selection_probability": [0.0249, np.nan, np.nan],
            "reason_1": ["fakta 1", "", "skäl"],
            "reason_2": ["fakta 2", "", ""],
            "reason_3": ["fakta 3", "", ""],
        }
    )
    out = frame_reasons(lst).set_index("case_id")
    assert out.loc["R", "reason_1"].startswith("Slumpmässigt urval")
    assert "2,5\u00a0%" in out.loc["R", "reason_1"]
    assert (out.loc["R", "reason_2"], out.loc["R", "reason_3"]) == ("fakta 1", "fakta 2")
    assert out.loc["M", "reason_1"] == NO_SINGLE_FACT_SV
    assert out.loc["Q", "reason_1"] == "skäl"  # a model pick with a reason keeps it


def test_a_fact_said_twice_is_said_once():
    lst = _list(["X"])
    contrib = pd.DataFrame({"a": [3.0], "b": [2.0], "c": [1.0], "d": [0.5]})
    told = {
        "a": "SGI-beslut 2025-11-01: årlig SGI 191 000 kr.",
        "b": "SGI-beslut 2025-11-01: årlig SGI 191 000 kr: dagar angivna som timmar.",
        "c": "Personen har två barn.",
        "d": "Personen har två barn.",
    }
    out = attach_reasons(
        lst, contrib, lambda items: items.assign(reason_sv=items["feature"].map(told)), k=4
    )
    x = out.iloc[0]
    assert (x["reason_1"], x["reason_2"]) == (told["b"], told["c"])
    assert x["reason_3"] == "" and x["reason_features"] == "b;c"
