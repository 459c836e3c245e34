"""The audit groups of a person: sex, birth region, age band and income band (edges from the audit
policy), derived here once for training, the night and the backtest."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import numpy as np
import pandas as pd

from audit.policy import load_audit_policy

NO_PAY_LABEL = "no pay"


def _band_labels(edges: Sequence[float], fmt) -> list[str]:
    labels = [f"<{fmt(edges[0])}"]
    labels += [f"{fmt(lo)}-{fmt(hi)}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    return [*labels, f"{fmt(edges[-1])}+"]


def age_years(birth_date: pd.Series, as_of: date | pd.Timestamp | pd.Series) -> pd.Series:
    """Age in completed years on `as_of` (the birthday itself counts as completed).

    `as_of` is one date for all rows or a Series of dates aligned with `birth_date`.
    """
    born = pd.to_datetime(birth_date)
    if isinstance(as_of, pd.Series):
        d = pd.to_datetime(as_of)
        year, month, day = d.dt.year, d.dt.month, d.dt.day
    else:
        d = pd.Timestamp(as_of)
        year, month, day = d.year, d.month, d.day
    before_birthday = (born.dt.month > month) | ((born.dt.month == month) & (born.dt.day > day))
    return year - born.dt.year - before_birthday.astype("Int64")


def age_band(
    birth_date: pd.Series,
    as_of: date | pd.Timestamp | pd.Series,
    edges: Sequence[int] | None = None,
) -> pd.Series:
    """Age band on `as_of` as an ordered categorical: "<30", "30-39", ..., "65+" (edges from audit.toml).

    Edges are lower-inclusive whole years; a missing birth date gives a missing band.
    """
    edges = list(edges if edges is not None else load_audit_policy().age_edges)
    labels = _band_labels(edges, str)
    labels[1:-1] = [f"{lo}-{hi - 1}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    years = age_years(birth_date, as_of).astype(float)
    return pd.cut(years, [-np.inf, *edges, np.inf], right=False, labels=labels)


def person_groups(
    person_id: pd.Series,
    persons: pd.DataFrame,
    as_of: date | pd.Timestamp | pd.Series,
    *,
    age_band: Callable[..., pd.Series] = age_band,
) -> pd.DataFrame:
    """sex, birth_region and age_band (on `as_of`) of each row's person, indexed as `person_id`.

    `as_of` is one date, or a Series of dates aligned with `person_id` (each control's selected
    date). A missing value stays missing: the audit labels it "missing" and puts it last
    (audit.burden.group_labels), as the night's page and files publish it. `persons` holds
    person_id, sex, birth_region and birth_date, one row per person.
    """
    p = persons.set_index("person_id")
    born = person_id.map(p["birth_date"])
    return pd.DataFrame(
        {
            "sex": person_id.map(p["sex"]),
            "birth_region": person_id.map(p["birth_region"]),
            "age_band": age_band(born, as_of).astype(object),
        },
        index=person_id.index,
    )


def income_band(yearly_pay: pd.Series, edges: Sequence[float] | None = None) -> pd.Series:
    """Income band of yearly reported pay as an ordered categorical (edges from audit.toml, SEK).

    Pay of 0 or less, or none reported (missing), is the band "no pay"; then "<150k",
    "150k-300k", ..., "450k+" with lower-inclusive edges.
    """
    edges = list(edges if edges is not None else load_audit_policy().income_edges_sek)
    labels = _band_labels(edges, lambda v: f"{v / 1000:g}k")
    pay = pd.to_numeric(yearly_pay, errors="coerce").astype(float)
    banded = pd.cut(pay.where(pay > 0), [0, *edges, np.inf], right=False, labels=labels)
    banded = banded.cat.add_categories([NO_PAY_LABEL]).fillna(NO_PAY_LABEL)
    return banded.cat.reorder_categories([NO_PAY_LABEL, *labels], ordered=True)
