"""The one rule engine: its break periods, the overlap features, the reasons and the timeline's red
marks agree with hand-built answers on the same small world, reversals and late rows included."""

from __future__ import annotations

import copy
from datetime import date, timedelta

import ibis
import pandas as pd
import pytest

from features import breaks
from features.build import build_context, build_features
from features.facts import explain, rule_break_periods, rule_marks
from features.overlap import RULE_FEATURES
from felrisk.datadir import open_data
from tests.features.conftest import run, spine_of
from tests.world.write import write_world

pytestmark = pytest.mark.slow  # feature builds on DuckDB, several worlds

D = date(2025, 10, 1)


def _case(case_id, person, benefit, **kw):
    return {"case_id": case_id, "person_id": person, "benefit": benefit, **kw}


def _pay(case_id, start, end, extent=1.0, **kw):
    return {"case_id": case_id, "period_start": start, "period_end": end, "extent": extent, **kw}


WORLD = {
    "persons": [
        {"person_id": "P1"},
        {"person_id": "P2"},
        {"person_id": "P3"},
        {"person_id": "P4", "insured_from": "2025-09-10"},
    ],
    "children": [
        {"child_id": "C1", "parent_id": "P1", "child_birth_date": "2024-01-01"},
        {"child_id": "C2", "parent_id": "P2", "child_birth_date": "2020-01-01"},
        {"child_id": "C2", "parent_id": "P3", "child_birth_date": "2020-01-01"},
    ],
    "cases": [
        _case("S1", "P1", "SJP", employment_type="self_employed"),
        _case("K1", "P1", "KAR"),
        _case("F1", "P1", "FP", child_id="C1"),
        _case("A1", "P1", "AKS"),
        _case("S2", "P2", "SJP", employment_type="employee", opened_date="2025-08-01"),
        _case("T2", "P2", "TFP", child_id="C2"),
        _case("T3", "P3", "TFP", child_id="C2"),
        _case("S4", "P4", "SJP", employment_type="self_employed"),
    ],
    "payments": [
        # two consecutive SJP payments: one period where FP overlaps both
        _pay("S1", "2025-09-01", "2025-09-10"),
        _pay("S1", "2025-09-11", "2025-09-14"),
        _pay("K1", "2025-09-05", "2025-09-05", amount_sek=800.0),
        _pay("F1", "2025-09-08", "2025-09-20", 0.5),
        # FP beside full SJP, reversed before D: no excess, no mark, no reason
        _pay("F1", "2025-09-02", "2025-09-03", 0.5, paid_date="2025-09-04", payment_id="FR"),
        _pay(
            "F1",
            "2025-09-02",
            "2025-09-03",
            0.5,
            amount_sek=-1000.0,
            paid_date="2025-09-06",
            payment_id="FR_R",
        ),  # fmt: skip
        # AKS beside SJP (rule 2), but paid on D: not known yet
        _pay("A1", "2025-09-01", "2025-09-02", paid_date=D.isoformat()),
        # TFP in the sick-pay period of S2 (insured event 2025-08-01), and to both parents
        _pay("T2", "2025-07-30", "2025-08-03"),
        _pay("T3", "2025-08-02", "2025-08-05"),
        # SJP before insured_from
        _pay("S4", "2025-09-01", "2025-09-20"),
    ],
}
CASE_IDS = [c["case_id"] for c in WORLD["cases"]]

# (case, rule, first day, last day, days, other case, reference day)
PERIODS = [
    ("S1", breaks.EXTENT, "2025-09-05", "2025-09-05", 1, None, None),
    ("S1", breaks.EXTENT, "2025-09-08", "2025-09-14", 7, None, None),
    ("S1", breaks.FORBIDDEN_PAIR, "2025-09-05", "2025-09-05", 1, None, None),
    ("K1", breaks.EXTENT, "2025-09-05", "2025-09-05", 1, None, None),
    ("K1", breaks.FORBIDDEN_PAIR, "2025-09-05", "2025-09-05", 1, None, None),
    ("F1", breaks.EXTENT, "2025-09-08", "2025-09-14", 7, None, None),
    ("T2", breaks.SICKPAY_PERIOD, "2025-08-01", "2025-08-03", 3, "S2", "2025-08-01"),
    ("T2", breaks.BOTH_PARENTS, "2025-08-02", "2025-08-03", 2, "T3", None),
    ("T3", breaks.BOTH_PARENTS, "2025-08-02", "2025-08-03", 2, "T2", None),
    ("S4", breaks.COVERAGE, "2025-09-01", "2025-09-09", 9, None, "2025-09-10"),
]

