"""Tonight's list as files: deterministic Parquet and CSV, and an Excel book for investigators."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from felrisk import swedish
from felrisk.contract import BENEFIT_NAMES_SV as BENEFIT_NAMES
from felrisk.contract import BENEFITS
from felrisk.safeio import atomic_write, write_bytes, write_text
from scoring.config import LANES
from scoring.selection import LIST_COLUMNS
from scoring.xlsx_rows import rows_xml, splice_rows

REASON_COLUMNS: tuple[str, ...] = ("reason_1", "reason_2", "reason_3")
FINAL_COLUMNS: tuple[str, ...] = (*LIST_COLUMNS, *REASON_COLUMNS, "reason_features", "notice")

_ARROW_TYPES = {
    "as_of": pa.date32(),
    "rank": pa.int64(),
    "hard_rule_break": pa.bool_(),
    "selection_probability": pa.float64(),
    "probability": pa.float64(),
    "expected_wrong_sek": pa.float64(),
    "intent_probability": pa.float64(),
    "score": pa.float64(),
}
LIST_SCHEMA = pa.schema([pa.field(c, _ARROW_TYPES.get(c, pa.string())) for c in FINAL_COLUMNS])

_ROUND = {
    "probability": 6,
    "intent_probability": 6,
    "score": 6,
    "selection_probability": 9,
    "expected_wrong_sek": 2,
}

# Headings and table cells: the contract's names with a capital first letter.
BENEFIT_NAMES_SV = {code: name[:1].upper() + name[1:] for code, name in BENEFIT_NAMES.items()}
# What kind of control a lane is, never what the person is suspected of.
LANE_NAMES_SV = {
    "verifiering": "Kontroll i handläggningen",
    "kontrollutredning": "Kontrollutredning",
}
LANE_HEADER_SV = "Kontrollform"
SELECTION_NAMES_SV = {"model": "Modellurval", "exploration": "Slumpmässigt urval"}

# Readable Swedish headers for the Excel book, in the order investigators read them. The intent
# probability (it decides the lane) is never shown: the list says what kind of control, not what
# the person is suspected of; the Parquet and CSV files keep it for monitoring.
EXCEL_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("rank", "Rang", 7),
    ("control_id", "Kontroll-id", 24),
    ("case_id", "Ärende", 14),
    ("person_id", "Person", 14),
    ("selection", "Urval", 18),
    ("hard_rule_break", "Bryter samordningsregel", 14),
    ("probability", "Sannolikhet för fel", 12),
    ("expected_wrong_sek", "Förväntat felaktigt belopp (kr)", 16),
    ("selection_probability", "Urvalssannolikhet", 12),
    ("reason_1", "Skäl 1", 70),
    ("reason_2", "Skäl 2", 70),
    ("reason_3", "Skäl 3", 70),
    ("notice", "Meddelande till personen", 90),
)


# OWASP's rule against CSV and formula injection: text starting with one of these is a formula or
# a command to a spreadsheet, so it is written with a leading apostrophe and read as plain text.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def inert_text(value: object) -> object:
    """`value` as a spreadsheet shows it and never runs it: risky text gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell of `frame` passed through inert_text (numbers and dates untouched)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(inert_text)
    return out


def percent_sv(share: float | None) -> str:
    """A share as Swedish percent with one decimal ("57,5 %"); "–" when unknown."""
    return swedish.percent(share, 1)


def finalize(lst: pd.DataFrame) -> pd.DataFrame:
    """The list in its published shape: fixed columns and types, values rounded for stable files."""
    out = lst.copy()
    for col in FINAL_COLUMNS:
        if col not in out.columns:
            out[col] = ""
    for col, digits in _ROUND.items():
        out[col] = out[col].astype("float64").round(digits)
    for col in (*REASON_COLUMNS, "reason_features", "notice"):
        out[col] = out[col].fillna("").astype(str)
    out["rank"] = out["rank"].astype("int64")
    out["hard_rule_break"] = out["hard_rule_break"].astype(bool)
    return out[list(FINAL_COLUMNS)].reset_index(drop=True)


def to_arrow(lst: pd.DataFrame) -> pa.Table:
    """The finalised list as an Arrow table with the list schema and no metadata."""
    frame = lst.copy()
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
    table = pa.Table.from_pandas(frame[list(FINAL_COLUMNS)], preserve_index=False)
    return table.cast(LIST_SCHEMA).replace_schema_metadata(None)


