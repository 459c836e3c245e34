"""One pandera schema per contract table, derived from the contract spec (the single source)."""

from __future__ import annotations

from functools import cache

import ibis.expr.datatypes as dt
import pandas as pd
import pandera.pandas as pa
import pyarrow

from felrisk.contract import Column, TableSpec, table_spec

IBIS_TYPES: dict[str, dt.DataType] = {
    "str": dt.String(),
    "date": dt.Date(),
    "float": dt.Float64(),
    "bool": dt.Boolean(),
    "int": dt.Int64(),
}


def pandas_type(col: Column) -> pd.ArrowDtype:
    """The column's type as pandas holds it when read with Arrow types (`types_mapper`)."""
    return pd.ArrowDtype(col.arrow_type)


def schema_frame(table: pyarrow.Table, spec: TableSpec) -> pd.DataFrame:
    """Rows of a contract table as its pandera schema reads them: Arrow-typed pandas columns.

    Cast to the contract's Arrow types first: Arrow's string kinds (string, large_string,
    string_view, as readers choose) are one type to the contract, as they are to Ibis.
    """
    target = pyarrow.schema([pyarrow.field(c.name, c.arrow_type) for c in spec.columns])
    return table.select(list(spec.column_names)).cast(target).to_pandas(types_mapper=pd.ArrowDtype)


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
        {c.name: pa.Column(pandas_type(c), _checks(c), nullable=c.nullable) for c in spec.columns},
        name=spec.name,
        strict=False,  # the contract allows documented optional columns beside these
    )


@cache
def contract_schema(name: str) -> pa.DataFrameSchema:
    """The pandera schema of contract table `name`: types, nulls, codes, ranges.

    Pandas backend on Arrow-typed columns (`to_pandas(types_mapper=pd.ArrowDtype)`): the same
    checks as the Ibis backend, in memory, without a query per column and check.
    """
    return _schema(table_spec(name))
