"""table_digests: the one fingerprint of a data set's files, for training and the nightly job;
any_row_order: queries whose caller sorts."""

from __future__ import annotations

import hashlib

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from felrisk.datadir import open_data, parquet_path, table_digests


def test_a_folder_gives_each_table_its_file_and_none_where_missing(tmp_path):
    parquet_path(tmp_path, "persons").write_bytes(b"persons")
    got = table_digests(tmp_path, ["persons", "payments"])
    assert got == {
        "persons": (tmp_path / "persons.parquet", hashlib.sha256(b"persons").hexdigest()),
        "payments": (tmp_path / "payments.parquet", None),
    }


def test_one_duckdb_file_holds_every_table_with_one_digest(tmp_path):
    db = tmp_path / "world.duckdb"
    db.write_bytes(b"all tables")
    got = table_digests(db, ["persons", "payments"])
    digest = hashlib.sha256(b"all tables").hexdigest()
    assert got == {"persons": (db, digest), "payments": (db, digest)}


def test_any_row_order_drops_duckdbs_insertion_order_inside_only(tmp_path):
    pq.write_table(pa.table({"person_id": ["P1"]}), parquet_path(tmp_path, "persons"))
    data = open_data(tmp_path, tables=("persons",))

    def setting() -> bool:
        return data.con.con.execute(
            "SELECT current_setting('preserve_insertion_order')"
        ).fetchone()[0]

    assert setting() is True
    with data.any_row_order():
        assert setting() is False
    with pytest.raises(RuntimeError), data.any_row_order():
        raise RuntimeError("a failed query")
    assert setting() is True
