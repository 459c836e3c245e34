"""Open a data directory (a folder of Parquet files, or a DuckDB file) as Ibis tables, and write one.

The loader is the single entry point the pipeline uses to read contract tables, on either engine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa
import pyarrow.parquet as pq

from felrisk import sql_ctes
from felrisk.contract import TABLES, table_spec
from felrisk.environment import environment
from felrisk.errors import ContractError
from felrisk.safeio import atomic_write

if TYPE_CHECKING:  # pandas is imported by those who pass frames, not by every reader
    import pandas as pd

ENGINES = ("duckdb", "spark")


@dataclass
class DataSet:
    """Contract tables of one data directory, as Ibis tables on one backend."""

    path: Path
    con: Any
    tables: dict[str, ibis.Table] = field(default_factory=dict)
    engine: str = "duckdb"

    def __getitem__(self, name: str) -> ibis.Table:
        return self.tables[name]

    def __contains__(self, name: str) -> bool:
        return name in self.tables

    @contextmanager
    def any_row_order(self) -> Iterator[None]:
        """Queries inside return rows in any order, for a caller that sorts them on unique keys.

        DuckDB then drops its insertion order while executing (about a tenth faster on the
        feature query); Spark never had one.
        """
        if self.engine != "duckdb":
            yield
            return
        raw = self.con.con
        raw.execute("SET preserve_insertion_order = false")
        try:
            yield
        finally:
            raw.execute("RESET preserve_insertion_order")


def rows_with_ids(t: ibis.Table, column: str, ids: Iterable[object]) -> ibis.Table:
    """The rows of `t` whose `column` is one of `ids`: a semi-join on a small in-memory table,
    which scales where an IN list of thousands of literals does not."""
    wanted = ibis.memtable({"_id": sorted({str(i) for i in ids})}, schema={"_id": "string"})
    return t.semi_join(wanted, t[column] == wanted._id)


def parquet_path(data_dir: str | Path, name: str) -> Path:
    """Where table `name` lives in a Parquet data directory."""
    return Path(data_dir) / f"{name}.parquet"


def open_data(
    path: str | Path,
    engine: str = "duckdb",
    spark_session: Any = None,
    tables: tuple[str, ...] | None = None,
) -> DataSet:
    """Open every contract table found at `path` (Parquet folder or DuckDB file) as Ibis tables.

    Missing tables are reported by validation, not here; `truth/` is never opened.
    """
    path = Path(path)
    names = tables or tuple(TABLES)
    # Ibis fuses nested selects while compiling, which costs about a second on the feature
    # query; DuckDB's and Spark's own optimizers do the same work for free.
    ibis.options.sql.fuse_selects = False
    sql_ctes.install()  # a subquery joined in two places is computed once
    if not path.exists():
        raise ContractError(f"data directory not found: {path}")
    if engine not in ENGINES:
        raise ContractError(f"unknown engine {engine!r}; allowed: {', '.join(ENGINES)}")
    if path.is_file():
        if engine != "duckdb":
            raise ContractError("a DuckDB data file can only be read with --engine duckdb")
        try:
            con = ibis.duckdb.connect(str(path), read_only=True)
        except Exception as exc:  # DuckDB's own error types: not a database, damaged
            raise ContractError(f"{path}: not a readable DuckDB file ({exc})") from exc
        # ibis 12's list_tables() breaks on duckdb 2.0 (fetch_arrow_table is gone): ask directly.
        present = {
            r[0] for r in con.raw_sql("SELECT table_name FROM information_schema.tables").fetchall()
        }
        found = {n: con.table(n) for n in names if n in present}
        return DataSet(path, con, found, engine)
    if engine == "duckdb":
        con = ibis.duckdb.connect()
        threads = environment().FELRISK_DUCKDB_THREADS
        if threads is not None:
            con.raw_sql(f"SET threads = {threads}")
    else:
        con = ibis.pyspark.connect(spark_session or cluster_or_local_spark_session())
    found = {}
    for name in names:
        p = parquet_path(path, name)
        if p.exists():
            found[name] = _read_parquet(con, p, name)
    return DataSet(path, con, found, engine)


def _read_parquet(con: Any, p: Path, name: str) -> ibis.Table:
    """One table from its Parquet file; an unreadable file is bad input naming the file."""
    try:
        pq.read_metadata(p)  # the footer: a zero-byte, cut-off or foreign file fails here
        return con.read_parquet(str(p), table_name=f"felrisk_{name}")
    except Exception as exc:  # Arrow's, DuckDB's and Spark's own error types
        raise ContractError(f"{p}: not a readable Parquet file ({exc})") from exc


def local_spark_session(cores: int = 2) -> Any:
    """A local PySpark session (Java 17) with settings that keep dates and results exact."""
    return (
        _spark_builder()
        .master(f"local[{cores}]")
        .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )


def cluster_or_local_spark_session(cores: int = 2) -> Any:
    """The session `--engine spark` uses: the cluster's under spark-submit, else a local one.

    spark-submit starts the Python driver with PYSPARK_GATEWAY_PORT set and the master in its own
    configuration, which a builder's `.master()` would override; FELRISK_SPARK_MASTER names a
    master (e.g. `spark://host:7077`, `yarn`) for a driver started without spark-submit.
    """
    env = environment()
    if env.FELRISK_SPARK_MASTER:
        return _spark_builder().master(env.FELRISK_SPARK_MASTER).getOrCreate()
    if env.PYSPARK_GATEWAY_PORT:
        return _spark_builder().getOrCreate()
    return local_spark_session(cores)


def _spark_builder() -> Any:
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.appName("felrisk")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.ansi.enabled", "false")
    )


def to_arrow(name: str, df: pd.DataFrame) -> pa.Table:
    """Cast a pandas frame to the contract's Arrow schema for `name` (columns in contract order)."""
    spec = table_spec(name)
    schema = spec.arrow_schema()
    extra = [c for c in df.columns if c not in spec.column_names]
    cols = list(spec.column_names) + extra
    table = pa.Table.from_pandas(df[cols], preserve_index=False)
    fields = [schema.field(c) if c in spec.column_names else table.schema.field(c) for c in cols]
    return table.cast(pa.schema(fields)).replace_schema_metadata(None)


def write_table(name: str, df: pd.DataFrame | pa.Table, out_dir: str | Path) -> Path:
    """Write one table as Parquet: atomically, owner-only and byte-for-byte reproducibly."""
    table = df if isinstance(df, pa.Table) else to_arrow(name, df)
    target = Path(out_dir) / f"{name}.parquet"
    with atomic_write(target) as fh:
        pq.write_table(table, fh, compression="zstd", row_group_size=1_000_000)
    return target


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def table_digests(
    path: str | Path, names: Iterable[str] = TABLES
) -> dict[str, tuple[Path, str | None]]:
    """The file that holds each table of a data set and its SHA-256 (None where it is missing).

    A Parquet folder has one file per table; a DuckDB file holds them all and is hashed once.
    """
    path = Path(path)
    if path.is_file():
        digest = file_sha256(path)
        return {name: (path, digest) for name in names}
    out: dict[str, tuple[Path, str | None]] = {}
    for name in names:
        p = parquet_path(path, name)
        out[name] = (p, file_sha256(p) if p.exists() else None)
    return out
