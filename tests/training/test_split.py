"""Time split: periods by selected date, labels only once known, never shuffled."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from felrisk.config import parse_config
from felrisk.errors import ConfigError
from training.config import SplitConfig, load_training_config
from training.split import TimeSplit, rolling_splits, time_split


def _split(**changes) -> SplitConfig:
    """The shipped split with `changes`, validated as a file would be."""
    return parse_config(SplitConfig, {**load_training_config().split.model_dump(), **changes})


def test_a_control_closed_after_t1_never_trains():
    split = TimeSplit(date(2024, 1, 1), date(2024, 7, 1), date(2025, 1, 1))
    selected = pd.Series(
        pd.to_datetime(
            [
                "2023-06-01",
                "2023-12-20",
                "2023-12-20",
                "2024-03-01",
                "2024-06-25",
                "2024-09-01",
                "2024-09-01",
            ]
        )
    )
    closed = pd.Series(
        pd.to_datetime(
            [
                "2023-07-01",
                "2023-12-31",
                "2024-01-01",
                "2024-04-01",
                "2024-07-02",
                "2024-10-01",
                None,
            ]
        )
    )
    got = split.assign(selected, closed).tolist()
    # closed on T1 itself is too late for training; closed after T2 too late for validation
    assert got == ["train", "train", None, "validate", None, "test", None]


def test_months_split_counts_back_from_the_data_end():
    selected = pd.Series(pd.to_datetime(["2023-01-05", "2025-12-01"]))
    split = time_split(selected, date(2025, 12, 31), _split(validate_months=6, test_months=9))
    assert (split.t1, split.t2) == (date(2024, 9, 30), date(2025, 3, 31))
    frac = time_split(
        selected,
        date(2025, 12, 31),
        _split(mode="fraction", train_fraction=0.5, validate_fraction=0.25),
    )
    assert frac.t1 < frac.t2 < date(2025, 12, 31)


def test_split_that_leaves_no_training_period_is_a_config_error():
    selected = pd.Series(pd.to_datetime(["2025-06-01", "2025-12-01"]))
    with pytest.raises(ConfigError, match="test_months"):
        time_split(selected, date(2025, 12, 31), _split(validate_months=6, test_months=9))


def test_rolling_periods_are_consecutive_and_oldest_first():
    main = TimeSplit(date(2024, 9, 30), date(2025, 3, 31), date(2025, 12, 31))
    periods = rolling_splits(main, _split(rolling_periods=3, rolling_months=3))
    ends = [end for _, end in periods]
    starts = [s.t2 for s, _ in periods]
    assert ends == [date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31)]
    assert starts[1:] == ends[:-1]
    assert all(s.t1 < s.t2 for s, _ in periods)
