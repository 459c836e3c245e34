"""Detectors B of issue 13 on the hand-built stories: their facts in Swedish, and their late rows.

The stories (tests/features/scenarios.py) hold rows known only on D; the known answers show that
they are not seen, and here the same rows known on D-1 move the values (they are not inert).
"""

from __future__ import annotations

import copy
from datetime import timedelta

import pandas as pd
import pytest

from features.build import build_features
from features.facts import explain
from felrisk.datadir import open_data
from tests.features import scenarios
from tests.features.conftest import run, spine_of
from tests.world.write import write_world

NB = "\u00a0"
D = scenarios.AS_OF
ITEMS = [
    ("SW_E", "se_ae_work_pay_sek"),
    ("SX_E", "se_ae_work_pay_sek"),
    ("SA_E", "se_ae_work_pay_sek"),
]


@pytest.fixture(scope="module")
def told(hand_world) -> dict[tuple[str, str], str]:
    items = pd.DataFrame([(c, D, f) for c, f in ITEMS], columns=["case_id", "as_of", "feature"])
    out = explain(open_data(hand_world), items)
    return {(r.case_id, r.feature): r.reason_sv for r in out.itertuples()}


def test_pay_beside_se_names_months_extent_and_pay(told):
    assert told["SW_E", "se_ae_work_pay_sek"] == (
        "2 månader 2025-02–2025-03 betalades hel sjukersättning ut för varje dag, samtidigt som "
        f"arbetsgivare rapporterade 24{NB}000{NB}kr i lön för dessa månader (som mest "
        f"12{NB}000{NB}kr för 2025-02)."
    )


def test_pay_beside_partial_se_names_the_pay_before_it(told):
    assert told["SX_E", "se_ae_work_pay_sek"] == (
        f"1 månad 2025-03 betalades sjukersättning 50{NB}% ut för varje dag, samtidigt som "
        f"arbetsgivare rapporterade 16{NB}000{NB}kr i lön för månaden; de 12 månaderna före "
        f"försäkringsfallet 2023-06-10 var lönen i genomsnitt 20{NB}000{NB}kr i månaden."
    )


def test_an_allowed_small_income_reads_as_the_registry_sentence(told):
    assert told["SA_E", "se_ae_work_pay_sek"].startswith(f"Arbetsgivare rapporterade 0{NB}kr mer")


def _features(tmp_path, tables, cases) -> pd.DataFrame:
    data = open_data(write_world(tmp_path / "w", **tables))
    return run(data, build_features(data, spine_of(cases, D))).set_index("case_id")


def test_late_rows_known_on_d_minus_1_move_the_values(tmp_path):
    """SW's April pay and SR's February payment are known on D in the stories; a day earlier, they
    count (April's 15,000 less the allowed 1,000; February's 10,000 less 1,000)."""
    tables = copy.deepcopy(scenarios.TABLES)
    day_before = str(D - timedelta(days=1))
    for row in tables["income_reports"]:
        if row["reported_date"] == str(D):
            row["reported_date"] = day_before
    for row in tables["payments"]:
        if row.get("paid_date") == str(D):
            row["paid_date"] = day_before
    early = _features(tmp_path, tables, ["SW_E", "SR_E"])
    assert early.loc["SW_E", "se_ae_work_pay_sek"] == 22000.0 + 14000.0
    assert early.loc["SR_E", "se_ae_work_pay_sek"] == 9000.0
