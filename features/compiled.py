"""The night's queries compiled once, not every night: Ibis's build and SQL compilation of
`build_features` cost about 3.5 s whatever the data's size, of the rule break periods about 1 s.

A query is compiled on a placeholder spine (a view named SPINE_VIEW), so the date of a night is
not in it: each night defines the view as its own spine and runs the same SQL. An entry
holds the SQL, the result's Ibis schema (its frame is converted as Ibis converts it) and the
in-memory tables the SQL names (the calendar, the rules' figures). Its key covers what the SQL
is made of: the code of `features` and `felrisk` (with the shipped configuration), the rules and
feature settings in force, every table's SQL (its name) and schema, and the Ibis, sqlglot and DuckDB
versions; any change is a miss, compiled afresh. DuckDB only; another engine builds as before.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

import duckdb
import ibis
import ibis.expr.operations as ops
import pandas as pd
import pyarrow as pa
import pyarrow.types as pat
import sqlglot

import features
import felrisk
from features.build import active_spine, build_features
from features.settings import load_feature_settings
from felrisk.benefit_rules import load_benefit_rules
from felrisk.datadir import DataSet
from felrisk.rules import load_rules

log = logging.getLogger(__name__)

SPINE_VIEW = "felrisk_night_spine"
FEATURES = "feature-query"
BREAKS = "break-query"
FORMAT = 1  # the entry's layout; a new layout is a new version, never read as the old


Build = Callable[[ibis.Table], ibis.Table]  # a query's expression on a given spine


class QueryCache(Protocol):
    """Where entries live between nights (felrisk/private_cache.py)."""

    def get(self, name: str, version: int, key: str) -> bytes | None: ...

    def put(self, name: str, version: int, key: str, payload: bytes) -> Path: ...


@dataclass(frozen=True)
class CompiledQuery:
    """The feature query's SQL, its result's Ibis schema and the in-memory tables it reads."""

    sql: str
    schema: dict[str, str]
    tables: dict[str, bytes]  # name -> Arrow IPC stream

    def to_bytes(self) -> bytes:
        tables = {k: base64.b64encode(v).decode("ascii") for k, v in self.tables.items()}
        text = json.dumps({"sql": self.sql, "schema": self.schema, "tables": tables})
        return text.encode("utf-8")

    @classmethod
    def from_bytes(cls, payload: bytes) -> CompiledQuery:
        raw = json.loads(payload.decode("utf-8"))
        tables = {k: base64.b64decode(v) for k, v in raw["tables"].items()}
        return cls(raw["sql"], raw["schema"], tables)


def _code_digest() -> str:
    """SHA-256 over every Python and TOML file of the `features` and `felrisk` packages."""
    h = hashlib.sha256()
    for pkg in (features, felrisk):
        root = Path(pkg.__file__).resolve().parent
        for p in sorted([*root.rglob("*.py"), *root.rglob("*.toml")]):
            h.update(str(p.relative_to(root.parent)).encode("utf-8") + b"\0")
            h.update(p.read_bytes() + b"\0")
    return h.hexdigest()


def query_key(data: DataSet, name: str, spine_schema: ibis.Schema) -> str:
    """A hex digest of everything query `name`, compiled for `data`, is made of."""
    identity = {
        "format": FORMAT,
        "query": name,
        "code": _code_digest(),
        "rules": load_rules().model_dump_json(),
        "benefit_rules": load_benefit_rules().model_dump_json(),
        "settings": load_feature_settings().model_dump_json(),
        "tables": {
            n: [data.con.compile(t), str(t.schema())] for n, t in sorted(data.tables.items())
        },
        "spine": str(spine_schema),
        "fuse_selects": bool(ibis.options.sql.fuse_selects),
        "versions": [ibis.__version__, sqlglot.__version__, duckdb.__version__],
    }
    text = json.dumps(identity, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _memtables(expr: ibis.Expr) -> dict[str, pa.Table]:
    return {op.name: op.data.to_pyarrow(op.schema) for op in expr.op().find(ops.InMemoryTable)}


def compile_query(data: DataSet, build: Build, spine_schema: ibis.Schema) -> CompiledQuery:
    """Build and compile `build` on the placeholder spine (the slow part)."""
    expr = build(ibis.table(spine_schema, name=SPINE_VIEW))
    tables = {name: _ipc(t) for name, t in _memtables(expr).items()}
    schema = {name: str(dtype) for name, dtype in expr.schema().items()}
    return CompiledQuery(data.con.compile(expr), schema, tables)


def _frame(table: pa.Table, schema: ibis.Schema) -> pd.DataFrame:
    """Arrow to pandas exactly as Ibis's DuckDB backend converts a result (`Backend.execute`)."""
    from ibis.backends.duckdb.converter import DuckDBPandasData
    from ibis.formats.pandas import PandasData

    df = pd.DataFrame(
        {
            name: (
                col.to_pylist()
                if pat.is_nested(col.type) or pat.is_dictionary(col.type) or col.null_count
                else col.to_pandas()
            )
            for name, col in zip(table.column_names, table.columns, strict=True)
        }
    )
    return PandasData.convert_table(DuckDBPandasData.convert_table(df, schema), schema)


def run_query(data: DataSet, query: CompiledQuery, spine: ibis.Table) -> pd.DataFrame:
    """Run `query` with SPINE_VIEW defined as `spine`: the frame its expression would give."""
    raw = data.con.con
    tables = {n: pa.ipc.open_stream(ipc).read_all() for n, ipc in query.tables.items()}
    for name, table in {**tables, **_memtables(spine)}.items():
        raw.register(name, table)
    raw.execute(f'CREATE OR REPLACE TEMP VIEW "{SPINE_VIEW}" AS {data.con.compile(spine)}')
    schema = ibis.schema({name: ibis.dtype(t) for name, t in query.schema.items()})
    return _frame(raw.sql(query.sql).to_arrow_table(), schema)


def cached_frame(
    data: DataSet, name: str, build: Build, spine: ibis.Table, cache: QueryCache | None
) -> pd.DataFrame:
    """`build(spine)` executed, rows in any order; its SQL, compiled on a placeholder spine, comes
    from `cache` when it holds this code's, config's and data's (built with the defaults)."""
    if data.engine != "duckdb" or cache is None:
        return data.con.execute(build(spine))
    key = query_key(data, name, spine.schema())
    payload = cache.get(name, FORMAT, key)
    if payload is not None:
        query = CompiledQuery.from_bytes(payload)
    else:
        query = compile_query(data, build, spine.schema())
        try:
            cache.put(name, FORMAT, key, query.to_bytes())
        except OSError as exc:  # a cache that cannot be written costs the next night time only
            log.warning("query cache: cannot keep the compiled %s (%s)", name, exc)
    return run_query(data, query, spine)


def active_features(data: DataSet, as_of: date, cache: QueryCache | None = None) -> pd.DataFrame:
    """Every active case's features on `as_of`, rows in any order, as `build_features` gives
    them (with the default rules and settings)."""
    return cached_frame(
        data, FEATURES, lambda s: build_features(data, s), active_spine(data, as_of), cache
    )
