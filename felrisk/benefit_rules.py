"""Rules and amounts of the law in force on each day (benefit_rules.toml), as data.

One source for the synthetic world, the features and the reasons: the price base amount of a
year, the SGI caps, replacement rates, the flat KAR amount while that benefit existed, the
double-days limit before and after 2024-07-01, coordination rules that start on a date. Every
entry is valid from a day to a day, both inclusive; a day in no period of a rule has no value
(NaN), so a figure of a benefit that did not exist yet cannot be read by mistake.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from felrisk.config import FrozenConfig, load_config, unknown_names
from felrisk.rules import Benefit

_OPEN = np.iinfo("int64").max  # an open valid_to, as a day number


class RuleEntry(FrozenConfig):
    """One figure of the law for one period."""

    name: str = Field(min_length=1)
    benefit: Benefit | None = None
    valid_from: dt.date
    valid_to: dt.date | None = Field(default=None, description="last day in force; None: open")
    value: float
    source: str = Field(min_length=1, description="where the figure comes from, or the assumption")

    @model_validator(mode="after")
    def _ordered(self) -> RuleEntry:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(
                f"{self.name} ({self.benefit or 'general'}): valid_to {self.valid_to} "
                f"is before valid_from {self.valid_from}"
            )
        return self


def _days(days: object) -> np.ndarray:
    """Days as int64 day numbers (days since 1970-01-01); accepts datetime64, dates or ints."""
    arr = np.atleast_1d(np.asarray(days))
    if arr.dtype.kind in "iu":
        return arr.astype("int64")
    if arr.dtype.kind == "O" or arr.dtype.kind == "M":
        return arr.astype("datetime64[D]").astype("int64")
    raise TypeError(f"days must be dates, datetime64 or day numbers, not {arr.dtype}")


def _day(d: dt.date | None) -> int:
    return _OPEN if d is None else int(np.datetime64(d, "D").astype("int64"))


class BenefitRules(FrozenConfig):
    """Every rule entry; look a figure up for an array of days with `value` or `in_force`."""

    rule: tuple[RuleEntry, ...]

    @model_validator(mode="after")
    def _no_overlap(self) -> BenefitRules:
        for (name, benefit), (lo, hi, _) in self._periods.items():
            clash = np.flatnonzero(lo[1:] <= hi[:-1])
            if len(clash):
                i = int(clash[0])
                a = f"{_show(lo[i])}..{_show(hi[i])}"
                b = f"{_show(lo[i + 1])}..{_show(hi[i + 1])}"
                raise ValueError(
                    f"rule {name!r} ({benefit or 'general'}): periods {a} and {b} overlap"
                )
        return self

    @cached_property
    def _periods(self) -> dict[tuple[str, str | None], tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(name, benefit) -> (valid_from, valid_to, value) arrays sorted by valid_from."""
        groups: dict[tuple[str, str | None], list[RuleEntry]] = {}
        for e in self.rule:
            groups.setdefault((e.name, e.benefit), []).append(e)
        out = {}
        for key, entries in groups.items():
            entries.sort(key=lambda e: e.valid_from)
            out[key] = (
                np.array([_day(e.valid_from) for e in entries], dtype="int64"),
                np.array([_day(e.valid_to) for e in entries], dtype="int64"),
                np.array([e.value for e in entries], dtype="float64"),
            )
        return out

    def _key(self, name: str, benefit: str | None) -> tuple[str, str | None]:
        """The (name, benefit) entries to read: the benefit's own, else the general ones."""
        if (name, benefit) in self._periods:
            return (name, benefit)
        if (name, None) in self._periods:
            return (name, None)
        names = {n for n, _ in self._periods}
        msg = unknown_names([name], names, "benefit rule")
        if msg:
            raise KeyError(msg)
        known = sorted(b for n, b in self._periods if n == name and b is not None)
        raise KeyError(f"benefit rule {name!r} has no entry for {benefit!r} (only {known})")

    def value(self, name: str, days: object, benefit: str | None = None) -> np.ndarray:
        """The rule's value on each day (float); NaN on days it was not in force."""
        d = _days(days)
        lo, hi, val = self._periods[self._key(name, benefit)]
        i = np.searchsorted(lo, d, side="right") - 1
        ok = (i >= 0) & (d <= hi[np.maximum(i, 0)])
        return np.where(ok, val[np.maximum(i, 0)], np.nan)

    def in_force(self, name: str, days: object, benefit: str | None = None) -> np.ndarray:
        """Whether the rule was in force on each day."""
        return ~np.isnan(self.value(name, days, benefit))

    def exists(self, benefit: str, days: object) -> np.ndarray:
        """Whether the benefit could be paid on each day (its `benefit_period`)."""
        return self.in_force("benefit_period", days, benefit)

    def max_sgi(self, benefit: str, days: object) -> np.ndarray:
        """The SGI cap in SEK on each day: the year's price base amount x the benefit's factor."""
        return self.value("prisbasbelopp", days) * self.value("sgi_cap_pba", days, benefit)

    def daily_amount_cap(self, benefit: str, days: object) -> np.ndarray:
        """Highest amount of one full day, SEK (rounded as paid): SJP/FP/TFP the replacement rate
        of the capped SGI over 365 days, KAR its flat amount, AKS its daily maximum."""
        if benefit == "KAR":
            return self.value("kar_flat_amount", days, "KAR")
        if benefit == "AKS":
            return self.value("aks_daily_max", days, "AKS")
        rate = self.value("replacement_rate", days, benefit)
        return np.round(rate * self.max_sgi(benefit, days) / 365)

    def entries(self, name: str, benefit: str | None = None) -> tuple[RuleEntry, ...]:
        """The entries of a rule (for reasons and docs: each with its source), by valid_from."""
        key = self._key(name, benefit)
        return tuple(
            sorted((e for e in self.rule if (e.name, e.benefit) == key), key=lambda e: e.valid_from)
        )

    def table(self) -> pd.DataFrame:
        """One row per entry: name, benefit (None: general), valid_from, valid_to (NaT: open),
        value; dates as datetime64, for joins on a day (e.g. an Ibis memtable)."""
        return pd.DataFrame(
            {
                "name": pd.Series([e.name for e in self.rule], dtype="object"),
                "benefit": pd.Series([e.benefit for e in self.rule], dtype="object"),
                "valid_from": pd.to_datetime([e.valid_from for e in self.rule]),
                "valid_to": pd.to_datetime([e.valid_to for e in self.rule]),
                "value": np.array([e.value for e in self.rule], dtype="float64"),
            }
        )


def _show(day: int) -> str:
    return "open" if day == _OPEN else str(np.datetime64(int(day), "D"))


def load_benefit_rules(path: str | Path | None = None) -> BenefitRules:
    """Read benefit_rules.toml (default: the one shipped in felrisk/config); overlapping periods
    of one rule and benefit are a ConfigError."""
    return load_config(BenefitRules, path, "benefit_rules.toml")
