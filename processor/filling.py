"""Fill the real template as an inspector would, for the example round, the tests and the
benchmark. Every filled sheet starts from the committed template, so they follow the rubric."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path

import openpyxl

from . import constants as C
from .rubric import Rubric
from .template import save_reproducibly

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
SCORE_SHEET_TEMPLATE = TEMPLATES_DIR / C.SCORE_SHEET_TEMPLATE

_UNSET = object()


def item_rows(ws) -> dict[str, int]:
    """Item code -> row, read from the 编号 column of the template's header row."""
    for row in ws.iter_rows(max_row=20):
        for cell in row:
            if cell.value == C.COL_CODE:
                code_col, header_row = cell.column, cell.row
                return {
                    str(ws.cell(r, code_col).value): r
                    for r in range(header_row + 1, ws.max_row + 1)
                    if ws.cell(r, code_col).value
                }
    raise ValueError("template has no 编号 column")


def column_of(ws, title: str) -> int:
    for row in ws.iter_rows(max_row=20):
        for cell in row:
            if cell.value == title:
                return cell.column
    raise ValueError(f"template has no {title} column")


def label_value_cell(ws, label: str):
    """The input cell right of a label (past the label's merged range)."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == label:
                end = cell.column
                for merged in ws.merged_cells.ranges:
                    if cell.coordinate in merged:
                        end = merged.max_col
                return ws.cell(cell.row, end + 1)
    raise ValueError(f"template has no label {label}")


def fill_sheet(
    path: Path,
    rubric: Rubric,
    township: object = "东山镇",
    scores: Mapping[str, object] | None = None,
    remarks: Mapping[str, str] | None = None,
    inspectors: object = "李明、王芳",
    date: object = dt.date(2022, 8, 15),
    opinion: str | None = None,
    template: Path = SCORE_SHEET_TEMPLATE,
    edit: Callable | None = None,
) -> Path:
    """Write a filled score sheet to ``path``. Every item the inspector enters gets its maximum
    unless ``scores`` says otherwise (a value of None leaves the cell blank); ``edit`` may change
    the openpyxl workbook further before it is saved (to make broken sheets for tests)."""
    wb = openpyxl.load_workbook(template)
    ws = wb[C.SCORE_SHEET]
    rows = item_rows(ws)
    score_col, remark_col = column_of(ws, C.COL_SCORE), column_of(ws, C.COL_REMARK)
    label_value_cell(ws, C.LABEL_TOWNSHIP).value = township
    label_value_cell(ws, C.LABEL_INSPECTORS).value = inspectors
    label_value_cell(ws, C.LABEL_DATE).value = date
    if opinion is not None:
        label_value_cell(ws, C.LABEL_OPINION).value = opinion
    given = dict(scores or {})
    for item in rubric.items:
        if not item.entered and item.code not in given:
            continue
        value = given.get(item.code, _UNSET)
        if value is _UNSET:
            value = _excel_number(item.maximum)
        ws.cell(rows[item.code], score_col).value = value
    for code, text in (remarks or {}).items():
        ws.cell(rows[code], remark_col).value = text
    if edit is not None:
        edit(wb)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_reproducibly(wb, path, dt.datetime(rubric.year, 1, 1))
    return path


def _excel_number(value):
    return int(value) if value == value.to_integral_value() else float(value)
