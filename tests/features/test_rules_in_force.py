"""The rule engine applies each coordination rule as in force on the day (rules.toml names the
figure, benefit_rules.toml dates it): double days 30 in the child's first 12 months before
2024-07-01, 60 before 15 months from then; AKS beside SJP/SE/AE forbidden from 2020-07-01. The
break periods, the features and the reasons agree, on hand-built stories each with its own D."""

from __future__ import annotations

from datetime import date

import ibis
import pandas as pd
import pytest

from features import breaks
from features.build import build_context, build_features
from features.facts import explain
from felrisk.datadir import open_data
from tests.world.write import write_world

pytestmark = pytest.mark.slow  # feature builds on DuckDB


def _parents(tag: str, birth: str, opened: str) -> tuple[list, list, list]:
    """Two parents of one child, each with an FP case: persons, children, cases."""
    a, b = f"{tag}A", f"{tag}B"
    persons = [{"person_id": a}, {"person_id": b, "sex": "M"}]
    children = [{"child_id": f"{tag}C", "parent_id": p, "child_birth_date": birth} for p in (a, b)]
    cases = [
        {"case_id": f"{p}_F", "person_id": p, "benefit": "FP", "child_id": f"{tag}C",
         "opened_date": opened}
        for p in (a, b)
    ]  # fmt: skip
    return persons, children, cases


def _double(tag: str, start: str, end: str, **kw) -> list[dict]:
    """Both parents paid FP in full for the same days: double days."""
    return [
        {"case_id": f"{tag}{p}_F", "period_start": start, "period_end": end, **kw} for p in "AB"
    ]


# (tag, child's birth, the cases' opening, D, double-day payments)
DOUBLE_DAY_STORIES = [
    # 13 months old in 2022: past the 12 months then in force
    ("Y22", "2021-03-10", "2021-03-10", "2022-06-01", _double("Y22", "2022-04-15", "2022-04-20")),
    # 13 months old in 2025: within the 15 months in force
    ("Y25", "2024-03-10", "2024-03-10", "2025-06-01", _double("Y25", "2025-04-15", "2025-04-20")),
    # 40 double days in 2021: 10 past the quota of 30
    ("Q21", "2021-01-01", "2021-01-01", "2021-06-01", _double("Q21", "2021-02-01", "2021-03-12")),
    # 40 double days in 2025: within the quota of 60
    ("Q25", "2025-01-01", "2025-01-01", "2025-06-01", _double("Q25", "2025-02-01", "2025-03-12")),
    # 12 months on 2024-05-15, 15 months on 2024-08-15: one payment crossing 2024-07-01 breaks
    # the age limit only on its days before 2024-07-01
    ("XA", "2023-05-15", "2023-05-15", "2024-09-01", _double("XA", "2024-06-20", "2024-07-10")),
    # 65 double days 2024-05-22..2024-07-25: 40 before 2024-07-01 (10 past the quota of 30),
    # 25 after (the count goes on: days 61-65 are past the quota of 60)
    ("XQ", "2024-01-01", "2024-01-01", "2024-09-01", _double("XQ", "2024-05-22", "2024-07-25")),
]

AKS_D = "2020-08-01"
AKS_WORLD = {
    "persons": [{"person_id": "AK"}],
    "cases": [
        {"case_id": "AK_A", "person_id": "AK", "benefit": "AKS", "opened_date": "2020-06-01"},
        {
            "case_id": "AK_S",
            "person_id": "AK",
            "benefit": "SJP",
            "opened_date": "2020-06-01",
            "employment_type": "employee",
        },
    ],  # fmt: skip
    "payments": [
        # half AKS beside half SJP (no excess): forbidden only from 2020-07-01
        {
            "case_id": "AK_A",
            "period_start": "2020-06-28",
            "period_end": "2020-07-03",
            "extent": 0.5,
        },
        {
            "case_id": "AK_S",
            "period_start": "2020-06-28",
            "period_end": "2020-07-03",
            "extent": 0.5,
        },
        # beside it again later, but the SJP row is paid on D: not known yet, not a break
        {
            "case_id": "AK_A",
            "period_start": "2020-07-10",
            "period_end": "2020-07-12",
            "extent": 0.5,
        },
        {
            "case_id": "AK_S",
            "period_start": "2020-07-10",
            "period_end": "2020-07-12",
            "extent": 0.5,
            "paid_date": AKS_D,
        },
    ],  # fmt: skip
}


def _world() -> tuple[dict, dict[str, str]]:
    tables = {k: list(v) for k, v in AKS_WORLD.items()} | {"children": []}
    as_of = {"AK_A": AKS_D, "AK_S": AKS_D}
    for tag, birth, opened, d, pays in DOUBLE_DAY_STORIES:
        persons, children, cases = _parents(tag, birth, opened)
        tables["persons"] += persons
        tables["children"] += children
        tables["cases"] += cases
        tables["payments"] += pays
        as_of |= {c["case_id"]: d for c in cases}
    return tables, as_of


