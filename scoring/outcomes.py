"""Investigators' results back into `controls`: validated, matched to the issued lists, appended atomically.

Each result is looked up by control_id in the lists the nightly job issued, which gives back how
the case was selected (selected_date = the list's as-of date; `model`, or `random` with its
selection_probability for the exploration share). The whole file is refused when any row is bad,
unknown, already imported or in conflict with what `controls` holds: nothing is written then.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from felrisk.contract import ERROR_OUTCOMES, OUTCOMES
from felrisk.datadir import parquet_path, to_arrow
from felrisk.errors import ContractError, OutcomeImportError
from felrisk.safeio import atomic_write, path_lock, remove_leftover_files
from scoring.publish import published_lists
from scoring.selection import SELECTION_EXPLORATION, SELECTION_MODEL

log = logging.getLogger("felrisk.scoring")

RESULT_COLUMNS: tuple[str, ...] = (
    "control_id",
    "case_id",
    "outcome",
    "wrong_amount_sek",
    "closed_date",
)
# How a list's selection is recorded in the contract's `controls.selection` codes.
SELECTION_CODES = {SELECTION_MODEL: "model", SELECTION_EXPLORATION: "random"}
_LIST_COLUMNS = (
    "control_id",
    "as_of",
    "case_id",
    "person_id",
    "benefit",
    "selection",
    "selection_probability",
)
_MAX_LISTED = 20
CHUNK_ROWS = 100_000


@dataclass
class ImportResult:
    """What an import added to `controls`."""

    added: int
    completed: int
    controls_rows: int
    path: Path
    by_selection: dict[str, int] = field(default_factory=dict)


class _Refusals:
    """Problems found chunk by chunk: per rule, how many lines and the first few of them."""

    def __init__(self) -> None:
        self.found: dict[str, tuple[int, list[str]]] = {}

    def add(self, rows: pd.Series, text: str, frame: pd.DataFrame) -> None:
        """Note the lines (header is line 1) and control ids of `rows` under `text`."""
        if not rows.any():
            return
        bad = frame.loc[rows]
        n, shown = self.found.get(text, (0, []))
        ids = bad["control_id"].tolist() if "control_id" in bad else [""] * len(bad)
        room = _MAX_LISTED - len(shown)
        shown = shown + [
            f"line {line} ({c})" for line, c in list(zip(bad.index + 2, ids, strict=True))[:room]
        ]
        self.found[text] = (n + len(bad), shown)

    def messages(self) -> list[str]:
        out = []
        for text, (n, shown) in self.found.items():
            more = f" and {n - len(shown)} more" if n > len(shown) else ""
            out.append(f"{text}: {', '.join(shown)}{more}")
        return out


def _problem(problems: list[str], rows: pd.Series, text: str, frame: pd.DataFrame) -> None:
    """Add one problem naming the file lines (header is line 1) and control ids of `rows`."""
    found = _Refusals()
    found.add(rows, text, frame)
    problems.extend(found.messages())


def _separator(file: Path) -> str:
    """';' for a CSV as Swedish Excel saves it, else ','; only the header line is read."""
    try:
        with open(file, encoding="utf-8-sig", newline="") as fh:
            header = fh.readline(1 << 16)
    except UnicodeDecodeError as exc:
        raise OutcomeImportError(f"{file.name}: not a readable UTF-8 CSV file ({exc})") from exc
    return ";" if header.count(";") > header.count(",") else ","


def read_results(
    file: Path, *, today: date | None = None, chunk_rows: int = CHUNK_ROWS
) -> tuple[pd.DataFrame, list[str]]:
    """The results file parsed and typed, and every problem found in its rows.

    Read `chunk_rows` lines at a time, keeping only the five result columns, typed: memory grows
    with the results, not with the file's text. A result closed after `today` is refused.
    """
    file = Path(file)
    today = today or date.today()
    if not file.is_file():
        raise OutcomeImportError(f"results file not found: {file}")
    sep = _separator(file)
    found = _Refusals()
    parts = []
    try:
        chunks = pd.read_csv(
            file,
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
            sep=sep,
            chunksize=chunk_rows,
            usecols=lambda c: c.strip() in RESULT_COLUMNS,
        )
        for raw in chunks:
            parts.append(_typed_chunk(raw, file.name, sep, today, found))
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise OutcomeImportError(f"{file.name}: not a readable UTF-8 CSV file ({exc})") from exc
    if not parts:
        raise OutcomeImportError(f"{file.name}: no header line ({', '.join(RESULT_COLUMNS)})")
    out = pd.concat(parts)
    del parts  # the chunks or the whole, not both for long
    out["closed_date"] = out["closed_date"].dt.date
    dup = out["control_id"].duplicated(keep=False) & (out["control_id"] != "")
    found.add(dup, f"{file.name}: control_id repeated in the file", out)
    return out, found.messages()


def _typed_chunk(
    raw: pd.DataFrame, name: str, sep: str, today: date, found: _Refusals
) -> pd.DataFrame:
    """One chunk of results checked (problems into `found`) and typed."""
    raw.columns = [c.strip() for c in raw.columns]
    missing = [c for c in RESULT_COLUMNS if c not in raw.columns]
    if missing:
        raise OutcomeImportError(
            f"{name}: missing column(s) {', '.join(missing)}; expected {', '.join(RESULT_COLUMNS)}"
        )
    df = raw[list(RESULT_COLUMNS)].apply(lambda s: s.str.strip())
    if sep == ";":  # decimal commas and thousands spaces, as Swedish Excel writes them
        df["wrong_amount_sek"] = (
            df["wrong_amount_sek"].str.replace(r"[\s\u00a0]", "", regex=True).str.replace(",", ".")
        )
    found.add(df["control_id"] == "", f"{name}: control_id is empty", df)
    found.add(df["case_id"] == "", f"{name}: case_id is empty", df)
    found.add(
        ~df["outcome"].isin(OUTCOMES), f"{name}: outcome not one of {', '.join(OUTCOMES)}", df
    )
    closed = pd.to_datetime(df["closed_date"], format="%Y-%m-%d", errors="coerce")
    found.add(closed.isna(), f"{name}: closed_date is not a date (YYYY-MM-DD)", df)
    found.add(
        closed > pd.Timestamp(today),
        f"{name}: closed_date after today ({today.isoformat()})",
        df,
    )
    amount = pd.to_numeric(df["wrong_amount_sek"].replace("", np.nan), errors="coerce")
    bad_text = amount.isna() & (df["wrong_amount_sek"] != "")
    found.add(bad_text, f"{name}: wrong_amount_sek is not a number", df)
    found.add(np.isinf(amount), f"{name}: wrong_amount_sek is not a finite number", df)
    found.add(amount < 0, f"{name}: wrong_amount_sek is negative", df)
    is_error = df["outcome"].isin(ERROR_OUTCOMES)
    found.add(
        is_error & (df["wrong_amount_sek"] == ""),
        f"{name}: wrong_amount_sek is missing for an error outcome",
        df,
    )
    found.add(
        (df["outcome"] == "no_error") & (amount > 0),
        f"{name}: wrong_amount_sek above 0 with outcome no_error",
        df,
    )
    return df.assign(
        outcome=df["outcome"].astype("category"),  # a handful of codes: a byte per row
        closed_date=closed,
        wrong_amount_sek=amount.where(np.isfinite(amount), np.nan).fillna(0.0).astype(float),
    )


def issued_controls(lists_dir: Path) -> pd.DataFrame:
    """Every control the nightly job issued under LISTS (one folder per as-of date)."""
    lists_dir = Path(lists_dir)
    if not lists_dir.is_dir():
        raise OutcomeImportError(f"folder of issued lists not found: {lists_dir}")
    frames = []
    for _, f in published_lists(lists_dir):
        try:
            frames.append(pd.read_parquet(f, columns=list(_LIST_COLUMNS)))
        except (pa.ArrowException, KeyError) as exc:
            raise OutcomeImportError(f"{f}: not a readable issued list ({exc})") from exc
    if not frames:
        raise OutcomeImportError(f"no issued lists (DATE/control_list.parquet) in {lists_dir}")
    issued = pd.concat(frames, ignore_index=True)
    dup = issued["control_id"].duplicated(keep=False)
    if dup.any():
        ids = sorted(set(issued.loc[dup, "control_id"]))[:_MAX_LISTED]
        raise OutcomeImportError(f"issued lists in {lists_dir} repeat control_id {ids}")
    issued["as_of"] = pd.to_datetime(issued["as_of"]).dt.date
    return issued


def _existing_controls(data_dir: Path) -> pa.Table:
    path = parquet_path(data_dir, "controls")
    if Path(data_dir).is_file():
        raise ContractError(
            "outcomes import writes a Parquet data directory; a DuckDB data file is read-only here"
        )
    if not path.exists():
        raise ContractError(f"controls: table missing in {data_dir} (expected {path.name})")
    return pq.read_table(path)


def _same_result(new: pd.DataFrame, old: pd.DataFrame) -> pd.Series:
    """True where an already recorded outcome equals the imported one."""
    same_amount = np.isclose(
        new["wrong_amount_sek"].to_numpy(float),
        pd.to_numeric(old["wrong_amount_sek"]).fillna(0.0).to_numpy(float),
        atol=0.005,
    )
    return pd.Series(
        (new["outcome"].to_numpy() == old["outcome"].to_numpy())
        & (new["closed_date"].to_numpy() == pd.to_datetime(old["closed_date"]).dt.date.to_numpy())
        & same_amount,
        index=new.index,
    )


def match_results(
    results: pd.DataFrame, issued: pd.DataFrame, existing: pd.DataFrame
) -> tuple[pd.DataFrame, list[str]]:
    """Complete `controls` rows for the results, and every refusal (unknown, repeated, conflict)."""
    problems: list[str] = []
    known = results["control_id"].isin(issued["control_id"])
    _problem(problems, ~known, "unknown control_id (in no issued list)", results)
    m = results.merge(
        issued, on="control_id", how="left", suffixes=("", "_list"), validate="many_to_one"
    ).set_index(results.index)
    _problem(
        problems,
        known & (m["case_id"] != m["case_id_list"]),
        "case_id differs from the issued list",
        results,
    )
    _problem(
        problems,
        known & (m["closed_date"] < m["as_of"]),
        "closed_date before the list's as-of date (selected_date)",
        results,
    )
    prev = existing.drop_duplicates("control_id", keep="last").set_index("control_id")
    recorded = results["control_id"].isin(prev.index)
    closed_before = pd.Series(False, index=results.index)
    if recorded.any():
        old = prev.loc[results.loc[recorded, "control_id"]].set_index(results.index[recorded])
        has_outcome = old["outcome"].notna()
        same = _same_result(results.loc[recorded], old)
        closed_before.loc[recorded] = has_outcome.to_numpy()
        idx = results.index[recorded]
        repeat = pd.Series(False, index=results.index)
        repeat.loc[idx] = (has_outcome & same).to_numpy()
        conflict = pd.Series(False, index=results.index)
        conflict.loc[idx] = (has_outcome & ~same).to_numpy()
        other_case = pd.Series(False, index=results.index)
        other_case.loc[idx] = (old["case_id"].astype(str) != results.loc[idx, "case_id"]).to_numpy()
        _problem(problems, repeat, "already imported (same result recorded in controls)", results)
        _problem(
            problems, conflict, "conflicts with the outcome already recorded in controls", results
        )
        _problem(problems, other_case, "controls holds this control_id for another case", results)
    rows = pd.DataFrame(
        {
            "control_id": m["control_id"],
            "case_id": m["case_id"],
            "person_id": m["person_id"],
            "benefit": m["benefit"],
            "selected_date": m["as_of"],
            "selection": m["selection"].map(SELECTION_CODES),
            "selection_probability": np.where(
                m["selection"] == SELECTION_EXPLORATION,
                m["selection_probability"].astype(float),
                np.nan,
            ),
            "closed_date": m["closed_date"],
            "outcome": m["outcome"],
            "wrong_amount_sek": m["wrong_amount_sek"].astype(float),
        }
    )
    _problem(
        problems,
        known & rows["selection"].isna(),
        "the issued list holds an unknown selection code",
        results,
    )
    rows["_completes"] = recorded & ~closed_before
    return rows, problems


def append_controls(data_dir: Path, rows: pd.DataFrame, existing: pa.Table) -> int:
    """Write `controls` plus `rows` (replacing open rows they complete) atomically; return rows."""
    path = parquet_path(data_dir, "controls")
    completes = set(rows.loc[rows["_completes"], "control_id"])
    new = to_arrow("controls", rows.drop(columns="_completes"))
    keep = existing
    if completes:
        mask = pc.invert(pc.is_in(existing["control_id"], pa.array(sorted(completes))))
        keep = existing.filter(mask)
    extra = [f for f in keep.schema if f.name not in new.schema.names]
    for f in extra:
        new = new.append_column(f, pa.nulls(len(new), f.type))
    new = new.select(keep.schema.names).cast(keep.schema)
    table = pa.concat_tables([keep, new])
    expected = len(existing) - len(completes) + len(rows)
    kept_ids = set(existing["control_id"].to_pylist())
    with atomic_write(path) as fh:  # keeps the table's mode; the old table stays on any failure
        pq.write_table(table, fh, compression="zstd", row_group_size=1_000_000)
        fh.flush()
        back = pq.read_table(fh.name, columns=["control_id"])["control_id"]
        if len(back) != expected or not kept_ids <= set(back.to_pylist()):
            raise OSError(f"controls check failed after writing {fh.name}: rows would be lost")
    return expected


def import_outcomes(
    file: Path, *, lists_dir: Path, data_dir: Path, console=None, today: date | None = None
) -> ImportResult:
    """Add the investigators' results in FILE to DATA/controls.parquet, all rows or none.

    Raises OutcomeImportError (exit code 3) naming every refused line: bad values, unknown
    control ids, results imported before, and results that conflict with recorded outcomes.
    """
    data_dir = Path(data_dir)
    results, problems = read_results(Path(file), today=today)
    issued = issued_controls(Path(lists_dir))
    with path_lock(data_dir / ".controls.lock", "the controls table"):
        remove_leftover_files(data_dir)
        existing = _existing_controls(data_dir)
        existing_df = existing.select(
            ["control_id", "case_id", "outcome", "wrong_amount_sek", "closed_date"]
        ).to_pandas()
        rows, refused = match_results(results, issued, existing_df)
        problems += refused
        if problems:
            log.warning("outcomes import refused: %d problem(s)", len(problems))
            raise OutcomeImportError(
                f"outcomes import refused, nothing written to {parquet_path(data_dir, 'controls')}:\n  "
                + "\n  ".join(problems),
                problems,
            )
        total = append_controls(data_dir, rows, existing)
    completed = int(rows["_completes"].sum())
    by_sel = rows["selection"].value_counts().sort_index().to_dict()
    log.info(
        "outcomes import: %d row(s) into controls (%d completed open rows), now %d rows",
        len(rows),
        completed,
        total,
    )
    if console is not None:
        console.print(
            f"{len(rows)} utfall inlästa i controls ({', '.join(f'{k}: {v}' for k, v in by_sel.items())}); "
            f"tabellen har nu {total} rader."
        )
    return ImportResult(
        added=len(rows) - completed,
        completed=completed,
        controls_rows=total,
        path=parquet_path(data_dir, "controls"),
        by_selection={str(k): int(v) for k, v in by_sel.items()},
    )
