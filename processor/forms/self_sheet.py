"""Rubric -> the township's self-assessment sheet (自评表): the evaluators' sheet with its title,
its 自评人员 label, its signatures and its hidden metadata marked 自评, so that it can never be
taken for an evaluator's sheet. The batch reads it beside the evaluators' sheets and shows its
gap to the result; it never counts in the grade."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import PatternFill

from .. import constants as C
from ..rules.rubric import Rubric
from .score_sheet import TITLE_ROW, build_score_sheet

SELF_FILL = PatternFill("solid", fgColor="FCE4D6")  # the title band of a self-assessment
SIGN_SELF = "自评人员（签字）"


def build_self_sheet(rubric: Rubric) -> Workbook:
    wb = build_score_sheet(rubric)
    ws = wb[C.SCORE_SHEET]
    title = ws.cell(TITLE_ROW, 1)
    title.value = f"《{rubric.title}》（乡镇自评表，不作为评定得分）"
    title.fill = SELF_FILL
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == C.LABEL_INSPECTORS:
                cell.value = C.LABEL_SELF
            elif cell.value == C.LABEL_SIGN_INSPECTORS:
                cell.value = SIGN_SELF
            elif isinstance(cell.value, str) and cell.value.startswith("填写说明："):
                cell.value = cell.value.replace("评定人员", "自评人员").replace(
                    "填写说明：", "填写说明（乡镇自评）：", 1
                )
    meta = wb[C.META_SHEET]
    meta["A4"], meta["B4"] = C.META_KIND_LABEL, C.KIND_SELF
    return wb
