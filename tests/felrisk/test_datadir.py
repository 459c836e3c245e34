"""table_digests: the one fingerprint of a data set's files, for training and the nightly job."""

from __future__ import annotations

import hashlib

from felrisk.datadir import parquet_path, table_digests


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
