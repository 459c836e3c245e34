"""Unique keys proved from their order in a Parquet file: keys that rise strictly from row to row
repeat nowhere.

Extracts from a register usually come in key order. Comparing each row's key with the one before
it (pyarrow, batch by batch) costs a read of the key columns and one comparison a row, where
DuckDB's count of distinct keys builds a hash table of every key: on a 1,000,000-person world
the seven keyed tables in order take 0.6-0.7 s of CPU here, and the one-pass summary drops from
6.0 to 2.9 s of CPU without their counts (2 cores, loaded machine). Keys out of order prove
nothing either way, and the count decides.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

BATCH_ROWS = 1 << 20


def keys_rise_in_file_order(source: Path, key: tuple[str, ...]) -> bool:
    """Whether every row of the Parquet file `source` has a non-null key (`key`'s columns),
    strictly greater than the row before's in lexicographic order; False on a read error.

    The read stops at the first batch that breaks the order.
    """
    if not key:
        return False
    previous: list[pa.Array] | None = None
    try:
        with pq.ParquetFile(source, pre_buffer=False) as f:
            for batch in f.iter_batches(batch_size=BATCH_ROWS, columns=list(key)):
                columns = [batch.column(k) for k in key]
                if any(c.null_count for c in columns):
                    return False
                if previous is not None:
                    columns = [
                        pa.concat_arrays([p, c]) for p, c in zip(previous, columns, strict=True)
                    ]
                if not _rising(columns):
                    return False
                previous = [c.slice(len(c) - 1) for c in columns]
    except (OSError, pa.ArrowException):
        return False
    return True


def _rising(columns: list[pa.Array]) -> bool:
    """Whether each row is above the one before: later column decides only on a tie."""
    n = len(columns[0])
    if n < 2:
        return True
    rising = None
    for c in reversed(columns):
        later, earlier = c.slice(1), c.slice(0, n - 1)
        above = pc.greater(later, earlier)
        rising = (
            above if rising is None else pc.or_(above, pc.and_(pc.equal(later, earlier), rising))
        )
    # comparisons with NaN are false, never null: a null here would only come from a null key
    return bool(pc.all(rising, skip_nulls=False).as_py())
