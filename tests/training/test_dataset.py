"""The training set built a date range at a time equals the set built at once."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from felrisk.datadir import open_data
from tests.world.planted import planted_tables
from tests.world.write import write_world
from training.dataset import build_training_set, date_chunks


def test_date_chunks_cover_every_date_once_within_the_row_limit():
    days = pd.Series(
        [date(2025, 1, 1)] * 3
        + [date(2025, 1, 2)] * 2
        + [date(2025, 1, 5)] * 6
        + [date(2025, 2, 1)]
    )
    assert date_chunks(days, 5) == [
        (date(2025, 1, 1), date(2025, 1, 2)),
        (date(2025, 1, 5), date(2025, 1, 5)),  # one date above the limit stands alone
        (date(2025, 2, 1), date(2025, 2, 1)),
    ]
    assert date_chunks(days, 100) == [(date(2025, 1, 1), date(2025, 2, 1))]
    assert date_chunks(pd.Series([], dtype=object), 5) == []


@pytest.mark.slow
def test_chunks_give_the_same_training_set(tmp_path):
    data = open_data(write_world(tmp_path / "data", **planted_tables(persons=1500, seed=5)))
    whole = build_training_set(data, chunk_rows=10**9).frame
    pieces = build_training_set(data, chunk_rows=300)
    n_chunks = len(date_chunks(pieces.frame["selected_date"], 300))
    assert n_chunks >= 3
    pd.testing.assert_frame_equal(pieces.frame, whole)
