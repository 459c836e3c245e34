"""Time splits with the label delay respected, and the rolling (prequential) periods; never shuffled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

from felrisk.errors import ConfigError
from training.config import SplitConfig

PERIODS = ("train", "validate", "test")


@dataclass(frozen=True)
class TimeSplit:
    """Cut dates of one split: train before t1, validate [t1, t2), test [t2, end].

    A control counts for a period only when its outcome was known by the period's end as the
    models would have seen it: train rows closed before t1, validation rows closed before t2.
    A control selected before t1 but closed later is in no period (its label came too late).
    """

    t1: date
    t2: date
    end: date

    def assign(self, selected: pd.Series, closed: pd.Series) -> pd.Series:
        """'train', 'validate', 'test' or None per control (selected and closed dates)."""
        s = pd.to_datetime(selected)
        c = pd.to_datetime(closed)
        t1, t2, end = (pd.Timestamp(d) for d in (self.t1, self.t2, self.end))
        known = c.notna()
        train = known & (s < t1) & (c < t1)
        validate = known & (s >= t1) & (s < t2) & (c < t2)
        test = known & (s >= t2) & (s <= end) & (c <= end)
        out = np.select([train, validate, test], list(PERIODS), default=None)
        return pd.Series(out, index=selected.index, dtype="object")

    def as_dict(self) -> dict[str, str]:
        return {"t1": self.t1.isoformat(), "t2": self.t2.isoformat(), "end": self.end.isoformat()}


def time_split(selected: pd.Series, end: date, cfg: SplitConfig) -> TimeSplit:
    """T1 and T2 from the config: months before the data end, or fractions of the selected span."""
    if cfg.mode == "months":
        t2 = end - relativedelta(months=cfg.test_months)
        t1 = t2 - relativedelta(months=cfg.validate_months)
    else:
        s = pd.to_datetime(selected)
        start = s.min()
        span = pd.Timestamp(end) - start
        t1 = (start + span * cfg.train_fraction).date()
        t2 = (start + span * (cfg.train_fraction + cfg.validate_fraction)).date()
    first = pd.to_datetime(selected).min().date()
    if not first < t1 < t2 <= end:
        raise ConfigError(
            f"split: cut dates T1={t1}, T2={t2} do not fit the data ({first} to {end}); "
            "shorten split.test_months/validate_months or change the fractions"
        )
    return TimeSplit(t1, t2, end)


def rolling_splits(split: TimeSplit, cfg: SplitConfig) -> list[tuple[TimeSplit, date]]:
    """The last `rolling_periods` periods of `rolling_months`, oldest first, as (split, period end).

    Each period [t2, period end) is predicted by models trained before its own t1 and calibrated
    on [t1, t2), exactly as the main split but shifted back in time (prequential evaluation).
    """
    out = []
    end = split.end
    for _ in range(cfg.rolling_periods):
        start = end - relativedelta(months=cfg.rolling_months)
        t1 = start - relativedelta(months=cfg.validate_months)
        out.append((TimeSplit(t1, start, end), end))
        end = start
    return list(reversed(out))
