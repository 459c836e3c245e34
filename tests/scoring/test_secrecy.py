"""Secrecy: nothing shown for one person's case discloses another person's data.

The hand-built world of tests/features plants other persons' data next to the cases: a household
member's confirmed error (H2 beside H1), colleagues' benefits, SGI decisions and a confirmed error
at a new employer (N2, N3 beside N1), the other parent's TFP for the same child (BB beside BA),
assistants (AS1, AS2) who work for other clients and a provider's other case with an error. Every
case is put on one list, with every feature as a candidate reason, and told the way the nightly
job tells it: the real facts, the registry's reasons, the notice, the CSV, the Excel book and the
page with its timelines. No text of a case may name another person, another person's case or an
assistant, nor state a network feature's fact.
"""

from __future__ import annotations

import re
from datetime import date

import ibis
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from features.build import build_features
from features.facts import explain
from features.registry import REGISTRY
from felrisk.datadir import open_data
from scoring.config import load_selection_config
from scoring.notice import notices
from scoring.outputs import finalize, write_csv, write_excel
from scoring.reasons import attach_reasons, frame_reasons, reason_candidates
from scoring.report import render_report
from scoring.timeline import render_timelines
from scoring.timeline_data import fetch_timeline_facts
from tests.features import scenarios
from tests.world.write import write_world

pytestmark = pytest.mark.slow  # builds and scores a planted world

AS_OF = scenarios.AS_OF
TELLABLE = frozenset(n for n, f in REGISTRY.items() if f.is_reason)
# Words of the facts that only other persons' data can state.
OTHERS_FACTS = (
    "hushåll",
    "arbetsgivarens anställda",
    "bekräftade fel",
    "bekräftat fel",
    "hel sjukpenning",
    "andra förälderns",
    "nyanställda",
)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("secrecy")
    data = open_data(write_world(root / "world", **scenarios.TABLES))
    cases = pd.DataFrame(scenarios.TABLES["cases"])[["case_id", "person_id", "benefit"]]
    spine = ibis.memtable(
        cases[["case_id"]].assign(as_of=AS_OF), schema={"case_id": "string", "as_of": "date"}
    )
    feats = data.con.execute(build_features(data, spine))
    feats = cases.merge(feats.drop(columns=["person_id", "benefit"], errors="ignore"), on="case_id")
    n = len(feats)
    lst = feats[["case_id", "person_id", "benefit"]].assign(
        as_of=AS_OF,
        rank=np.arange(1, n + 1),
        control_id=[f"K-{i:03d}" for i in range(n)],
        lane="verifiering",
        selection=["exploration" if i % 7 == 0 else "model" for i in range(n)],
        selection_probability=0.05,
        hard_rule_break=False,
        probability=0.3,
        expected_wrong_sek=np.nan,
        intent_probability=0.9,
        score=0.3,
    )
    # every feature a candidate: a network feature would win if it could be told at all
    names = [f for f in REGISTRY if f in feats.columns]
    contrib = pd.DataFrame(
        {f: (10.0 if REGISTRY[f].family == "network" else 1.0) for f in names}, index=lst.index
    )
    config = load_selection_config()
    contrib = reason_candidates(contrib, feats[names], config, TELLABLE)
    told = attach_reasons(lst, contrib, lambda items: explain(data, items), k=3)
    told = frame_reasons(told)
    told["notice"] = notices(told, config.notice)
    final = finalize(told)
    facts = fetch_timeline_facts(data, final["person_id"], AS_OF)
    timelines = render_timelines(final, facts.payments, facts.income, facts.marks, AS_OF)
    html = render_report(
        final,
        as_of=AS_OF,
        model_label="felrisk version 1",
        n_scored=n,
        timelines=timelines,
        fairness=None,
    )
    write_csv(final, root / "list.csv")
    write_excel(final, root / "list.xlsx", as_of=date(2025, 6, 1), model_label="m")
    return data, final, html, root


def _others(final: pd.DataFrame) -> dict[str, set[str]]:
    """Per case: the ids of every other person, their cases and the assistants."""
    cases = pd.DataFrame(scenarios.TABLES["cases"])
    persons = {p["person_id"] for p in scenarios.TABLES["persons"]}
    assistants = {w["assistant_id"] for w in scenarios.TABLES["work_time_reports"]}
    out = {}
    for r in final.itertuples():
        theirs = set(cases.loc[cases["person_id"] != r.person_id, "case_id"])
        out[r.case_id] = ((persons | assistants) - {r.person_id}) | theirs
    return out


def _named(text: str, ids: set[str]) -> set[str]:
    return {i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)}


def test_the_planted_data_is_there_to_be_told(night):
    """The trap is armed: the network features of H1, N1 and AC1 are set."""
    data, final, _, _ = night
    assert {"H1_S", "N1_S", "AC1", "BA_T"} <= set(final["case_id"])
    assert final["reason_features"].str.len().gt(0).any()


def test_no_reason_or_notice_names_another_person_or_their_facts(night):
    _, final, _, _ = night
    others = _others(final)
    for r in final.itertuples():
        text = " ".join([r.reason_1, r.reason_2, r.reason_3, r.notice])
        assert not _named(text, others[r.case_id]), (r.case_id, text)
        assert not any(w in text for w in OTHERS_FACTS), (r.case_id, text)
        assert set(filter(None, r.reason_features.split(";"))) <= TELLABLE, r.case_id


def test_no_cell_of_the_csv_or_excel_row_names_another_person(night):
    _, final, _, root = night
    others = _others(final)
    csv = pd.read_csv(root / "list.csv", dtype=str, keep_default_na=False)
    for row in csv.itertuples(index=False):
        text = " ".join(map(str, row))
        assert not _named(text, others[row.case_id]), row.case_id
        assert not any(w in text for w in OTHERS_FACTS), row.case_id
    book = load_workbook(root / "list.xlsx")
    for ws in book.worksheets[1:]:
        head = [c.value for c in ws[1]]
        for cells in ws.iter_rows(min_row=2, values_only=True):
            case_id = cells[head.index("Ärende")]
            text = " ".join(str(c) for c in cells if c is not None)
            assert not _named(text, others[case_id]), case_id


def test_no_case_on_the_page_names_another_person(night):
    _, final, html, _ = night
    others = _others(final)
    sections = re.findall(r'<section class="case" id="([^"]+)".*?</section>', html, re.S)
    assert len(sections) == len(final)
    for r in final.itertuples():
        m = re.search(rf'<section class="case" id="{r.control_id}".*?</section>', html, re.S)
        text = re.sub(r"<[^>]+>", " ", m.group(0))
        assert not _named(text, others[r.case_id]), (r.case_id, _named(text, others[r.case_id]))
        assert not any(w in text for w in OTHERS_FACTS), r.case_id
    # the page shows no intent figure and no wording of suspected crime
    lowered = html.lower()
    assert "avsikt" not in lowered and "misstänk" not in lowered and "brott" not in lowered
