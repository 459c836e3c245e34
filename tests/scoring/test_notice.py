"""The notice for the person: what was selected, on which facts, that nothing is decided."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from felrisk.errors import ConfigError
from scoring.config import NoticeConfig, load_selection_config
from scoring.notice import notices
from scoring.reasons import NO_SINGLE_FACT_SV, attach_reasons, frame_reasons
from scoring.report import case_section
from tests.scoring.conftest import make_config

CONTACT = "handläggaren som har skickat detta till dig, eller Försäkringskassans kundcenter på 0771-524 524"


def _list() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case_id": ["M", "N", "R"],
            "benefit": ["SJP", "TFP", "KAR"],
            "selection": ["model", "model", "exploration"],
            "selection_probability": [np.nan, np.nan, 0.05],
            "reason_1": ["Första fakta.", "", "Fakta om R."],
            "reason_2": ["Andra fakta.", "", ""],
            "reason_3": ["", "", ""],
        }
    )


def test_shipped_notice_says_facts_that_a_person_decides_and_whom_to_contact():
    config = load_selection_config().notice
    got = notices(frame_reasons(_list()), config)
    assert got[_list()["case_id"] == "M"].iloc[0] == (
        "Försäkringskassan kommer att kontrollera ditt ärende om sjukpenning. Vi gör sådana "
        "kontroller för att ersättningar ska bli rätt. Ärendet valdes ut för kontroll på grund av "
        "följande uppgifter i våra register: Första fakta. Andra fakta. Det betyder inte att något "
        "är fel eller att du har gjort något fel. Ingenting är beslutat. En handläggare går igenom "
        "uppgifterna, och det är alltid en människa som beslutar. Du har rätt att lämna synpunkter "
        f"och egna uppgifter innan något beslutas. Har du frågor, kontakta {CONTACT}."
    )
    silent, random = got.iloc[1], got.iloc[2]
    assert "tillfällig föräldrapenning" in silent and "ingen enskild uppgift pekar på fel" in silent
    assert "Ingenting är beslutat" in silent and CONTACT in silent
    # a random pick says so and lists no facts, not even those told after its first reason
    assert "ersättning för karensavdrag" in random and "lottades fram" in random
    assert "Fakta om R" not in random and "rätt att lämna synpunkter" in random


def test_no_template_no_notice():
    assert (notices(frame_reasons(_list()), None) == "").all()


def test_a_template_with_an_unknown_field_or_without_facts_is_refused():
    base = make_config().model_dump()
    good = {"model": "{facts}", "model_no_facts": "x", "exploration": "y", "contact": "z"}
    assert make_config(notice=good).notice == NoticeConfig(**good)
    from felrisk.config import parse_config
    from scoring.config import SelectionConfig

    with pytest.raises(ConfigError, match=r"notice.*\['name'\]"):
        parse_config(SelectionConfig, base | {"notice": good | {"exploration": "Hej {name}"}})
    with pytest.raises(ConfigError, match="no \\{facts\\}"):
        parse_config(SelectionConfig, base | {"notice": good | {"model": "Inga fakta"}})


def test_the_page_shows_the_notice_and_an_unknown_amount_as_unknown():
    row = (
        frame_reasons(_list())
        .assign(
            notice=["Meddelandet.", "", ""],
            control_id="K-1",
            person_id="P1",
            rank=1,
            lane="verifiering",
            hard_rule_break=False,
            probability=0.4,
            expected_wrong_sek=np.nan,
        )
        .iloc[0]
    )
    html = case_section(pd.Series(row).to_frame().T.itertuples(index=False).__next__(), "")
    assert "Meddelande till personen" in html and "Meddelandet." in html
    assert "förväntat felaktigt belopp okänt" in html and "nan" not in html
    assert "Kontroll i handläggningen" in html


def test_a_fact_another_reason_states_is_said_once():
    lst = pd.DataFrame({"case_id": ["X"], "as_of": [pd.Timestamp("2025-10-01")]})
    contrib = pd.DataFrame({"excess": [3.0], "forbidden": [2.0], "other": [1.0]})
    told = {"excess": "KAR och SJP, 200 %.", "forbidden": "KAR och SJP samma dag.", "other": "Ö."}
    same = {"excess": "forbidden"}

    def explain(items):
        return items.assign(
            reason_sv=items["feature"].map(told), same_as=items["feature"].map(same).fillna("")
        )

    x = attach_reasons(lst, contrib, explain, k=3).iloc[0]
    assert (x["reason_1"], x["reason_2"], x["reason_3"]) == (told["forbidden"], told["other"], "")
    # without the other reason on the list, the fact is told by the one that states it
    alone = attach_reasons(lst, contrib[["excess", "other"]], explain, k=3).iloc[0]
    assert alone["reason_1"] == told["excess"]


def test_a_model_pick_without_facts_says_no_single_fact_points_to_an_error():
    out = frame_reasons(_list())
    assert out.loc[1, "reason_1"] == NO_SINGLE_FACT_SV
    assert NO_SINGLE_FACT_SV.startswith("Ingen enskild uppgift pekar på fel")
