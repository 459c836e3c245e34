"""The notice for the person of each selected case: plain Swedish from the template in config."""

from __future__ import annotations

import pandas as pd

from felrisk.contract import BENEFIT_NAMES_SV
from scoring.config import NoticeConfig
from scoring.outputs import REASON_COLUMNS
from scoring.reasons import NO_SINGLE_FACT_SV


def _facts(lst: pd.DataFrame) -> list[str]:
    """Per row, the case's reasons as one text (each a sentence of its own)."""
    texts = [lst[c].map(str).str.strip() for c in REASON_COLUMNS if c in lst.columns]
    return (
        [" ".join(t for t in told if t) for told in zip(*texts, strict=True)]
        if texts
        else [""] * len(lst)
    )


def notices(lst: pd.DataFrame, config: NoticeConfig | None) -> pd.Series:
    """Per row of the framed list (reasons attached, random picks saying so): the text the
    investigator can send or read out to the person. A case drawn at random says so and lists no
    facts; a model pick lists its reasons, or says that no single fact points to an error.
    Without a notice template (an older policy) every notice is empty."""
    if config is None or lst.empty:
        return pd.Series("", index=lst.index, dtype=object)
    out = []
    benefits = [BENEFIT_NAMES_SV.get(b, str(b).lower()) for b in lst["benefit"]]
    for benefit, selection, facts in zip(benefits, lst["selection"], _facts(lst), strict=True):
        if selection == "exploration":
            template = config.exploration
        elif not facts or facts == NO_SINGLE_FACT_SV:
            template = config.model_no_facts
        else:
            template = config.model
        out.append(template.format(benefit=benefit, facts=facts, contact=config.contact))
    return pd.Series(out, index=lst.index, dtype=object)
