"""Rubric -> the blank score sheet (openpyxl).

The score sheet mirrors the official table: one row per item, categories merged down, a score
cell and a remark cell per item. It guides the inspector (validation, locked labels, A4 print)
but the batch trusts none of it: it reads items by their code and checks every score itself.
"""

from __future__ import annotations

import math
import unicodedata

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from .. import constants as C
from ..rules.rubric import Item, Rubric
from . import checks
from .checks import excel_number as _number

# Column widths in Excel units (about one Latin character; a Chinese character needs about 2).
WIDTHS = {
    C.COL_NUMBER: 5,
    C.COL_CATEGORY: 9,
    C.COL_CODE: 6,
    C.COL_NAME: 14,
    C.COL_CRITERIA: 50,
    C.COL_MAXIMUM: 6,
    C.COL_SCORE: 8,
    C.COL_REMARK: 26,
}
COL = {name: i for i, name in enumerate(C.SHEET_COLUMNS, start=1)}  # column title -> 1-based index
LETTER = {name: get_column_letter(i) for name, i in COL.items()}
LAST = get_column_letter(len(C.SHEET_COLUMNS))
CHECK = get_column_letter(len(C.SHEET_COLUMNS) + 1)  # hidden helper column, right of the table

TITLE_ROW, TOWNSHIP_ROW, INSPECTORS_ROW, HEADER_ROW = 1, 2, 3, 4
FIRST_ITEM_ROW = HEADER_ROW + 1

FONT = "宋体"
BODY = Font(name=FONT, size=10)
BOLD = Font(name=FONT, size=10, bold=True)
TITLE = Font(name="黑体", size=16, bold=True)
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # where the inspector writes
INVALID_FILL = PatternFill("solid", fgColor="FF9999", bgColor="FF9999")  # conditional: a score that is wrong
SOFT_FILL = PatternFill(
    "solid", fgColor="FFD966", bgColor="FFD966"
)  # conditional: a deduction with no reason
COMPUTED_FILL = PatternFill("solid", fgColor="E7E6E6")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
UNLOCKED = Protection(locked=False)
LINE_HEIGHT = 13.5  # points per line of 10-point text


def build_score_sheet(rubric: Rubric) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = C.SCORE_SHEET
    for name, width in WIDTHS.items():
        ws.column_dimensions[LETTER[name]].width = width

    _title(ws, rubric)
    _header_fields(ws, rubric)
    for name in C.SHEET_COLUMNS:
        cell = ws.cell(HEADER_ROW, COL[name], name)
        cell.font, cell.alignment, cell.fill, cell.border = BOLD, CENTER, HEADER_FILL, BOX

    row = FIRST_ITEM_ROW
    validations: dict[tuple[str, str], DataValidation] = {}
    subtotal_ranges = []
    for category in rubric.categories:
        items = rubric.items_of(category)
        first = row
        for item in items:
            _item_row(ws, row, item, rubric, validations)
            _check_cell(ws, row, item, rubric)
            row += 1
        last = row - 1
        subtotal_ranges.append((category, first, last))
        for name, value in ((C.COL_NUMBER, category.numeral), (C.COL_CATEGORY, category.name)):
            ws.cell(first, COL[name], value)
            if last > first:
                ws.merge_cells(start_row=first, start_column=COL[name], end_row=last, end_column=COL[name])
            for r in range(first, last + 1):
                c = ws.cell(r, COL[name])
                c.font, c.alignment, c.border = BOLD, CENTER, BOX
    for dv in validations.values():
        ws.add_data_validation(dv)

    subtotal_rows = []
    for category, first, last in subtotal_ranges:
        score = LETTER[C.COL_SCORE]
        _summary_row(ws, row, f"{C.SUBTOTAL_LABEL}：{category.numeral}、{category.name}", category.total)
        ws.cell(row, COL[C.COL_SCORE], checks.subtotal(f"{score}{first}:{score}{last}"))
        subtotal_rows.append(row)
        row += 1
    computed = "、".join(i.code for i in rubric.computed_items)
    label = f"{C.TOTAL_LABEL}（不含{computed}，由汇总程序计算）" if computed else C.TOTAL_LABEL
    _summary_row(ws, row, label, rubric.total, bold=True)
    score = LETTER[C.COL_SCORE]
    ws.cell(row, COL[C.COL_SCORE], checks.subtotal(f"{score}{subtotal_rows[0]}:{score}{subtotal_rows[-1]}"))
    total_row = row
    _self_check(ws, FIRST_ITEM_ROW, row - len(rubric.categories) - 1, total_row, rubric)
    last_row = _sign_off(ws, total_row + 2)
    note = ws.cell(last_row, 1, _instructions(rubric))
    note.font, note.alignment = BODY, Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=last_row, start_column=1, end_row=last_row, end_column=len(C.SHEET_COLUMNS))
    ws.row_dimensions[last_row].height = 4 * LINE_HEIGHT + 4

    _print_setup(ws, last_row, rubric)
    ws.freeze_panes = ws.cell(FIRST_ITEM_ROW, 1)
    ws.protection.sheet = True
    # Let inspectors resize rows and columns for long remarks; everything else stays locked.
    ws.protection.formatRows = False
    ws.protection.formatColumns = False
    ws.sheet_view.selection[0].activeCell = f"C{TOWNSHIP_ROW}"
    ws.sheet_view.selection[0].sqref = ws.sheet_view.selection[0].activeCell

    _meta_sheet(wb, rubric)
    # The structure lock keeps the score sheet from being renamed, deleted or joined by others.
    wb.security = WorkbookProtection(lockStructure=True)
    return wb


