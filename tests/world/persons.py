"""Random persons for the generated test worlds: born from 1960 on, of random sex and birth region."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd


def random_persons(
    rng: np.random.Generator,
    person_ids: Sequence[str],
    born_within_days: int,
    regions: dict[str | None, float],
) -> pd.DataFrame:
    """A persons table: birth dates, sex and birth region (drawn in that order, with the weights
    `regions` gives), one municipality, no household."""
    n = len(person_ids)
    born = rng.integers(0, born_within_days, n)
    return pd.DataFrame(
        {
            "person_id": person_ids,
            "birth_date": [date(1960, 1, 1) + timedelta(days=int(d)) for d in born],
            "sex": rng.choice(["F", "M"], n),
            "birth_region": rng.choice(list(regions), n, p=list(regions.values())),
            "municipality_code": "0180",
            "household_id": None,
            "insured_from": None,
        }
    )