FEATURES = {
    "S1": {"overlap_excess_days": 8, "overlap_forbidden_days": 1, "paid_days_in_window": 14},
    "K1": {"overlap_excess_days": 1, "overlap_forbidden_days": 1},
    "F1": {"overlap_excess_days": 7, "paid_days_in_window": 13},
    "A1": {"paid_days_in_window": 0},
    "T2": {"tfp_in_sickpay_period_days": 3, "both_parents_tfp_days": 2},
    "T3": {"both_parents_tfp_days": 2},
    "S4": {"before_insured_days": 9},
}

REASONS = {
    ("S1", "overlap_excess_days"): (
        "8 dagar 2025-09-05–2025-09-14 betalades föräldrapenning 50\u00a0% och sjukpenning "
        "100\u00a0% ut för samma dag, sammanlagt 150\u00a0%."
    ),
    ("S1", "overlap_forbidden_days"): (
        "1 dag 2025-09-05 betalades sjukpenning och ersättning för karensavdrag ut för samma dag, "
        "fast de inte kan betalas ut samtidigt."
    ),
    ("T2", "tfp_in_sickpay_period_days"): (
        "3 dagar 2025-08-01–2025-08-03 betalades tillfällig föräldrapenning ut under "
        "sjuklöneperioden (dag 1–14 i sjukfallet S2 från 2025-08-01)."
    ),
    ("T2", "both_parents_tfp_days"): (
        "2 dagar 2025-08-02–2025-08-03 betalades tillfällig föräldrapenning ut till båda "
        "föräldrarna för samma barn."
    ),
    ("S4", "before_insured_days"): (
        "9 dagar 2025-09-01–2025-09-09 betalades sjukpenning ut innan personen var försäkrad i "
        "Sverige (försäkrad från 2025-09-10)."
    ),
    # the reversed FP and the AKS paid on D leave nothing to tell
    ("A1", "overlap_forbidden_days"): (
        "0 dagar under de senaste tolv månaderna betalades två förmåner ut för samma dag som inte "
        "får betalas ut samtidigt."
    ),
}


def _write(tmp_path_factory, world: dict) -> object:
    return open_data(write_world(tmp_path_factory.mktemp("engine") / "w", **world))


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return _write(tmp_path_factory, WORLD)


def _spine(ids=CASE_IDS) -> ibis.Table:
    return spine_of(ids, D)


def _day(iso: str | None) -> int | None:
    return None if iso is None else (date.fromisoformat(iso) - date(1970, 1, 1)).days


def test_break_periods_are_the_hand_built_ones(data):
    got = data.con.execute(breaks.rule_breaks(build_context(data, _spine())))
    assert list(got.columns) == breaks.break_columns(build_context(data, _spine()).rules)
    rows = sorted(
        (
            r.case_id, r.rule, int(r.first_day), int(r.last_day), int(r.days),
            None if pd.isna(r.other_case) else r.other_case,
            None if pd.isna(r.ref_day) else int(r.ref_day),
        )
        for r in got.itertuples()
    )  # fmt: skip
    want = sorted((c, r, _day(f), _day(la), n, o, _day(ref)) for c, r, f, la, n, o, ref in PERIODS)
    assert rows == want
    s1 = got[(got.case_id == "S1") & (got.rule == breaks.EXTENT)].sort_values("first_day")
    assert list(s1["ext_SJP"]) == [1.0, 1.0]
    assert list(s1["ext_KAR"]) == [1.0, 0.0] and list(s1["ext_FP"]) == [0.0, 0.5]
    assert (got["as_of_day"] == _day(D.isoformat())).all()
    assert set(got.loc[got.case_id == "S1", "person_id"]) == {"P1"}


def test_features_are_the_days_of_the_periods(data):
    got = run(data, build_features(data, _spine(), families=("overlap",))).set_index("case_id")
    for case_id in CASE_IDS:
        want = {f: 0 for f in RULE_FEATURES} | FEATURES.get(case_id, {})
        assert {f: int(got.loc[case_id, f]) for f in want} == want, case_id


