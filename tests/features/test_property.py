"""Property test: the sweep builders of the overlap and rule family equal a day-by-day oracle.

Each example is a small random world of parent pairs sharing a child, with overlapping payments
of every daily and monthly benefit, reversals, payments not yet known on D, sick-pay periods,
age limits and coverage starts; one DuckDB build per example covers every case of it.
"""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from features.build import build_features
from features.settings import load_feature_settings
from felrisk.datadir import to_arrow
from felrisk.rules import load_rules
from tests.features.oracle import oracle
from tests.world.write import DEFAULTS

AS_OF = date(2025, 6, 1)
# D of an example: after both law changes, or with its window across 2024-07-01 (double days:
# 30 in 12 months, then 60 in 15) or 2020-07-01 (AKS beside SJP, SE, AE forbidden from then)
AS_OFS = [AS_OF, date(2024, 8, 15), date(2020, 8, 15)]
WINDOW = 60
# FP and TFP twice as likely: the both-parents rules need two of them for one child.
BENEFITS = ["SJP", "KAR", "FP", "TFP", "AKS", "SE", "AE", "FP", "TFP"]
EXTENTS = [0.25, 0.5, 0.75, 1.0]
FEATURES = [
    "overlap_excess_days",
    "overlap_forbidden_days",
    "paid_days_in_window",
    "tfp_in_sickpay_period_days",
    "both_parents_tfp_days",
    "fp_double_days_excess",
    "age_rule_days",
    "before_insured_days",
]


def _day(offset: int, as_of: date = AS_OF) -> date:
    return as_of + timedelta(days=offset)


payment = st.fixed_dictionaries(
    {
        "start": st.integers(-90, -1),
        "length": st.integers(1, 40),
        "extent": st.sampled_from(EXTENTS),
        # paid some days after the period, or around D itself (D-2 .. D+1: the point-in-time edge)
        "paid": st.one_of(
            st.tuples(st.just("lag"), st.integers(0, 40)),
            st.tuples(st.just("as_of"), st.integers(-2, 1)),
        ),
        "reversed": st.booleans(),
    }
)
case = st.fixed_dictionaries(
    {
        "benefit": st.sampled_from(BENEFITS),
        "employment_type": st.sampled_from(["employee", "self_employed"]),
        "ied": st.integers(-80, 5),
        "payments": st.lists(payment, min_size=1, max_size=3),
    }
)
person = st.fixed_dictionaries(
    {
        # ages around the limits of rule 5 (19/30 by month for AE, 30/65 for SE)
        "age_days": st.sampled_from(
            [19 * 365 + 20, 30 * 365 - 10, 30 * 365 + 30, 65 * 365 + 7, 45 * 365]
        ),
        "insured": st.one_of(st.none(), st.integers(-60, -1)),
        "cases": st.lists(case, min_size=1, max_size=3),
    }
)
family = st.fixed_dictionaries(
    {
        # child ages around 15 months (double days) and 12 years (TFP, FP)
        "child_age_days": st.sampled_from([400, 30, 420, 470, 12 * 365 - 20, 12 * 365 + 60]),
        "parents": st.lists(person, min_size=2, max_size=2),
        # both parents paid half FP for the same long stretch: double days up to the quota
        "shared_fp": st.one_of(st.tuples(st.integers(-120, -20), st.integers(5, 90)), st.none()),
    }
)


