"""One pandera schema per contract table, derived from the contract spec (the single source)."""

from __future__ import annotations

from functools import cache

import ibis.expr.datatypes as dt
import pandera.ibis as pa

from felrisk.contract import Column, TableSpec, table_spec

IBIS_TYPES: dict[str, dt.DataType] = {
    "str": dt.String(),
    "date": dt.Date(),
    "float": dt.Float64(),
    "bool": dt.Boolean(),
    "int": dt.Int64(),
}


def _checks(col: Column) -> list[pa.Check]:
    checks = []
    if col.codes is not None:
        checks.append(pa.Check.isin(list(col.codes)))
    if col.min_value is not None:
        checks.append(pa.Check.ge(col.min_value))
    if col.max_value is not None:
        checks.append(pa.Check.le(col.max_value))
    return checks


def _schema(spec: TableSpec) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            c.name: pa.Column(IBIS_TYPES[c.type], _checks(c), nullable=c.nullable)
            for c in spec.columns
        },
        name=spec.name,
        strict=False,  # the contract allows documented optional columns beside these
    )


@cache
def contract_schema(name: str) -> pa.DataFrameSchema:
    """The pandera schema (Ibis backend) of contract table `name`: types, nulls, codes, ranges."""
    return _schema(table_spec(name))
