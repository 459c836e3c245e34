"""The notice for the person of each selected case: plain Swedish from the template in config."""

from __future__ import annotations

import pandas as pd

from felrisk.contract import BENEFIT_NAMES_SV
from scoring.config import NoticeConfig
from scoring.outputs import REASON_COLUMNS
from scoring.reasons import NO_SINGLE_FACT_SV


def _facts(row: pd.Series) -> str:
    """The case's reasons as one text (each a sentence of its own)."""
    told = [str(row[c]).strip() for c in REASON_COLUMNS if c in row and str(row[c]).strip()]
    return " ".join(told)


def notices(lst: pd.DataFrame, config: NoticeConfig | None) -> pd.Series:
    """Per row of the framed list (reasons attached, random picks saying so): the text the
    investigator can send or read out to the person. A case drawn at random says so and lists no
    facts; a model pick lists its reasons, or says that no single fact points to an error.
    Without a notice template (an older policy) every notice is empty."""
    if config is None or lst.empty:
        return pd.Series("", index=lst.index, dtype=object)
    out = []
    for _, row in lst.iterrows():
        benefit = BENEFIT_NAMES_SV.get(row["benefit"], str(row["benefit"]).lower())
        facts = _facts(row)
        if row["selection"] == "exploration":
            template = config.exploration
        elif not facts or facts == NO_SINGLE_FACT_SV:
            template = config.model_no_facts
        else:
            template = config.model
        out.append(template.format(benefit=benefit, facts=facts, contact=config.contact))
    return pd.Series(out, index=lst.index, dtype=object)
