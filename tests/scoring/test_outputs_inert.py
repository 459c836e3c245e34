"""Outputs are data, never code: a formula in an id stays text in Excel, CSV and the page."""

from __future__ import annotations

import zipfile
from datetime import date

import pandas as pd
import pytest

from scoring.outputs import FORMULA_PREFIXES, finalize, inert_text, write_csv, write_excel
from scoring.report import render_report

AS_OF = date(2025, 10, 1)
FORMULA = '=HYPERLINK("http://evil.example/x","C1")'


def _list(case_id: str = FORMULA, reason: str = "Skäl: något") -> pd.DataFrame:
    row = {
        "as_of": AS_OF,
        "control_id": "2025-10-01-SJP-0001",
        "case_id": case_id,
        "person_id": "@SUM(1+1)*cmd|' /C calc'!A0",
        "benefit": "SJP",
        "lane": "verifiering",
        "rank": 1,
        "selection": "model",
        "hard_rule_break": False,
        "selection_probability": None,
        "probability": 0.5,
        "expected_wrong_sek": -1200.0,
        "intent_probability": 0.1,
        "score": 0.5,
        "reason_1": reason,
        "reason_2": "+46 70 000 00 00",
        "reason_3": "\tTAB",
    }
    return finalize(pd.DataFrame([row]))


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_every_risky_start_gets_an_apostrophe(prefix):
    assert inert_text(prefix + "1+1") == "'" + prefix + "1+1"
    assert inert_text("C1" + prefix) == "C1" + prefix
    assert inert_text(-3.5) == -3.5  # numbers are numbers, not text


def test_a_formula_id_is_text_in_the_excel_book(tmp_path):
    path = write_excel(_list(), tmp_path / "l.xlsx", as_of=AS_OF, model_label="=1+1")
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        xml = "".join(z.read(n).decode() for n in sheets)
        strings = (
            z.read("xl/sharedStrings.xml").decode()
            if "xl/sharedStrings.xml" in z.namelist()
            else ""
        )
    assert "<f>" not in xml and "<f " not in xml  # no formula element anywhere
    assert "HYPERLINK" in xml + strings  # the text is there, as text
    from openpyxl import load_workbook

    ws = load_workbook(path)["SJP Kontroll i handläggningen"]
    values = [c.value for c in ws[2]]
    assert "'" + FORMULA in values and all(c.data_type != "f" for c in ws[2])
    assert -1200.0 in values  # a negative number stays a number


def test_a_formula_id_is_inert_in_the_csv(tmp_path):
    path = write_csv(_list(), tmp_path / "l.csv")
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ("case_id", "person_id", "reason_2", "reason_3"):
        assert back.loc[0, col].startswith("'"), col
    assert back.loc[0, "case_id"] == "'" + FORMULA
    assert back.loc[0, "expected_wrong_sek"] == "-1200.0"
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        for field in line.split(","):
            assert not field.lstrip('"').startswith(("=", "+", "@")), field


def test_the_page_escapes_every_value():
    lst = _list(case_id='<script>alert("x")</script>', reason="<img src=x onerror=alert(1)>")
    html = render_report(
        lst,
        as_of=AS_OF,
        model_label="<b>m</b>",
        n_scored=1,
        timelines={},
        fairness=None,
    )
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>m</b>" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x" in html
