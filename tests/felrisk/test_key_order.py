"""Keys that rise strictly in a Parquet file's row order are unique; anything else proves nothing."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from felrisk import key_order
from felrisk.key_order import keys_rise_in_file_order


def _file(tmp_path, row_group_size: int | None = None, **columns) -> object:
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table(columns), path, row_group_size=row_group_size)
    return path


@pytest.mark.parametrize(
    ("ids", "rising"),
    [
        (["A1", "A2", "B1"], True),
        ([], True),
        (["A1", "A1", "B1"], False),  # a repeat
        (["A2", "A1", "B1"], False),  # unique, but out of order: the count decides
        (["A1", None, "B1"], False),  # a null key is the null check's; it proves nothing here
    ],
)
def test_one_column_key(tmp_path, ids, rising):
    path = _file(tmp_path, id=pa.array(ids, pa.string()))
    assert keys_rise_in_file_order(path, ("id",)) is rising


@pytest.mark.parametrize(
    ("first", "second", "rising"),
    [
        (["A", "A", "B"], ["2", "3", "1"], True),  # a tie on the first column, broken by the second
        (["A", "A", "B"], ["2", "2", "1"], False),
        (["A", "A", "B"], ["3", "2", "1"], False),
    ],
)
def test_two_column_key_in_lexicographic_order(tmp_path, first, second, rising):
    path = _file(tmp_path, a=first, b=second)
    assert keys_rise_in_file_order(path, ("a", "b")) is rising


@pytest.mark.parametrize(
    ("ids", "rising"), [(["A1", "A2", "A3", "A4"], True), (["A1", "A2", "A2", "A3"], False)]
)
def test_the_order_holds_across_batches(tmp_path, monkeypatch, ids, rising):
    monkeypatch.setattr(key_order, "BATCH_ROWS", 2)
    path = _file(tmp_path, row_group_size=2, id=ids)
    assert keys_rise_in_file_order(path, ("id",)) is rising


def test_an_unreadable_file_or_no_key_proves_nothing(tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet")
    assert not keys_rise_in_file_order(bad, ("id",))
    assert not keys_rise_in_file_order(_file(tmp_path, id=["A1"]), ())
