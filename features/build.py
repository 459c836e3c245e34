"""The one feature function: spines (active cases on a date, controls) to one Ibis feature table.

Training and the nightly job call the same `build_features`; only their spines differ.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from features.context import BuildContext
from features.pit import day, known_by_date, month_index
from features.registry import FAMILY_MODULES, REGISTRY, categorical_features, feature_names
from features.settings import FeatureSettings, load_feature_settings
from felrisk.datadir import DataSet, open_data
from felrisk.rules import CoordinationRules, load_rules
from felrisk.safeio import atomic_write
from felrisk.validate import validate_data

__all__ = [
    "ID_COLUMNS",
    "active_spine",
    "build_context",
    "build_features",
    "categorical_features",
    "control_spine",
    "execute_features",
    "feature_names",
    "feature_table_columns",
    "paid_cases",
    "write_feature_table",
]

# The feature table's id columns, before the features: what a row is about and as of when.
ID_COLUMNS = ("case_id", "person_id", "benefit", "as_of")
CASE_KEYS = ["case_id", "as_of_day"]
PERSON_KEYS = ["person_id", "as_of_day"]


def active_spine(data: DataSet, as_of: date, settings: FeatureSettings | None = None) -> ir.Table:
    """Every case active on `as_of` (D): a payment known by D-1 covers a day in D-90 .. D-1.

    Columns case_id, as_of (date).
    """
    settings = settings or load_feature_settings()
    return paid_cases(data["payments"], as_of, settings.active_window_days)


def paid_cases(payments: ir.Table, as_of: date, days: int) -> ir.Table:
    """The cases of `payments` (the contract's table or some of its rows) with a payment known by
    D-1 that covers a day in D-`days` .. D-1. Columns case_id, as_of (date)."""
    p = payments
    last = ibis.literal(as_of - timedelta(days=1), "date")
    first = ibis.literal(as_of - timedelta(days=days), "date")
    act = p.filter(
        known_by_date(p, "payments", as_of), p.period_end >= first, p.period_start <= last
    )
    return act.select("case_id").distinct().mutate(as_of=ibis.literal(as_of, "date"))


def control_spine(data: DataSet, *, closed_before: date | None = None) -> ir.Table:
    """Training's spine: one row per control (control_id, case_id, as_of = selected_date).

    `closed_before` keeps only controls closed before that date (outcome known then).
    """
    c = data["controls"]
    if closed_before is not None:
        c = c.filter(known_by_date(c, "controls", closed_before, column="closed_date"))
    return c.select("control_id", "case_id", as_of=c.selected_date.cast("date"))


def _keys(tables: dict[str, ir.Table], spine: ir.Table, settings: FeatureSettings) -> ir.Table:
    s = spine.select(
        "case_id", as_of_day=day(spine.as_of), as_of_ym=month_index(spine.as_of)
    ).distinct()
    c = tables["cases"]
    k = s.join(c, "case_id")
    return k.select(
        "case_id",
        "as_of_day",
        "as_of_ym",
        "person_id",
        "benefit",
        "child_id",
        "employment_type",
        ied_day=day(k.insured_event_date),
        opened_day=day(k.opened_date),
        granted_hours=k.granted_hours_per_week,
        lo=k.as_of_day - settings.window_days,
        hi=k.as_of_day - 1,
    )


def build_context(
    data: DataSet | dict[str, ir.Table],
    spine: ir.Table,
    rules: CoordinationRules | None = None,
    config: FeatureSettings | None = None,
) -> BuildContext:
    """What every family builder receives for `spine` (case_id, as_of): tables, keys, rules."""
    tables = data.tables if isinstance(data, DataSet) else data
    settings = config or load_feature_settings()
    return BuildContext(tables, _keys(tables, spine, settings), rules or load_rules(), settings)


def build_features(
    data: DataSet | dict[str, ir.Table],
    spine: ir.Table,
    rules: CoordinationRules | None = None,
    config: FeatureSettings | None = None,
    families: tuple[str, ...] | None = None,
) -> ir.Table:
    """One Ibis expression: the spine's columns, person_id, benefit, then every registry feature.

    One row per spine row; each row is computed as of its own `as_of` from rows known by
    as_of - 1. Extra spine columns (e.g. control_id) pass through. `families` limits the build
    to those registry families (tests, facts); the default is every feature.
    """
    ctx = build_context(data, spine, rules, config)
    tables = ctx.tables
    passthrough = [c for c in spine.columns if c not in ("person_id", "benefit")]
    modules = [m for m in FAMILY_MODULES if families is None or m.FAMILY in families]
    registry = {n: f for n, f in REGISTRY.items() if families is None or f.family in families}

    c = tables["cases"].select(k_case="case_id", person_id="person_id", benefit="benefit")
    base = spine.select(*passthrough).mutate(as_of_day=day(spine.as_of))
    base = base.left_join(c, base.case_id == c.k_case).drop("k_case")
    # One join chain (not nested selects): keeps the compiled query flat for DuckDB and Catalyst.
    out = base
    for i, part in enumerate(p for module in modules for p in module.build(ctx)):
        keys = CASE_KEYS if "case_id" in part.columns else PERSON_KEYS
        renamed = part.rename({f"_k{i}_{k}": k for k in keys})
        out = out.left_join(renamed, [base[k] == renamed[f"_k{i}_{k}"] for k in keys])
    features = {}
    for name, f in registry.items():
        col = out[name]
        if f.fill is not None:
            col = col.fill_null(f.fill)
        features[name] = col.cast(f.dtype)
    passthrough_cols = {c: out[c] for c in passthrough}
    return out.select(**passthrough_cols, person_id=out.person_id, benefit=out.benefit, **features)


def execute_features(data: DataSet, expr: ir.Table, order_by: list[str]) -> pa.Table:
    """Execute a feature expression into Arrow, rows sorted by `order_by` (unique keys).

    The row order comes from the sort, not from the engine: DuckDB may then drop its
    insertion order while executing (several percent faster), and Spark never had one.
    """
    with data.any_row_order():
        table = data.con.to_pyarrow(expr)
    return table.take(pc.sort_indices(table, sort_keys=[(k, "ascending") for k in order_by]))


def feature_table_columns() -> list[str]:
    """The columns of the table `felrisk features` writes, in order: the ids, then every feature."""
    return [*ID_COLUMNS, *feature_names(False)]


def write_feature_table(
    data_dir: Path,
    as_of: date,
    out: Path,
    engine: str = "duckdb",
    console: Any = None,
) -> Path:
    """Validate the data, build features for every active case on `as_of`, write Parquet atomically.

    Columns case_id, person_id, benefit, as_of, then the features; rows sorted by case_id.
    """
    data_dir, out = Path(data_dir), Path(out)
    validate_data(data_dir)
    data = open_data(data_dir, engine=engine)
    expr = build_features(data, active_spine(data, as_of))
    expr = expr.select(*feature_table_columns())
    table = execute_features(data, expr, ["case_id"])
    table = table.cast(
        pa.schema(
            [f if f.name != "as_of" else pa.field("as_of", pa.date32()) for f in table.schema]
        )
    ).replace_schema_metadata(None)
    with atomic_write(out) as fh:  # owner-only: a row per person's case
        pq.write_table(table, fh, compression="zstd")
    if console is not None:
        console.print(
            f"{table.num_rows} active cases on {as_of}: {len(feature_names(False))} features -> {out}"
        )
    return out
