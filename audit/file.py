"""`felrisk audit-selection`: the equal-treatment audit of a selection file (CSV or Parquet)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from audit.burden import (
    VERDICT_FAILS,
    VERDICT_OPEN,
    VERDICT_TOO_FEW,
    VERDICT_WITHIN,
    AuditResult,
    equal_treatment,
)
from audit.plot import plot_equal_burden
from audit.policy import load_audit_policy
from felrisk.errors import ContractError
from felrisk.safeio import make_dir, write_text

_ERROR = "_is_error"


def _read(file: Path) -> pd.DataFrame:
    if not file.is_file():
        raise ContractError(f"selection file not found: {file}")
    suffix = file.suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(file)
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(file)
    except (ValueError, OSError) as exc:
        raise ContractError(f"{file}: cannot be read as {suffix[1:]}: {exc}") from exc
    raise ContractError(f"{file}: expected a .csv or .parquet file, got {suffix or 'no suffix'!r}")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _split_many_values(
    frame: pd.DataFrame, group: str, random: pd.Series, max_values: int
) -> tuple[pd.Series, float | None]:
    """The group column as is, or split at the random stream's median when it has many values."""
    values = frame[group]
    if values.nunique(dropna=True) <= max_values:
        return values, None
    if not pd.api.types.is_numeric_dtype(values):
        raise ContractError(
            f"column {group!r} has {values.nunique()} distinct values and is not numeric: "
            f"at most {max_values} groups can be audited"
        )
    median = float(values[random].median())
    low, high = f"<={_number(median)} (median)", f">{_number(median)} (median)"
    split = pd.Series(low, index=frame.index, dtype=object).where(values <= median, high)
    return split.where(values.notna(), None), median


def _write_json_atomic(data: dict, path: Path) -> None:
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _fmt(value: float, pct: bool = False) -> str:
    if pd.isna(value):
        return "-"
    if np.isinf(value):
        return "inf"
    return f"{value:.1%}" if pct else f"{value:.2f}"


_SHORT_VERDICT = {
    VERDICT_FAILS: "[bold red]FAILS[/]",
    VERDICT_WITHIN: "within",
    VERDICT_OPEN: "unclear",
    VERDICT_TOO_FEW: "too few",
}


def _print_table(result: AuditResult, console: Console) -> None:
    low_band, high_band = result.band
    table = Table(
        title=(
            f"Equal burden by {result.group_column}: ratio = share of selection / share of random"
            f" errors, band {low_band}-{high_band}. Hit rate random"
            f" {_fmt(result.hit_rate_random[0], True)} of {result.n_random},"
            f" selected {_fmt(result.hit_rate_selected[0], True)} of {result.n_selected}"
        )
    )
    headers = ("group", "random", "rnd err", "selected", "ratio", "interval", "hit rate", "FPR x")
    for col in (*headers, "verdict"):
        table.add_column(col, justify="left" if col in ("group", "verdict") else "right")
    for label, g in result.table().iterrows():
        table.add_row(
            str(label),
            _fmt(g["share_random"], True),
            _fmt(g["share_random_errors"], True),
            _fmt(g["share_selected"], True),
            _fmt(g["equal_burden_ratio"]),
            f"{_fmt(g['equal_burden_ratio_low'])}-{_fmt(g['equal_burden_ratio_high'])}",
            _fmt(g["hit_rate_selected"], True),
            _fmt(g["fpr_ratio"]),
            _SHORT_VERDICT[g["verdict"]],
        )
    console.print(table)


def audit_selection_file(
    file: Path,
    *,
    group: str,
    out: Path,
    selection_column: str = "selection",
    random_value: str = "random",
    outcome_column: str = "outcome",
    error_values: tuple[str, ...] = ("error_customer", "error_fk", "suspected_crime"),
    band_low: float | None = None,
    band_high: float | None = None,
    seed: int | None = None,
    console: Console | None = None,
) -> dict:
    """Audit a selection file (one row per control) and write `out/audit.json` and `out/equal_burden.png`.

    Rows whose `selection_column` equals `random_value` are the random stream (those without an
    outcome are left out and counted); every other row is selected. A control is an error when
    its `outcome_column` is one of `error_values`; a selected row without an outcome counts as
    unknown. A numeric group column with more distinct values than audit.toml's
    `max_group_values` (such as income) is split at the random stream's median. The band and seed
    are the audit policy's (audit.toml) unless given; bootstrap resamples (`resamples.file`) and
    interval level always are. Returns the audit.json content.

    Raises ContractError naming the column or file for bad input: file not found or unreadable,
    a missing column, no random rows, no error values present, or too many non-numeric groups.
    """
    file, out = Path(file), Path(out)
    config = load_audit_policy()
    frame = _read(file)
    for col in (selection_column, outcome_column, group):
        if col not in frame.columns:
            raise ContractError(
                f"{file}: no column {col!r} (columns: {', '.join(map(str, frame.columns))})"
            )
    is_random = frame[selection_column].astype(str).str.strip() == random_value
    if not is_random.any():
        seen = ", ".join(map(str, frame[selection_column].dropna().unique()[:10]))
        raise ContractError(
            f"{file}: no random rows: column {selection_column!r} never equals {random_value!r}"
            f" (values: {seen})"
        )
    outcome = frame[outcome_column]
    if not outcome.isin(error_values).any():
        seen = ", ".join(map(str, outcome.dropna().unique()[:10]))
        raise ContractError(
            f"{file}: column {outcome_column!r} holds none of the error values "
            f"{', '.join(error_values)} (values: {seen})"
        )
    groups, median = _split_many_values(frame, group, is_random, config.max_group_values)
    audit_frame = pd.DataFrame(
        {group: groups, _ERROR: outcome.isin(error_values).where(outcome.notna(), None)}
    )
    random_rows = audit_frame[is_random & outcome.notna()]
    result = equal_treatment(
        random_rows,
        audit_frame[~is_random],
        group,
        error_col=_ERROR,
        band=(
            config.band_low if band_low is None else band_low,
            config.band_high if band_high is None else band_high,
        ),
        n_boot=config.resamples.file,
        seed=config.seed if seed is None else seed,
        level=config.ci_level,
        min_random_errors=config.min_random_errors,
    )
    with file.open("rb") as fh:
        sha256 = hashlib.file_digest(fh, "sha256").hexdigest()
    report = result.to_dict() | {
        "file": str(file),
        "file_sha256": sha256,
        "selection_column": selection_column,
        "random_value": random_value,
        "outcome_column": outcome_column,
        "error_values": list(error_values),
        "n_random_without_outcome": int((is_random & outcome.isna()).sum()),
        "split_at_median": median,
    }
    make_dir(out)
    _write_json_atomic(report, out / "audit.json")
    plot_equal_burden(result, out / "equal_burden.png")
    _print_table(result, console if console is not None else Console(stderr=True))
    return report