def _title(ws, rubric: Rubric) -> None:
    cell = ws.cell(TITLE_ROW, 1, f"《{rubric.title}》")
    cell.font, cell.alignment = TITLE, CENTER
    ws.merge_cells(f"A{TITLE_ROW}:{LAST}{TITLE_ROW}")
    ws.row_dimensions[TITLE_ROW].height = 32


def _header_fields(ws, rubric: Rubric) -> None:
    """Each label with its input cell immediately to its right (the batch reads them so)."""
    # label A:B -> value C:E; label F:G -> value H
    rows = (
        (TOWNSHIP_ROW, C.LABEL_TOWNSHIP, C.LABEL_DATE),
        (INSPECTORS_ROW, C.LABEL_INSPECTORS, C.LABEL_STATUS),
    )
    for row, left, right in rows:
        ws.row_dimensions[row].height = 22
        for merged in (f"A{row}:B{row}", f"C{row}:E{row}", f"F{row}:G{row}"):
            ws.merge_cells(merged)
        ws[f"A{row}"], ws[f"F{row}"] = left, right
        for col in "ABCDEFGH":
            c = ws[f"{col}{row}"]
            c.font, c.alignment, c.border = BODY, CENTER, BOX
        for label in (f"A{row}", f"F{row}"):
            ws[label].font, ws[label].fill = BOLD, HEADER_FILL
    inputs = [f"{col}{row}" for row in (TOWNSHIP_ROW, INSPECTORS_ROW) for col in "CDE"] + [f"H{TOWNSHIP_ROW}"]
    for ref in inputs:
        ws[ref].protection, ws[ref].fill = UNLOCKED, INPUT_FILL
    ws[f"H{TOWNSHIP_ROW}"].number_format = "yyyy-mm-dd"
    date = DataValidation(
        type="date",
        operator="between",
        formula1="36526",  # 2000-01-01
        formula2="73050",  # 2099-12-31
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        promptTitle=C.LABEL_DATE,
        prompt="请输入日期，如 2022-08-15",
        errorTitle="日期无效",
        error="请输入有效日期，如 2022-08-15",
    )
    date.add(f"H{TOWNSHIP_ROW}")
    ws.add_data_validation(date)
    ws[f"H{INSPECTORS_ROW}"].alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[INSPECTORS_ROW].height = 3 * LINE_HEIGHT + 4


