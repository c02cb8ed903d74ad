"""Fill the real score sheet as an inspector would, for the example round, the tests and the
benchmark (no command of the product uses it). Every filled sheet starts from the blank sheet
of its rubric (the same bytes as the committed template), so they follow the rubric."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Mapping
from pathlib import Path

import openpyxl

from . import constants as C
from .forms.blank import score_sheet_bytes
from .forms.locate import column_of, item_rows, label_value_cell
from .rules.rubric import Rubric
from .xlsx.save import save_reproducibly

__all__ = ["blank_sheet", "column_of", "fill_sheet", "item_rows", "label_value_cell"]

_UNSET = object()


def fill_sheet(
    path: Path,
    rubric: Rubric,
    township: object = "东山镇",
    scores: Mapping[str, object] | None = None,
    remarks: Mapping[str, str] | None = None,
    inspectors: object = "李明、王芳",
    date: object = dt.date(2022, 8, 15),
    opinion: str | None = None,
    template: Path | None = None,
    edit: Callable | None = None,
    self_assessment: bool = False,
) -> Path:
    """Write a filled score sheet to ``path``. Every item the inspector enters gets its maximum
    unless ``scores`` says otherwise (a value of None leaves the cell blank); ``edit`` may change
    the openpyxl workbook further before it is saved (to make broken sheets for tests);
    ``template`` is another file to start from instead of the rubric's blank sheet;
    ``self_assessment`` fills the township's self-assessment sheet instead."""
    wb = openpyxl.load_workbook(template) if template is not None else blank_sheet(rubric, self_assessment)
    ws = wb[C.SCORE_SHEET]
    rows = item_rows(ws)
    score_col, remark_col = column_of(ws, C.COL_SCORE), column_of(ws, C.COL_REMARK)
    label_value_cell(ws, C.LABEL_TOWNSHIP).value = township
    label_value_cell(ws, C.LABEL_SELF if self_assessment else C.LABEL_INSPECTORS).value = inspectors
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


def blank_sheet(rubric: Rubric, self_assessment: bool = False) -> openpyxl.Workbook:
    """The rubric's blank score sheet (or self-assessment sheet), opened with openpyxl."""
    return openpyxl.load_workbook(io.BytesIO(score_sheet_bytes(rubric, self_assessment)))


def _excel_number(value):
    return int(value) if value == value.to_integral_value() else float(value)
