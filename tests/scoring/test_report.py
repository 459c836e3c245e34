"""report.html without a browser: self-contained, one timeline per case, overlaps marked in red."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd
import pytest

from scoring.timeline import render_timeline

D = date.fromisoformat


@pytest.mark.slow  # needs a published night
def test_page_is_self_contained_and_has_every_case(night):
    result, _, _ = night
    html = (result.folder / "report.html").read_text(encoding="utf-8")
    lst = pd.read_parquet(result.folder / "control_list.parquet")
    external = re.findall(r"""(?:src|href)\s*=\s*["'](?!#|data:)([^"']+)""", html)
    assert external == [] and "<link" not in html and "@import" not in html
    assert html.count('<svg class="timeline"') == len(lst)
    for control_id in lst["control_id"].head(5):
        assert f'id="{control_id}"' in html
    assert "felrisk version 3" in html  # the model version in the summary
    assert 'id="fairness"' in html  # the equal-treatment table, not the "cannot measure" note


def test_overlaps_and_forbidden_pairs_are_marked_on_the_selected_case(tmp_path):
    """The marks are the rule engine's break periods as of D: a reversed payment and one paid on
    D mark nothing, a legitimate 50/50 split marks nothing."""
    from felrisk.datadir import open_data
    from scoring.timeline_data import fetch_timeline_facts, rule_periods
    from tests.world.write import write_world

    def pay(case_id, start, end, extent=1.0, **kw):
        return {
            "case_id": case_id,
            "period_start": start,
            "period_end": end,
            "extent": extent,
            **kw,
        }

    world = write_world(
        tmp_path / "w",
        persons=[{"person_id": "P1"}, {"person_id": "P2"}],
        children=[
            {"child_id": "C1", "parent_id": "P1", "child_birth_date": "2024-01-01"},
            {"child_id": "C2", "parent_id": "P2", "child_birth_date": "2024-01-01"},
        ],
        cases=[
            {"case_id": "S1", "person_id": "P1", "benefit": "SJP"},
            {"case_id": "K1", "person_id": "P1", "benefit": "KAR"},
            {"case_id": "F1", "person_id": "P1", "benefit": "FP", "child_id": "C1"},
            {"case_id": "S2", "person_id": "P2", "benefit": "SJP"},
            {"case_id": "F2", "person_id": "P2", "benefit": "FP", "child_id": "C2"},
        ],
        payments=[
            pay("S1", "2025-09-01", "2025-09-10", amount_sek=9000.0),
            pay("K1", "2025-09-05", "2025-09-05", amount_sek=800.0),
            pay("F1", "2025-09-08", "2025-09-20", 0.5, amount_sek=4000.0),
            pay("F1", "2025-09-02", "2025-09-03", 0.5, amount_sek=400.0, paid_date="2025-09-04"),
            pay("F1", "2025-09-02", "2025-09-03", 0.5, amount_sek=-400.0, paid_date="2025-09-05"),
            pay("K1", "2025-09-09", "2025-09-09", amount_sek=800.0, paid_date="2025-10-01"),
            pay("S2", "2025-09-01", "2025-09-10", 0.5, amount_sek=4000.0),
            pay("F2", "2025-09-01", "2025-09-10", 0.5, amount_sek=4000.0),
        ],
    )
    data = open_data(world)
    facts = fetch_timeline_facts(data, pd.Series(["P1", "P2"]), D("2025-10-01"))
    # the night's periods, computed once for the reasons too, draw the same marks
    periods = rule_periods(data, pd.Series(["P2", "P1", "P1"]), D("2025-10-01"))
    again = fetch_timeline_facts(data, pd.Series(["P1", "P2"]), D("2025-10-01"), periods=periods)
    pd.testing.assert_frame_equal(again.marks, facts.marks)
    marks = facts.marks
    s1 = marks[marks["case_id"] == "S1"].sort_values(["start", "label"]).reset_index(drop=True)
    assert list(zip(s1["start"], s1["end"], strict=True)) == [
        (D("2025-09-05"), D("2025-09-05")),
        (D("2025-09-05"), D("2025-09-05")),
        (D("2025-09-08"), D("2025-09-10")),
    ]
    assert s1["label"][0].startswith("Förmåner som inte får betalas samma dag (sjukpenning och")
    assert "karensavdrag" in s1["label"][0]
    assert s1["label"][1].startswith("Summa omfattning över 100\u00a0%")
    assert "föräldrapenning 50\u00a0%" in s1["label"][2]
    assert set(marks["case_id"]) == {"S1", "K1", "F1"}  # 0.5 + 0.5 is allowed
    income = pd.DataFrame({"month": [D("2025-08-01")], "gross_pay_sek": [30000.0]})
    p1 = facts.payments[facts.payments["person_id"] == "P1"]
    svg = render_timeline("S1", "SJP", D("2025-10-01"), p1, income, s1)
    assert svg.count('class="mark"') == 3 and "Andra ärenden (FP)" in svg
    assert 'class="income"' in svg
    p2 = facts.payments[facts.payments["person_id"] == "P2"]
    plain = render_timeline("S2", "SJP", D("2025-10-01"), p2, income, s1.iloc[:0])
    assert 'class="mark"' not in plain


def test_month_lines_reach_the_bottom_of_each_picture_whatever_its_height():
    """Pictures of one night with one and with two rows of bars: each has its own height, and its
    month lines and ticks end at its own income axis (the grid is drawn once per height)."""
    from scoring.timeline import render_timelines

    def payment(person, case, benefit):
        return (person, case, benefit, D("2025-09-01"), D("2025-09-10"), 1.0, 9000.0)

    columns = ["person_id", "case_id", "benefit", "period_start", "period_end", "extent"]
    payments = pd.DataFrame(
        [payment("P1", "S1", "SJP"), payment("P2", "S2", "SJP"), payment("P2", "F2", "FP")],
        columns=[*columns, "amount_sek"],
    )
    lst = pd.DataFrame({"case_id": ["S1", "S2"], "benefit": "SJP", "person_id": ["P1", "P2"]})
    income = pd.DataFrame(columns=["person_id", "month", "gross_pay_sek"])
    marks = pd.DataFrame(columns=["case_id", "start", "end", "label"])
    svgs = render_timelines(lst, payments, income, marks, D("2025-10-01"))
    heights = {}
    for case, svg in svgs.items():
        height = int(re.search(r'<svg [^>]*height="(\d+)"', svg).group(1))
        heights[case] = height
        ends = set(re.findall(r'<line [^>]*y2="(\d+)" class="grid"/>', svg))
        ticks = set(re.findall(r'<text [^>]*y="(\d+)" class="tick">', svg))
        assert ends == {str(height - 16)} and ticks == {str(height - 4)}
        assert svg.count('class="grid"') == 12  # October 2024 to September 2025
    assert heights["S2"] == heights["S1"] + 22  # one more row of bars


def test_equal_treatment_table_speaks_swedish_and_marks_what_cannot_be_assessed():
    from scoring.report import fairness_table

    fair = pd.DataFrame(
        {
            "group": ["sex", "birth_region", "birth_region", "age_band"],
            "value": ["F", "NORDIC", "missing", "<30"],
            "share_random": [0.575, 0.03, 0.022, 0.1],
            "share_random_errors": [0.539, 0.027, 0.0, 0.12],
            "share_selected": [0.587, 0.08, 0.041, 0.1],
            "equal_burden_ratio": [1.09, 2.9, float("nan"), 0.83],
            "ci_low": [0.90, 1.4, float("nan"), 0.7],
            "ci_high": [1.28, 4.5, float("nan"), 0.95],
            "fails": [False, True, False, False],
            "verdict": ["inconclusive", "fails", "too few random errors", "within band"],
            "detectable_ratio": [1.31, 2.2, float("inf"), 1.7],
        }
    )
    html = fairness_table(fair)
    rows = re.findall(r'<tr class="(\w+)">(.*?)</tr>', html)
    cells = [(cls, re.findall(r"<td[^>]*>(.*?)</td>", body)) for cls, body in rows]
    assert cells[0] == (
        "na",
        [
            "Kön",
            "Kvinna",
            "57,5\u00a0%",
            "53,9\u00a0%",
            "58,7\u00a0%",
            "1,09",
            "0,90–1,28",
            "1,31",
            "Osäkert (intervallet når utanför bandet)",
        ],
    )
    assert cells[2][1][-2] == "–"  # no random errors: no power line
    assert "Minsta skillnad som syns" in html and 'id="power-note"' in html
    assert cells[1][0] == "fail" and cells[1][1][:2] == ["Födelseregion", "Norden utom Sverige"]
    assert cells[1][1][-1] == "Utanför bandet"
    assert cells[2][0] == "na" and cells[2][1][1] == "Uppgift saknas"
    assert cells[2][1][-1].startswith("Kan inte bedömas")
    assert cells[3][0] == "ok" and cells[3][1][:2] == ["Åldersgrupp", "under 30 år"]
    assert cells[3][1][-1] == "Inom bandet"
    assert not re.search(r"\b(sex|birth_region|age_band|missing)\b", html)


def test_age_bands_read_youngest_first():
    from scoring.report import fairness_table

    fair = pd.DataFrame(
        {
            "group": ["sex", "age_band", "age_band", "age_band"],
            "value": ["F", "30-39", "65+", "<30"],
            "share_random": 0.3,
            "share_random_errors": 0.3,
            "share_selected": 0.3,
            "equal_burden_ratio": 1.0,
            "ci_low": 0.9,
            "ci_high": 1.1,
            "fails": False,
            "verdict": "within band",
        }
    )
    values = re.findall(r"<tr class=\"\w+\"><td>[^<]*</td><td>([^<]*)</td>", fairness_table(fair))
    assert values == ["Kvinna", "under 30 år", "30–39 år", "65 år och äldre"]


def test_case_header_writes_numbers_the_swedish_way():
    from types import SimpleNamespace

    from scoring.report import case_section

    row = SimpleNamespace(
        control_id="K-1", case_id="C1", person_id="P1", benefit="SJP", rank=1,
        selection="model", lane="payment_control", probability=0.7234,
        expected_wrong_sek=12345.0, hard_rule_break=False,
        reason_1="Skäl ett.", reason_2=None, reason_3=None,
    )  # fmt: skip
    html = case_section(row, svg="")
    assert "sannolikhet för fel 0,72 ·" in html
    assert "12\u00a0345\u00a0kr" in html
    missing = case_section(SimpleNamespace(**{**vars(row), "probability": float("nan")}), svg="")
    assert "sannolikhet för fel – ·" in missing


def test_equal_treatment_within_benefits_names_the_benefit_and_marks_failures():
    from scoring.report import fairness_by_benefit_table

    fair = pd.DataFrame(
        {
            "benefit": ["FP", "FP"], "group": ["sex", "sex"], "value": ["F", "M"],
            "share_random": [0.5, 0.5], "share_random_errors": [0.5, 0.5],
            "share_selected": [0.9, 0.1], "equal_burden_ratio": [1.8, 0.2],
            "ci_low": [1.5, 0.1], "ci_high": [2.2, 0.4], "fails": [True, True],
            "verdict": ["fails", "fails"],
        }
    )  # fmt: skip
    html = fairness_by_benefit_table(fair)
    assert html.count('<tr class="fail"><td>Föräldrapenning</td><td>Kön</td>') == 2
    assert "1,80" in html and "1,50–2,20" in html
    assert 'id="fairness-benefit-missing"' in fairness_by_benefit_table(fair.iloc[0:0])
    # an interval without an upper bound (a resample with no random error of the group)
    unbounded = fairness_by_benefit_table(fair.assign(ci_high=[float("inf"), 0.4]))
    assert "1,50–∞" in unbounded


def test_summary_shows_capacity_unused_slots_and_why_in_swedish():
    from scoring.report import summary_table, value_floor_sv
    from scoring.selection import capacity_use, eligible_cases, select_controls
    from tests.scoring.conftest import make_config, make_scored

    scored = make_scored(n=40, benefits=("SJP", "TFP")).assign(intent_probability=0.0)
    scored["probability"] = np.where(scored.index < 3, 0.4, 0.01)
    cfg = make_config(min_probability=0.05, exploration_share=0.0)
    lst = select_controls(scored, cfg, as_of=D("2025-10-01"))
    use = capacity_use(lst, cfg, eligible_cases(scored, cfg))
    html = summary_table(lst, use)
    assert "<th>Kapacitet</th><th>Outnyttjad kapacitet</th><th>Varför</th>" in html
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", html)
    # every list with capacity has a row, the empty investigation list too (TFP has none)
    assert len(rows) == 3 and rows[1].startswith("Sjukpenning (SJP)</td><td>Kontrollutredning")
    sjp = use[(use["benefit"] == "SJP") & (use["lane"] == "verifiering")].iloc[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", f"<td>{rows[0]}</td>")
    assert cells[-3:] == [
        "10",
        str(sjp.unused),
        f"Inga fler valbara ärenden över värdegolvet ({sjp.eligible} valbara i spåret: "
        f"{sjp.below_floor} under golvet)",
    ]
    # a list with no eligible case at all says so; one whose persons are taken says that too
    empty = summary_table(lst, use.assign(eligible=0))
    assert "Inga valbara ärenden i spåret i natt" in empty
    taken = summary_table(lst, use.assign(person_taken=2))
    assert "under golvet, 2 där personen redan är vald i natt)" in taken
    assert sjp.unused > 0 and 'class="num unused"' in html
    # without the eligible cases the reason stands without its counts
    bare = summary_table(lst, capacity_use(lst, cfg))
    assert "Inga fler valbara ärenden över värdegolvet</td>" in bare
    # without capacity the table is as before: lists with picks only, no capacity columns
    assert "Kapacitet" not in summary_table(lst)
    assert value_floor_sv(cfg).startswith("sannolikhet för fel minst 5,0\u00a0% och förväntat")


def test_timeline_income_is_each_employers_latest_report_of_the_month(tmp_path):
    """A correction repeats the month's whole pay: the picture shows it instead of the report it
    corrects (as the features count pay), summed over employers; a report on D is not yet known."""
    from felrisk.datadir import open_data
    from scoring.timeline_data import fetch_timeline_facts
    from tests.world.write import write_world

    def report(employer, pay, reported):
        return {
            "person_id": "P1",
            "employer_id": employer,
            "month": "2025-08-01",
            "gross_pay_sek": pay,
            "reported_date": reported,
        }

    world = write_world(
        tmp_path / "w",
        persons=[{"person_id": "P1"}],
        employers=[{"employer_id": "E1"}, {"employer_id": "E2"}],
        cases=[{"case_id": "S1", "person_id": "P1", "benefit": "SJP"}],
        payments=[{"case_id": "S1", "period_start": "2025-09-01", "period_end": "2025-09-05"}],
        income_reports=[
            report("E1", 30000.0, "2025-09-12"),
            report("E1", 32000.0, "2025-09-20"),  # corrects the one above
            report("E1", 90000.0, "2025-10-01"),  # on D: not yet known
            report("E2", 1000.0, "2025-09-12"),
        ],
    )
    facts = fetch_timeline_facts(open_data(world), pd.Series(["P1"]), D("2025-10-01"))
    assert facts.income["gross_pay_sek"].tolist() == [33000.0]


def test_timeline_facts_come_in_one_order_whatever_order_the_tables_hold(tmp_path):
    """Payments in payment_id order, income by person and month, marks sorted: a parallel scan
    returns rows in any order, and the page (whose hash the manifest pins) must not vary."""
    from felrisk.datadir import open_data
    from scoring.timeline_data import fetch_timeline_facts
    from tests.world.write import write_world

    months = ["2025-09-01", "2025-07-01", "2025-08-01"]
    world = write_world(
        tmp_path / "w",
        persons=[{"person_id": "P1"}],
        cases=[{"case_id": "S1", "person_id": "P1", "benefit": "SJP"}],
        payments=[
            {"payment_id": f"U{9 - i}", "case_id": "S1", "period_start": d, "period_end": d}
            for i, d in enumerate(["2025-09-03", "2025-09-01", "2025-09-02"])
        ],
        income_reports=[
            {"person_id": "P1", "month": m, "gross_pay_sek": 100.0 * (i + 1), "reported_date": m}
            for i, m in enumerate(months)
        ],
    )
    facts = fetch_timeline_facts(open_data(world), pd.Series(["P1"]), D("2025-10-01"))
    assert [str(d) for d in facts.payments["period_start"]] == [
        "2025-09-02",
        "2025-09-01",
        "2025-09-03",
    ]  # U7, U8, U9
    assert [str(m) for m in facts.income["month"]] == sorted(months)