def _world(families: list[dict], as_of: date = AS_OF) -> dict[str, list[dict]]:
    t: dict[str, list[dict]] = {k: [] for k in ("persons", "children", "cases", "payments")}
    for fi, fam in enumerate(families):
        child = f"C{fi}"
        birth = (as_of - timedelta(days=fam["child_age_days"])).replace(day=5)
        for pi, per in enumerate(fam["parents"]):
            pid = f"P{fi}_{pi}"
            born = (as_of - timedelta(days=per["age_days"])).replace(day=10)
            ins = None if per["insured"] is None else _day(per["insured"], as_of)
            t["persons"].append(
                {**DEFAULTS["persons"], "person_id": pid, "birth_date": born, "insured_from": ins}
            )
            t["children"].append({"child_id": child, "parent_id": pid, "child_birth_date": birth})
            cases = list(per["cases"])
            if fam["shared_fp"] is not None:
                start, length = fam["shared_fp"]
                shared = {"start": start, "length": length, "extent": 0.5, "paid": ("lag", 1)}
                cases.append(
                    {
                        "benefit": "FP",
                        "employment_type": "employee",
                        "ied": start,
                        "payments": [{**shared, "reversed": False}],
                    }
                )
            for ci, cs in enumerate(cases):
                cid = f"{pid}_{ci}"
                ied = _day(cs["ied"], as_of)
                t["cases"].append(
                    {
                        **DEFAULTS["cases"],
                        "case_id": cid,
                        "person_id": pid,
                        "benefit": cs["benefit"],
                        "insured_event_date": ied,
                        "opened_date": ied,
                        "child_id": child if cs["benefit"] in ("FP", "TFP") else None,
                        "employment_type": cs["employment_type"],
                    }
                )
                for ki, pay in enumerate(cs["payments"]):
                    start = _day(pay["start"], as_of)
                    length = 1 if cs["benefit"] == "KAR" else pay["length"]
                    end = start + timedelta(days=length - 1)
                    row = {
                        **DEFAULTS["payments"],
                        "payment_id": f"{cid}_{ki}",
                        "case_id": cid,
                        "person_id": pid,
                        "benefit": cs["benefit"],
                        "period_start": start,
                        "period_end": end,
                        "extent": pay["extent"],
                        "paid_date": (end if pay["paid"][0] == "lag" else as_of)
                        + timedelta(days=pay["paid"][1]),
                    }
                    t["payments"].append(row)
                    if pay["reversed"]:
                        t["payments"].append(
                            {
                                **row,
                                "payment_id": f"{cid}_{ki}_r",
                                "amount_sek": -row["amount_sek"],
                                "paid_date": row["paid_date"] + timedelta(days=3),
                            }
                        )
    return t


def _ibis_tables(t: dict[str, list[dict]]) -> dict[str, ibis.Table]:
    from felrisk.contract import TABLES

    out = {}
    for name, spec in TABLES.items():
        rows = t.get(name, [])
        df = pd.DataFrame(rows, columns=list(spec.column_names))
        out[name] = ibis.memtable(to_arrow(name, df))
    return out


RULES = load_rules()


def _small_quota(rules, before: float, after: float):
    """The rules with a small double-day quota in force (`before` to 2024-06-30, `after` from
    2024-07-01) so that random worlds reach it; the age limits stay as shipped."""
    name = rules.both_parents.quota_rule
    law = rules.law.model_copy(
        update={
            "rule": tuple(
                e.model_copy(update={"value": before if e.valid_to else after})
                if e.name == name
                else e
                for e in rules.law.rule
            )
        }
    )
    return load_rules(law=law)


RULES_SMALL_QUOTA = _small_quota(RULES, 3.0, 5.0)
CONFIG = load_feature_settings().model_copy(update={"window_days": WINDOW})


@pytest.mark.slow  # a feature build per example
@settings(
    max_examples=15,
    # no shrinking: every step is a full build; the failing example is printed as found
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(families=st.lists(family, min_size=1, max_size=3), as_of=st.sampled_from(AS_OFS))
def test_overlap_features_equal_day_by_day_oracle(families, as_of):
    rules = RULES_SMALL_QUOTA  # the shipped quotas are pinned by the hand-built cases
    t = _world(families, as_of)
    spine_ids = [c["case_id"] for c in t["cases"] if c["opened_date"] < as_of]
    if not spine_ids:
        return
    spine = ibis.memtable(
        pd.DataFrame({"case_id": spine_ids, "as_of": [as_of] * len(spine_ids)}),
        schema={"case_id": "string", "as_of": "date"},
    )
    expr = build_features(_ibis_tables(t), spine, rules, CONFIG, families=("overlap",))
    got = ibis.duckdb.connect().execute(expr).set_index("case_id")
    want = pd.DataFrame(oracle(t, spine_ids, as_of, rules, WINDOW)).T
    pd.testing.assert_frame_equal(
        got.loc[spine_ids, FEATURES].astype("int64"),
        want.loc[spine_ids, FEATURES].astype("int64"),
        check_names=False,
    )