def write_parquet(lst: pd.DataFrame, path: Path) -> Path:
    """Parquet without timestamps or pandas metadata: same list, same bytes."""
    with atomic_write(path) as fh:
        pq.write_table(to_arrow(lst), fh, compression="zstd", write_statistics=True)
    return path


def write_csv(lst: pd.DataFrame, path: Path) -> Path:
    """UTF-8 CSV, '\\n' line ends, floats as their shortest round-trip text (stable)."""
    frame = lst.copy()
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.strftime("%Y-%m-%d")
    text = inert_frame(frame).to_csv(index=False, lineterminator="\n", na_rep="")
    return write_text(path, text)


def _sheet_name(benefit: str, lane: str) -> str:
    return f"{benefit} {LANE_NAMES_SV[lane]}"[:31]


def _sheet_value(col: str, value):
    if col == "selection":
        return SELECTION_NAMES_SV.get(value, value)
    if col == "hard_rule_break":
        return "Ja" if bool(value) else "Nej"
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return inert_text(value)


def write_excel(lst: pd.DataFrame, path: Path, *, as_of, model_label: str) -> Path:
    """One sheet per benefit and lane: Swedish headers, filters on, header row frozen."""
    wb = Workbook()
    summary = wb.active
    summary.title = "Översikt"
    summary.append(["Kontrollista", as_of.isoformat()])
    summary.append(["Modell", inert_text(model_label)])
    summary.append([])
    summary.append(["Förmån", LANE_HEADER_SV, "Antal ärenden", "Varav slumpmässigt urval", "Flik"])
    bold = Font(bold=True)
    for cell in summary[4]:
        cell.font = bold
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    rows: dict = {}
    for benefit in BENEFITS:
        for lane in LANES:
            part = lst[(lst["benefit"] == benefit) & (lst["lane"] == lane)].sort_values("rank")
            if part.empty:
                continue
            name = _sheet_name(benefit, lane)
            n_random = int((part["selection"] == "exploration").sum())
            summary.append(
                [BENEFIT_NAMES_SV[benefit], LANE_NAMES_SV[lane], len(part), n_random, name]
            )
            ws = wb.create_sheet(name)
            ws.append([header for _, header, _ in EXCEL_COLUMNS])
            for cell in ws[1]:
                cell.font = bold
                cell.fill = header_fill
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            cols = [c for c, _, _ in EXCEL_COLUMNS]
            values = (
                [_sheet_value(c, v) for c, v in zip(cols, row, strict=True)]
                for row in part[cols].itertuples(index=False, name=None)
            )
            for i, (_, _, width) in enumerate(EXCEL_COLUMNS, start=1):
                ws.column_dimensions[get_column_letter(i)].width = width
            last = get_column_letter(len(EXCEL_COLUMNS))
            ws.auto_filter.ref = f"A1:{last}{len(part) + 1}"
            ws.freeze_panes = "A2"
            # the rows go in as text after the save (scoring/xlsx_rows.py: same bytes, faster)
            rows[ws] = (rows_xml(values, 2), (f"A1:{last}1", f"A1:{last}{len(part) + 1}"))
    for col, width in zip("ABCDE", (30, 20, 14, 22, 26), strict=True):
        summary.column_dimensions[col].width = width
    stamp = datetime(as_of.year, as_of.month, as_of.day)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "felrisk"
    buf = io.BytesIO()
    wb.save(buf)
    sheets = {ws.path.lstrip("/"): data for ws, data in rows.items()}
    return write_bytes(path, _fixed_zip(buf.getvalue(), stamp, sheets))


def _fixed_zip(
    book: bytes, stamp: datetime, sheets: dict[str, tuple[str, tuple[str, str]]]
) -> bytes:
    """The workbook's zip again with every entry dated `stamp`, document times included, and
    `sheets`' rows (entry: rows as text, the dimension from and to) spliced into their sheets.

    openpyxl dates the zip entries and docProps/core.xml's `modified` with the clock; a list
    must be the same bytes when remade.
    """
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(book)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename in sheets:
                text, dimension = sheets[item.filename]
                data = splice_rows(data, text, dimension)
            if item.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + when.encode() + rb"\g<2>",
                    data,
                )
            info = zipfile.ZipInfo(item.filename, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, data)
    return out.getvalue()