def _item_row(ws, row: int, item: Item, rubric: Rubric, validations: dict) -> None:
    values = {
        C.COL_CODE: item.code,
        C.COL_NAME: item.label,
        C.COL_CRITERIA: item.criteria,
        C.COL_MAXIMUM: _number(item.maximum),
    }
    for name, value in values.items():
        c = ws.cell(row, COL[name], value)
        c.font, c.border = BODY, BOX
        c.alignment = WRAP if name in (C.COL_NAME, C.COL_CRITERIA) else CENTER
    score = ws.cell(row, COL[C.COL_SCORE])
    remark = ws.cell(row, COL[C.COL_REMARK])
    for c in (score, remark):
        c.font, c.border = BODY, BOX
    score.alignment = CENTER
    remark.alignment = WRAP
    if item.entered:
        score.protection = remark.protection = UNLOCKED
        score.fill = remark.fill = INPUT_FILL
        score.number_format = "0.0"
        _validation_for(item, rubric, validations).add(score.coordinate)
    else:
        score.value = C.COMPUTED_SCORE_TEXT
        remark.value = "按各单位办件数量排名，由汇总程序计算，无需填写"
        score.fill = remark.fill = COMPUTED_FILL
    text_lines = max(
        _lines(item.criteria, WIDTHS[C.COL_CRITERIA]),
        _lines(item.label, WIDTHS[C.COL_NAME]),
        _lines(remark.value or "", WIDTHS[C.COL_REMARK]),
    )
    ws.row_dimensions[row].height = max(2, text_lines) * LINE_HEIGHT + 3


def _check_cell(ws, row: int, item: Item, rubric: Rubric) -> None:
    """The hidden helper cell that classifies an item's score for the status line and the
    conditional formats (``checks``: the batch's rule as formulas)."""
    if item.entered:
        score, remark = f"{LETTER[C.COL_SCORE]}{row}", f"{LETTER[C.COL_REMARK]}{row}"
        ws[f"{CHECK}{row}"] = checks.score_check(item, rubric, score, remark)


def _self_check(ws, first: int, last: int, total_row: int, rubric: Rubric) -> None:
    """Status line, conditional formats and the hidden helper column: the sheet checks itself."""
    ws.column_dimensions[CHECK].hidden = True
    ws[f"{CHECK}{HEADER_ROW}"] = C.CHECK_COLUMN
    cells = f"{CHECK}{first}:{CHECK}{last}"
    total = f"{LETTER[C.COL_SCORE]}{total_row}"
    ws[f"H{INSPECTORS_ROW}"] = checks.status(f"C{TOWNSHIP_ROW}", cells, total, rubric)
    scores = f"{LETTER[C.COL_SCORE]}{first}:{LETTER[C.COL_SCORE]}{last}"
    remarks = f"{LETTER[C.COL_REMARK]}{first}:{LETTER[C.COL_REMARK]}{last}"
    invalid, no_reason = f"${CHECK}{first}={checks.INVALID}", f"${CHECK}{first}={checks.NO_REASON}"
    ws.conditional_formatting.add(scores, FormulaRule(formula=[invalid], fill=INVALID_FILL))
    ws.conditional_formatting.add(remarks, FormulaRule(formula=[no_reason], fill=SOFT_FILL))


def _sign_off(ws, row: int) -> int:
    """The inspectors' opinion and the signatures, below the table; returns the next free row."""
    ws.merge_cells(f"A{row}:B{row}")
    ws.merge_cells(f"C{row}:{LAST}{row}")
    ws[f"A{row}"] = C.LABEL_OPINION
    ws.row_dimensions[row].height = 5 * LINE_HEIGHT + 4
    signs = ((row + 1, C.LABEL_SIGN_INSPECTORS, C.LABEL_SIGN_HEAD), (row + 2, C.LABEL_SIGN_DATE, None))
    for r, left, right in signs:
        ws.merge_cells(f"A{r}:B{r}")
        ws.merge_cells(f"C{r}:E{r}")
        ws.merge_cells(f"F{r}:G{r}")
        ws[f"A{r}"], ws[f"F{r}"] = left, right
        ws.row_dimensions[r].height = 2 * LINE_HEIGHT + 6
    for r in range(row, row + 3):
        for col in range(1, len(C.SHEET_COLUMNS) + 1):
            c = ws.cell(r, col)
            c.font, c.border = BODY, BOX
            c.alignment = CENTER if col <= 2 or col in (6, 7) else Alignment(wrap_text=True, vertical="top")
        for col in ("A", "F"):
            if ws[f"{col}{r}"].value:
                ws[f"{col}{r}"].font, ws[f"{col}{r}"].fill = BOLD, HEADER_FILL
        inputs = "CDEFGH" if r == row else "CDEH" if ws[f"F{r}"].value else "CDE"
        for col in inputs:
            ws[f"{col}{r}"].protection = UNLOCKED
            ws[f"{col}{r}"].fill = INPUT_FILL
    ws[f"C{row + 2}"].number_format = "yyyy-mm-dd"
    return row + 4


