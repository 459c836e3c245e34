"""The rows written as text are the bytes openpyxl writes for them, awkward values included."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from scoring.xlsx_rows import cell_xml, rows_xml, splice_rows

HEADER = ["Rang", "Text", "Tal", "Mer"]
ROWS = [
    [1, "a & b < c > d", 0.796946, "Ärende åäö 😀"],
    [2, " leading blank", 21582.23, "trailing blank "],
    [3, "   ", -5, ""],
    [4, "=SUM(A1)", 1e20, "#N/A"],
    [5, "line\nbreak\ttab", 0.1 + 0.2, None],
    [6, None, 1e-7, "'=1+1"],
    [7, "x" * 40_000, 2**60, "="],
    [8, "#DIV/0!", float("inf"), "\u00a0nbsp\u00a0"],
    [None, None, None, None],
    [10, "\r\nwindows\r\n", 123456789012345678, "quote \" and ' apostrophe"],
    [11, "lone surrogate \ud800", -0.0, "]]> cdata end"],
]


def _sheet_xml(rows: list[list], *, spliced: bool) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    last = f"D{len(rows) + 1}"
    if not spliced:
        for row in rows:
            ws.append(row)
    ws.auto_filter.ref = f"A1:{last}"
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as z:
        sheet = z.read(ws.path.lstrip("/"))
    if spliced:
        sheet = splice_rows(sheet, rows_xml(rows, 2), ("A1:D1", f"A1:{last}"))
    return sheet


def test_spliced_rows_are_openpyxl_s_bytes():
    assert _sheet_xml(ROWS, spliced=True) == _sheet_xml(ROWS, spliced=False)


@pytest.mark.parametrize("value", ["bell\x07", "nul\x00", "vt\x0b"])
def test_characters_openpyxl_refuses_are_refused(value):
    with pytest.raises(IllegalCharacterError):
        Workbook().active.append([value])
    with pytest.raises(IllegalCharacterError):
        cell_xml("A1", value)


@pytest.mark.parametrize("value", [True, b"bytes", object()])
def test_values_it_does_not_write_are_a_type_error(value):
    with pytest.raises(TypeError):
        cell_xml("A1", value)


def test_a_sheet_laid_out_otherwise_is_refused():
    sheet = _sheet_xml([], spliced=False).replace(b"<dimension", b"<dim")
    with pytest.raises(ValueError, match="laid out"):
        splice_rows(sheet, rows_xml([[1]], 2), ("A1:D1", "A1:D2"))