TABLES, AS_OF = _world()

# (case, rule, first day, last day, days, reference day, limit in force)
PERIODS = [
    ("AK_A", breaks.FORBIDDEN_PAIR, "2020-07-01", "2020-07-03", 3, None, None),
    ("AK_S", breaks.FORBIDDEN_PAIR, "2020-07-01", "2020-07-03", 3, None, None),
    *[
        (f"Y22{p}_F", breaks.DOUBLE_DAYS_AGE, "2022-04-15", "2022-04-20", 6, "2022-03-10", 12)
        for p in "AB"
    ],
    *[
        (f"Q21{p}_F", breaks.DOUBLE_DAYS_QUOTA, "2021-03-03", "2021-03-12", 10, None, 30)
        for p in "AB"
    ],
    *[
        (f"XA{p}_F", breaks.DOUBLE_DAYS_AGE, "2024-06-20", "2024-06-30", 11, "2024-05-15", 12)
        for p in "AB"
    ],
    *[
        (f"XQ{p}_F", breaks.DOUBLE_DAYS_QUOTA, first, last, n, None, limit)
        for p in "AB"
        for first, last, n, limit in (
            ("2024-06-21", "2024-06-30", 10, 30),
            ("2024-07-21", "2024-07-25", 5, 60),
        )
    ],
]

FEATURE = {breaks.FORBIDDEN_PAIR: "overlap_forbidden_days"} | dict.fromkeys(
    (breaks.DOUBLE_DAYS_AGE, breaks.DOUBLE_DAYS_QUOTA), "fp_double_days_excess"
)

REASONS = {
    "AK_A": (
        "overlap_forbidden_days",
        "3 dagar 2020-07-01–2020-07-03 betalades aktivitetsstöd och sjukpenning ut för samma dag, "
        "fast de inte kan betalas ut samtidigt.",
    ),
    "Y22A_F": (
        "fp_double_days_excess",
        "6 dagar 2022-04-15–2022-04-20 betalades föräldrapenning ut till båda föräldrarna utöver "
        "de tillåtna dubbeldagarna (barnet blev 12 månader 2022-03-10).",
    ),
    "Q21A_F": (
        "fp_double_days_excess",
        "10 dagar 2021-03-03–2021-03-12 betalades föräldrapenning ut till båda föräldrarna utöver "
        "de tillåtna dubbeldagarna (högst 30 dubbeldagar per barn).",
    ),
    "XQA_F": (
        "fp_double_days_excess",
        "15 dagar 2024-06-21–2024-07-25 betalades föräldrapenning ut till båda föräldrarna utöver "
        "de tillåtna dubbeldagarna (högst 30 dubbeldagar per barn).",
    ),
}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return open_data(write_world(tmp_path_factory.mktemp("in_force") / "w", **TABLES))


def _spine(ids=None) -> ibis.Table:
    ids = list(AS_OF) if ids is None else ids
    return ibis.memtable(
        pd.DataFrame({"case_id": ids, "as_of": [date.fromisoformat(AS_OF[c]) for c in ids]}),
        schema={"case_id": "string", "as_of": "date"},
    )


def _day(iso: str | None) -> int | None:
    return None if iso is None else (date.fromisoformat(iso) - date(1970, 1, 1)).days


def test_break_periods_follow_the_law_of_each_day(data):
    got = data.con.execute(breaks.rule_breaks(build_context(data, _spine())))
    rows = sorted(
        (
            r.case_id, r.rule, int(r.first_day), int(r.last_day), int(r.days),
            None if pd.isna(r.ref_day) else int(r.ref_day),
            None if pd.isna(r.limit) else int(r.limit),
        )
        for r in got.itertuples()
    )  # fmt: skip
    want = sorted(
        (c, r, _day(f), _day(la), n, _day(ref), lim) for c, r, f, la, n, ref, lim in PERIODS
    )
    assert rows == want


def test_features_count_only_days_the_rule_was_in_force(data):
    got = run_features(data).set_index("case_id")
    for case_id in AS_OF:
        want = {"overlap_forbidden_days": 0, "fp_double_days_excess": 0}
        for c, rule, *_, n, _ref, _lim in PERIODS:
            if c == case_id:
                want[FEATURE[rule]] += n
        assert {f: int(got.loc[case_id, f]) for f in want} == want, case_id


def run_features(data) -> pd.DataFrame:
    return data.con.execute(build_features(data, _spine(), families=("overlap",)))


def test_reasons_state_the_limit_in_force_on_the_day(data):
    items = pd.DataFrame(
        [(c, date.fromisoformat(AS_OF[c]), f) for c, (f, _) in REASONS.items()],
        columns=["case_id", "as_of", "feature"],
    )
    told = explain(data, items)
    assert {r.case_id: r.reason_sv for r in told.itertuples()} == {
        c: text for c, (_, text) in REASONS.items()
    }
