"""The internal case frame shared by the benefit generators, and the daily amounts of the law."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.scenario import Amounts
from synthetic.timeaxis import NA_DAY

# Internal case columns. ps/pe: the days paid for; daily: amount of one full day (monthly
# benefits: of one full month; ASS: of one hour); sgi: the SGI the amounts are based on.
CASE_DEFAULTS: dict[str, object] = {
    "pid": 0,
    "benefit": "",
    "event": NA_DAY,
    "opened": NA_DAY,
    "closed": NA_DAY,
    "child": -1,
    "emp_type": None,
    "granted": np.nan,
    "ps": NA_DAY,
    "pe": NA_DAY,
    "extent": 1.0,
    "daily": 0.0,
    "sgi": 0.0,
    "sgi_hours": np.nan,
    "double_day": False,
    "err": False,
    "mechanism": None,
    "caused_by": None,
    "intentional": False,
    "wrong": 0.0,
    "wrong_mode": None,
    "wrong_lo": NA_DAY,
    "wrong_hi": NA_DAY,
    # first day a wrong amount was paid (a control can find the error from then on)
    "wrong_from": NA_DAY,
    "weak": False,
    "amount_factor": 1.0,
    "pay_not_lowered": 0.0,
}


def new_cases(n: int, **cols: object) -> pd.DataFrame:
    """A case frame of n rows: given columns, defaults for the rest."""
    data = {}
    for name, default in CASE_DEFAULTS.items():
        if name in cols:
            data[name] = (
                np.asarray(cols[name]) if not np.isscalar(cols[name]) else np.full(n, cols[name])
            )
        else:
            data[name] = np.full(n, default, dtype=object if default is None else None)
    unknown = set(cols) - set(CASE_DEFAULTS)
    if unknown:
        raise KeyError(f"unknown case columns {sorted(unknown)}")
    return pd.DataFrame(data)


def daily_amount(benefit: str, sgi: np.ndarray, am: Amounts) -> np.ndarray:
    """Amount of one full day of a daily benefit from the SGI (simplified rules)."""
    sgi = np.asarray(sgi, dtype="float64")
    pba = am.price_base_amount_sek
    if benefit == "SJP":
        d = am.sjp_replacement * np.minimum(sgi, am.sjp_sgi_cap_pba * pba) / 365
        return np.round(np.minimum(d, am.sjp_daily_cap_sek))
    if benefit == "FP":
        d = am.fp_replacement * np.minimum(sgi, am.fp_sgi_cap_pba * pba) / 365
        return np.round(np.clip(d, am.fp_basic_daily_sek, am.fp_daily_cap_sek))
    if benefit == "TFP":
        d = am.fp_replacement * np.minimum(sgi, am.tfp_sgi_cap_pba * pba) / 365
        return np.round(np.clip(d, 0, am.tfp_daily_cap_sek))
    if benefit == "KAR":
        return np.full(len(sgi), am.kar_flat_sek)
    if benefit == "AKS":
        d = np.where(sgi > 0, 0.8 * sgi / 260, am.aks_daily_min_sek)
        return np.round(np.clip(d, am.aks_daily_min_sek, am.aks_daily_max_sek))
    if benefit in ("SE", "AE"):
        m = 0.64 * sgi / 12
        return np.round(np.clip(m, am.se_monthly_guarantee_sek, am.se_monthly_max_sek))
    if benefit == "ASS":
        return np.full(len(sgi), am.ass_hourly_sek)
    raise KeyError(benefit)


def growth(days: np.ndarray, start: int, am: Amounts) -> np.ndarray:
    """Pay and SGI growth factor at a day, relative to the world's start."""
    return (1 + am.yearly_pay_growth) ** ((np.asarray(days) - start) / 365.25)
