"""Nothing on the page runs: every value of the night, hostile ones too, is text, escaped as
`html.escape` escapes it; the search box's filter is the page's only script."""

from __future__ import annotations

from datetime import date
from html import escape
from html.parser import HTMLParser
from importlib.resources import files

import pandas as pd

from scoring import report
from scoring.outputs import finalize
from scoring.report import render_report
from scoring.timeline import render_timelines

AS_OF = date(2025, 10, 1)
EVIL = '<script>alert("x")</script>\''
ESC = escape(EVIL)  # &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#x27;


class _Page(HTMLParser):
    """Elements, attributes and script bodies of a page, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def _list() -> pd.DataFrame:
    row = {
        "as_of": AS_OF,
        "control_id": EVIL,
        "case_id": EVIL,
        "person_id": EVIL,
        "benefit": "FP",
        "lane": "verifiering",
        "rank": 1,
        "selection": "model",
        "hard_rule_break": True,
        "selection_probability": None,
        "probability": 0.5,
        "expected_wrong_sek": 1200.0,
        "intent_probability": 0.1,
        "score": 0.5,
        "reason_1": EVIL,
        "reason_2": "",
        "reason_3": "",
        "notice": EVIL,
    }
    return finalize(pd.DataFrame([row]))


def _fairness(**extra) -> pd.DataFrame:
    return pd.DataFrame(
        {
            **extra,
            "group": ["sex", EVIL],
            "value": [EVIL, "x"],
            "share_random": [0.5, 0.5],
            "share_random_errors": [0.5, 0.5],
            "share_selected": [0.9, 0.1],
            "equal_burden_ratio": [1.8, 0.2],
            "ci_low": [1.5, 0.1],
            "ci_high": [2.2, 0.4],
            "fails": [True, True],
            "verdict": ["fails", "fails"],
        }
    )


def _page(monkeypatch) -> str:
    # The benefit's name (the lead cell of the per-benefit table) and the verdict are the
    # project's own words; made hostile here to show those slots escape too.
    monkeypatch.setitem(report.BENEFIT_NAMES_SV, "FP", EVIL)
    monkeypatch.setitem(report.VERDICTS_SV, "fails", EVIL)
    lst = _list()
    payments = pd.DataFrame(
        {
            "person_id": [EVIL],
            "case_id": [EVIL],
            "benefit": ["FP"],
            "period_start": [date(2025, 6, 1)],
            "period_end": [date(2025, 6, 30)],
            "extent": [1.0],
            "amount_sek": [9000.0],
        }
    )
    income = pd.DataFrame(
        {"person_id": [EVIL], "month": [date(2025, 6, 1)], "gross_pay_sek": [1.0]}
    )
    marks = pd.DataFrame(
        {"case_id": [EVIL], "start": [date(2025, 6, 1)], "end": [date(2025, 6, 9)], "label": [EVIL]}
    )
    timelines = render_timelines(lst, payments, income, marks, AS_OF)
    return render_report(
        lst,
        as_of=AS_OF,
        model_label=EVIL,
        n_scored=1,
        timelines=timelines,
        fairness=_fairness(),
        fairness_message=EVIL,
        fairness_by_benefit=_fairness(benefit=["FP", "FP"]),
        capacity=pd.DataFrame(
            {
                "benefit": ["FP"],
                "lane": ["verifiering"],
                "capacity": [3],
                "unused": [2],
                "eligible": [1],
                "below_floor": [0],
                "person_taken": [0],
            }
        ),
        value_floor=EVIL,
    )


def test_the_filter_is_the_only_script_and_no_element_has_a_handler(monkeypatch):
    page = _Page()
    page.feed(_page(monkeypatch))
    ours = files("scoring").joinpath("templates/report.js").read_text(encoding="utf-8")
    assert page.tags.count("script") == 1 and page.scripts == ["\n" + ours]
    assert not [name for name, _ in page.attrs if name.startswith("on")]
    assert not {"iframe", "object", "embed", "img", "link"} & set(page.tags)


def test_every_value_is_escaped_in_every_slot(monkeypatch):
    html = _page(monkeypatch)
    assert EVIL not in html and 'alert("x")' not in html
    slots = {
        "model label": f'<p class="meta">Modell: {ESC}. ',
        "model version": f"<th>Modellversion</th><td>{ESC}</td>",
        "value floor": f"når värdegolvet ({ESC}).",
        "benefit in the summary": f"<tr><td>{ESC} (FP)</td>",
        "group": f"<td>{ESC}</td><td>x</td>",
        "group value": f"<td>Kön</td><td>{ESC}</td>",
        "lead (benefit) of a per-benefit row": f'<tr class="fail"><td>{ESC}</td><td>Kön</td>',
        "verdict": f'<td class="num">–</td><td>{ESC}</td></tr>',
        "equal-treatment note": f'<p class="note" id="fairness-note">{ESC}</p>',
        "benefit heading": f"<h2>{ESC} – Kontroll i handläggningen</h2>",
        "control id attribute": f'<section class="case" id="{ESC}" data-search="{ESC.lower()} ',
        "case header": f"<h3>1. {ESC} – ärende {ESC}<span",
        "person": f'<div class="meta">Person {ESC} · {ESC} · ',
        "reason": f"<li>{ESC}</li>",
        "notice": f"<strong>Meddelande till personen</strong><p>{ESC}</p>",
        "timeline label": f'aria-label="Tidslinje för ärende {ESC}"',
        "timeline mark": f"<title>{ESC}: 2025-06-01–2025-06-09</title>",
    }
    missing = [name for name, text in slots.items() if text not in html]
    assert not missing, missing


def test_a_missing_equal_treatment_check_escapes_its_message():
    lst = _list()
    html = render_report(
        lst, as_of=AS_OF, model_label="m", n_scored=1, timelines={}, fairness=None,
        fairness_message=EVIL,
    )  # fmt: skip
    assert f'<p class="note" id="fairness-missing">{ESC}</p>' in html
