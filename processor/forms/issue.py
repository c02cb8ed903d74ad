"""Roster -> one score sheet per township, its name filled in and locked, named after it, so
that names are never mistyped on site."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from openpyxl.styles import PatternFill, Protection

from .. import constants as C
from ..outputs.filenames import file_names
from ..outputs.publish import staging
from ..rules.rubric import Rubric
from ..xlsx.save import save_reproducibly
from .blank import saved_on, score_sheet_bytes
from .locate import label_value_cell

ISSUED_FILL = PatternFill("solid", fgColor="E2EFDA")  # filled by the office, not by the inspector


def issue_sheets(
    townships: list[str], output: Path, rubric: Rubric, self_assessment: bool = False
) -> list[Path]:
    """Write ``<乡镇>评分表.xlsx`` for every township into ``output`` (atomically, as a set); the
    township's self-assessment ``<乡镇>自评表.xlsx`` when ``self_assessment``."""
    names = file_names(townships, "自评表.xlsx" if self_assessment else "评分表.xlsx")
    blank = score_sheet_bytes(rubric, self_assessment)
    wb = openpyxl.load_workbook(io.BytesIO(blank))  # once: each pass changes one cell
    ws = wb[C.SCORE_SHEET]
    cell = label_value_cell(ws, C.LABEL_TOWNSHIP)
    for merged in ws.merged_cells.ranges:
        if cell.coordinate in merged:
            for row in ws.iter_rows(
                min_row=merged.min_row, max_row=merged.max_row, min_col=merged.min_col, max_col=merged.max_col
            ):
                for part in row:
                    part.protection = Protection(locked=True)
                    part.fill = ISSUED_FILL
    with staging(output) as stage:
        for township in townships:
            cell.value = township
            save_reproducibly(wb, stage.path(names[township]), saved_on(rubric))
        return stage.commit()