def _validation_for(item: Item, rubric: Rubric, validations: dict) -> DataValidation:
    """One validation object per rule, shared by every cell it applies to."""
    top = _number(item.maximum)
    key = (item.kind, top)
    if key not in validations:
        common = dict(allow_blank=True, showErrorMessage=True, showInputMessage=True, errorStyle="stop")
        if item.kind == "award":
            validations[key] = DataValidation(
                type="list",
                formula1=f'"0,{top}"',
                promptTitle=f"加分项（{top}分）",
                prompt=f"符合条件得{top}分，不符合得0分",
                errorTitle="得分无效",
                error=f"加分项只能填{top}或0",
                **common,
            )
        else:
            validations[key] = DataValidation(
                type="decimal",
                operator="between",
                formula1="0",
                formula2=str(top),
                promptTitle=f"得分（满分{top}分）",
                prompt=f"请输入0至{top}之间的得分，最小单位{_number(rubric.resolution)}分；有扣分请在右侧写明原因",
                errorTitle="得分超出范围",
                error=f"得分必须在0至{top}分之间（本项满分{top}分）",
                **common,
            )
    return validations[key]


def _summary_row(ws, row: int, label: str, maximum, bold: bool = False) -> None:
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=COL[C.COL_CRITERIA])
    ws.cell(row, 1, label)
    ws.cell(row, COL[C.COL_MAXIMUM], _number(maximum))
    for col in range(1, len(C.SHEET_COLUMNS) + 1):
        c = ws.cell(row, col)
        c.font, c.border = (BOLD if bold or col == 1 else BODY), BOX
        c.alignment = Alignment(horizontal="right", vertical="center") if col == 1 else CENTER
    ws.cell(row, COL[C.COL_SCORE]).number_format = "0.0"
    ws.row_dimensions[row].height = 18


def _instructions(rubric: Rubric) -> str:
    computed = "、".join(i.code for i in rubric.computed_items)
    awards = "、".join(i.code for i in rubric.items if i.kind == "award")
    points = [
        "只在黄色单元格填写：乡镇名称、评定人员、评定日期，各项得分和扣分说明。",
        f"得分填0至该项分值之间的数字，最小单位{_number(rubric.resolution)}分；满分也要填写；"
        "用半角数字和小数点输入（如2.5），全角数字、逗号或以文本保存的数字都不算得分；"
        "有扣分的必须在“扣分说明”栏写明原因。",
        *([f"{awards}为加分项，符合条件填满分，否则填0。"] if awards else []),
        *([f"{computed}由汇总程序根据各单位办件数量排名计算，不需填写。"] if computed else []),
        "填写得分后，顶部“填写状态”自动提示未打分、无效（红色）和缺扣分说明（橙色）的项目数；小计和总分仅供核对，汇总以逐项得分为准。",
        "在“评定意见”栏写明评定意见，打印后由评定人员和乡镇负责人签字。",
    ]
    return "填写说明：" + "".join(f"{n}. {point}" for n, point in enumerate(points, start=1))


def _print_setup(ws, last_row: int, rubric: Rubric) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{TITLE_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{LAST}{last_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    # The footer is printed between its own margin and the bottom margin (LibreOffice clips it
    # to that band): 0.45 inch holds its 9-point line with room to spare.
    ws.page_margins.top, ws.page_margins.header = 0.6, 0.3
    ws.page_margins.bottom, ws.page_margins.footer = 0.75, 0.3
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9
    ws.oddFooter.right.text = f"评分表版本 {rubric.version}"
    ws.oddFooter.right.size = 8


def _meta_sheet(wb: Workbook, rubric: Rubric) -> None:
    meta = wb.create_sheet(C.META_SHEET)
    meta["A1"], meta["B1"] = C.META_VERSION_LABEL, rubric.version
    meta["A2"], meta["B2"] = C.META_FINGERPRINT_LABEL, rubric.fingerprint
    meta["A3"], meta["B3"] = "说明", "本表由程序生成，用于识别评分标准版本，请勿修改"
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True


def _lines(text: str, width: float) -> int:
    """Lines a wrapped cell needs: Chinese characters take about two width units."""
    units = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)
    return max(1, math.ceil(units / max(width - 1, 1)))
