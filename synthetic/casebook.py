"""The internal case frame shared by the benefit generators, and the daily amounts of the law."""

from __future__ import annotations

import numpy as np
import pandas as pd

from felrisk.benefit_rules import BenefitRules
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


# daily benefits computed from the SGI under a cap (the others have their own amounts)
SGI_BENEFITS = ("SJP", "FP", "TFP")


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


def daily_amount(
    benefit: str, sgi: np.ndarray, days: np.ndarray, rules: BenefitRules
) -> np.ndarray:
    """Amount of one full day of a daily benefit from the SGI (monthly benefits: of a month; ASS:
    of an hour), under the rules in force on `days` (the price base amount of the day's year).

    Simplified rules of the law; a day on which the rules give no amount (KAR outside its
    periods, a year without a price base amount) is an error, not a silent zero.
    """
    sgi = np.asarray(sgi, dtype="float64")
    days = np.broadcast_to(np.asarray(days, dtype="int64"), sgi.shape)
    if benefit in SGI_BENEFITS:
        capped = np.minimum(sgi, rules.max_sgi(benefit, days))
        d = rules.value("replacement_rate", days, benefit) * capped / 365
        if benefit == "FP":
            d = np.maximum(d, rules.value("fp_basic_daily", days, "FP"))
        out = np.round(d)
    elif benefit == "KAR":
        out = rules.value("kar_flat_amount", days, "KAR")
    elif benefit == "AKS":
        d = np.where(sgi > 0, 0.8 * sgi / 260, 0.0)
        lo = rules.value("aks_daily_min", days, "AKS")
        out = np.round(np.clip(d, lo, rules.value("aks_daily_max", days, "AKS")))
    elif benefit in ("SE", "AE"):
        lo = rules.value("monthly_guarantee", days, benefit)
        out = np.round(np.clip(0.64 * sgi / 12, lo, rules.value("monthly_max", days, benefit)))
    elif benefit == "ASS":
        out = rules.value("hourly_amount", days, "ASS")
    else:
        raise KeyError(benefit)
    missing = np.isnan(out)
    if missing.any():
        first = np.datetime64(int(days[missing][0]), "D")
        raise ValueError(
            f"no {benefit} amount in force on {first} (felrisk/config/benefit_rules.toml)"
        )
    return out


def capped_daily(
    benefit: str, daily: np.ndarray, from_day: np.ndarray, to_day: np.ndarray, rules: BenefitRules
) -> np.ndarray:
    """A daily amount decided on `from_day`, as paid on `to_day`: an amount at the cap of its
    day follows the cap of the later day (a new year, a new price base amount); others stay."""
    daily = np.asarray(daily, dtype="float64")
    if benefit not in SGI_BENEFITS:
        return daily
    then = rules.daily_amount_cap(benefit, from_day)
    now = rules.daily_amount_cap(benefit, to_day)
    at_cap = np.isfinite(then) & np.isfinite(now) & (daily >= then)
    return np.where(at_cap, now, daily)


def growth(days: np.ndarray, start: int, am: Amounts) -> np.ndarray:
    """Pay and SGI growth factor at a day, relative to the world's start."""
    return (1 + am.yearly_pay_growth) ** ((np.asarray(days) - start) / 365.25)