def test_reasons_name_the_periods(data):
    items = pd.DataFrame([(c, D, f) for c, f in REASONS], columns=["case_id", "as_of", "feature"])
    told = explain(data, items)
    assert {(r.case_id, r.feature): r.reason_sv for r in told.itertuples()} == REASONS


def test_marks_are_the_periods(data):
    marks = rule_marks(data, _spine())
    got = sorted((r.case_id, r.start.isoformat(), r.end.isoformat()) for r in marks.itertuples())
    assert got == sorted((c, f, la) for c, _, f, la, *_ in PERIODS)
    s1 = marks[marks.case_id == "S1"].sort_values(["start", "label"])
    assert list(s1["label"]) == [
        "Förmåner som inte får betalas samma dag (sjukpenning och ersättning för karensavdrag)",
        "Summa omfattning över 100\u00a0% (ersättning för karensavdrag 100\u00a0% och sjukpenning "
        "100\u00a0%)",
        "Summa omfattning över 100\u00a0% (föräldrapenning 50\u00a0% och sjukpenning 100\u00a0%)",
    ]
    t2 = marks.loc[marks.case_id == "T2", "label"].str.cat()
    assert "sjukfallet S2" in t2  # the person's own sickness case
    assert "T3" not in t2  # never the other parent's case


def test_features_reasons_and_marks_agree_case_by_case(data):
    """For every case and rule feature: the feature's value is the number of marked days and the
    number of days its reason names."""
    feats = run(data, build_features(data, _spine(), families=("overlap",))).set_index("case_id")
    marks = rule_marks(data, _spine())
    periods = rule_break_periods(data, _spine())
    items = pd.DataFrame(
        [(c, D, f) for c in CASE_IDS for f in RULE_FEATURES],
        columns=["case_id", "as_of", "feature"],
    )
    told = explain(data, items).set_index(["case_id", "feature"])["reason_sv"]
    for case_id in CASE_IDS:
        for feature, rules in RULE_FEATURES.items():
            mine = periods[(periods.case_id == case_id) & periods.rule.isin(rules)]
            value = int(feats.loc[case_id, feature])
            assert value == int(mine["days"].sum()), (case_id, feature)
            m = marks.loc[mine.index]  # marks are the periods, row for row
            assert sum((e - s).days + 1 for s, e in zip(m.start, m.end, strict=True)) == value
            assert told[case_id, feature].startswith(f"{value} dag"), (case_id, feature)


def test_a_reversal_not_yet_known_does_break_the_rule(tmp_path_factory):
    """The reversed FP counts until the reversal is known: reversed on D, it is an excess on
    2025-09-02..03 for S1 and F1, in the periods, the features and the marks alike."""
    world = copy.deepcopy(WORLD)
    for p in world["payments"]:
        if p.get("payment_id") == "FR_R":
            p["paid_date"] = D.isoformat()
    data = _write(tmp_path_factory, world)
    marks = rule_marks(data, _spine(["S1", "F1"]))
    early = marks[marks.start == date(2025, 9, 2)]
    assert sorted(early.case_id) == ["F1", "S1"]
    assert (early.end == date(2025, 9, 3)).all()
    feats = run(data, build_features(data, _spine(["S1", "F1"]), families=("overlap",)))
    assert list(feats.set_index("case_id").loc[["S1", "F1"], "overlap_excess_days"]) == [10, 9]


def test_a_payment_known_by_d_minus_1_breaks_rule_2(tmp_path_factory):
    """The AKS payment paid on D is unknown; paid on D-1 it breaks rules 1 and 2 beside SJP."""
    world = copy.deepcopy(WORLD)
    for p in world["payments"]:
        if p["case_id"] == "A1":
            p["paid_date"] = (D - timedelta(days=1)).isoformat()
    data = _write(tmp_path_factory, world)
    marks = rule_marks(data, _spine(["A1"])).sort_values("label")
    assert set(zip(marks.start, marks.end, strict=True)) == {(date(2025, 9, 1), date(2025, 9, 2))}
    assert list(marks.label) == [
        "Förmåner som inte får betalas samma dag (aktivitetsstöd och sjukpenning)",
        "Summa omfattning över 100\u00a0% (aktivitetsstöd 100\u00a0% och sjukpenning 100\u00a0%)",
    ]


def test_a_case_without_breaks_has_no_marks(data):
    empty = rule_marks(data, _spine(["A1"]))
    assert empty.empty and list(empty.columns) == ["case_id", "start", "end", "label"]
