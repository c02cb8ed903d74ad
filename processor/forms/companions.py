"""The clerk's companion tables, blank: case counts (单位, 办件数量), the criticism record (乡镇,
日期, 来源, 事由, 处理) and, for a rubric with veto matters, the veto record, with their lists and
notes (openpyxl)."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .. import constants as C
from ..rules.rubric import Rubric
from ..rules.settings import Settings
from .score_sheet import BOLD, BOX, CENTER, HEADER_FILL


def build_case_counts(rubric: Rubric) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = C.CASE_COUNTS_SHEET
    _table_header(ws, [(C.COL_UNIT, 20), (C.COL_CASES, 12)])
    dv = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        error="办件数量为0或正整数",
        errorTitle="办件数量无效",
    )
    dv.add("B2:B1000")
    ws.add_data_validation(dv)
    computed = "、".join(i.code for i in rubric.computed_items)
    ws["D1"] = (
        f"说明：每个参加{computed}办件量排名的单位一行（含派出所等非参评单位）；"
        "单位名称与评分表的乡镇名称一致；办件数量填整数，没有办件填0。"
    )
    ws["D1"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["D"].width = 40
    return wb


def build_criticisms(settings: Settings) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = C.CRITICISMS_SHEET
    _table_header(
        ws,
        [
            (C.COL_C_TOWNSHIP, 14),
            (C.COL_C_DATE, 12),
            (C.COL_C_SOURCE, 16),
            (C.COL_C_REASON, 40),
            (C.COL_C_ACTION, 14),
        ],
    )
    sources = DataValidation(type="list", formula1='"' + ",".join(settings.sources) + '"', allow_blank=True)
    sources.add("C2:C500")
    actions = DataValidation(
        type="list", formula1='"' + ",".join(C.CRITICISM_ACTIONS) + '"', allow_blank=True
    )
    actions.add("E2:E500")
    ws.add_data_validation(sources)
    ws.add_data_validation(actions)
    ws["G1"] = (
        "说明：每次通报批评或媒体曝光一行。“处理”留空：评定时按方案降低一个等级（同一乡镇多条留空的记录合计降低一个等级）；"
        "等级确定后再被通报批评的，由领导小组视情决定，在“处理”中选择降低等级或取消等级。"
    )
    ws["G1"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["G"].width = 40
    return wb


def build_vetoes(rubric: Rubric) -> Workbook:
    """The record of 一票否决 events, for a rubric whose grading lists veto matters."""
    wb = Workbook()
    ws = wb.active
    ws.title = C.VETOES_SHEET
    _table_header(
        ws, [(C.COL_V_TOWNSHIP, 14), (C.COL_V_DATE, 12), (C.COL_V_MATTER, 30), (C.COL_V_REASON, 40)]
    )
    matters = DataValidation(
        type="list",
        formula1='"' + ",".join(rubric.grading.vetoes) + '"',
        allow_blank=True,
        showErrorMessage=True,
    )
    matters.add("C2:C500")
    ws.add_data_validation(matters)
    ws["F1"] = (
        "说明：每个一票否决事项一行；否决事项从下拉列表选择（评分标准中的一票否决事项）。有记录的乡镇不予评定等级。"
    )
    ws["F1"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["F"].width = 40
    return wb


def build_adjustments(settings: Settings) -> Workbook:
    """The leading group's decisions after publication (processor adjust), one a row."""
    wb = Workbook()
    ws = wb.active
    ws.title = C.ADJUSTMENTS_SHEET
    _table_header(
        ws,
        [
            (C.COL_A_TOWNSHIP, 14),
            (C.COL_A_YEAR, 10),
            (C.COL_A_DATE, 12),
            (C.COL_A_SOURCE, 16),
            (C.COL_A_REASON, 40),
            (C.COL_A_ACTION, 14),
            (C.COL_A_NUMBER, 20),
        ],
    )
    sources = DataValidation(type="list", formula1='"' + ",".join(settings.sources) + '"', allow_blank=True)
    sources.add("D2:D500")
    actions = DataValidation(
        type="list",
        formula1='"' + ",".join(C.CRITICISM_ACTIONS) + '"',
        allow_blank=False,
        showErrorMessage=True,
        errorTitle="处理无效",
        error="请从列表中选择领导小组的决定",
    )
    actions.add("F2:F500")
    ws.add_data_validation(sources)
    ws.add_data_validation(actions)
    ws["I1"] = (
        "说明：等级确定（结果通报发布）后被通报批评或媒体曝光、领导小组决定降低等级或取消等级的，每项决定一行。"
        "“评定年度”留空表示该乡镇最近一轮的评定；“决定日期”是领导小组作出决定的日期，调整后的等级自该日起执行；"
        "“文号”是本次等级调整通报的文号。填好后运行 processor adjust 本表，登记并生成调整通报；原结果通报不变。"
    )
    ws["I1"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["I"].width = 48
    return wb


def _table_header(ws, columns) -> None:
    for i, (name, width) in enumerate(columns, start=1):
        cell = ws.cell(1, i, name)
        cell.font, cell.fill, cell.border, cell.alignment = BOLD, HEADER_FILL, BOX, CENTER
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
