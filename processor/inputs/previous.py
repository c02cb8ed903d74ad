"""Last round's consolidated workbook (previous.xlsx in the input folder) -> what this round is
compared with: each township's total, grade, category subtotals and item scores, and the table
that round used (item codes, names and maxima, from its 评分项目 sheet), so that items are
compared only where code, name and maximum are unchanged."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .. import constants as C
from ..problems import Code, Problem, problem
from ..xlsx import Sheet
from .names import text_key
from .tables import find_table, open_table
from .values import OK, read_number, read_text

_TITLED = re.compile(r"(.+)（([0-9.]+)）")


@dataclass(frozen=True)
class PastTownship:
    township: str
    total: Decimal
    grade: str
    subtotals: dict[str, Decimal]  # category name -> subtotal
    scores: dict[str, Decimal]  # item code -> score


@dataclass
class Previous:
    file: str
    year: str  # "2019", or "" when the workbook does not say
    categories: dict[str, Decimal] = field(default_factory=dict)  # name -> maximum
    items: dict[str, tuple[str, Decimal]] = field(default_factory=dict)  # code -> (name, maximum)
    townships: list[PastTownship] = field(default_factory=list)


def read_previous(data: bytes, file: str) -> tuple[Previous | None, list[Problem]]:
    wb, problems = open_table(data, file, "上轮汇总表")
    if wb is None:
        return None, problems
    summary = find_table(wb, C.OUT_SUMMARY, ("乡镇", "等级"))
    if summary is None or summary.sheet.name != C.OUT_SUMMARY:
        return None, [problem(Code.PREVIOUS_NOT_CONSOLIDATED, file=file, expected=C.OUT_SUMMARY)]
    previous = Previous(file, _fact(wb.sheets.get(C.OUT_MANIFEST), C.FACT_YEAR))
    sheet, header = summary.sheet, summary.header_row
    titles = {col: read_text(sheet.get(header, col)) for (row, col) in sheet.cells if row == header}
    total_col, category_cols = None, {}
    for col, title in sorted(titles.items()):
        m = _TITLED.fullmatch(title)
        if not m:
            continue
        if m.group(1) == "总分":
            total_col = col
        else:
            category_cols[col] = m.group(1)
            previous.categories[m.group(1)] = Decimal(m.group(2))
    if total_col is None:
        return None, [problem(Code.PREVIOUS_NOT_CONSOLIDATED, file=file, expected="总分")]
    scores = _item_scores(wb.sheets.get(C.OUT_ITEMS))
    township_col, grade_col = summary.columns["乡镇"], summary.columns["等级"]
    for row, _ in summary.rows():
        township = read_text(sheet.get(row, township_col))
        total = read_number(sheet.get(row, total_col))
        if not text_key(township) or total.status != OK:
            continue
        subtotals = {}
        for col, name in category_cols.items():
            reading = read_number(sheet.get(row, col))
            if reading.status == OK:
                subtotals[name] = reading.number
        previous.townships.append(
            PastTownship(
                township,
                total.number,
                read_text(sheet.get(row, grade_col)),
                subtotals,
                scores.get(township, {}),
            )
        )
    table = find_table(wb, C.OUT_RUBRIC_ITEMS, ("编号", "项目", "分值"))
    if table is not None and table.sheet.name == C.OUT_RUBRIC_ITEMS:
        for _, values in table.rows():
            maximum = read_number(values["分值"])
            if maximum.status == OK:
                previous.items[read_text(values["编号"])] = (read_text(values["项目"]), maximum.number)
    return previous, []


def _fact(sheet: Sheet | None, label: str) -> str:
    """The value beside ``label``: the first text to its right (workbooks of 0.2 wrote it in
    the next column, later ones in the widest)."""
    if sheet is None:
        return ""
    for (row, col), cell in sheet.cells.items():
        if cell.kind == "s" and cell.text == label:
            for right in range(col + 1, col + 5):
                if text := read_text(sheet.get(row, right)):
                    return text
    return ""


def _item_scores(sheet: Sheet | None) -> dict[str, dict[str, Decimal]]:
    """Township -> item code -> score, from the 逐项得分 sheet (codes in row 1, maxima in row 2)."""
    if sheet is None:
        return {}
    codes = {col: read_text(cell) for (row, col), cell in sheet.cells.items() if row == 1 and col > 1}
    found: dict[str, dict[str, Decimal]] = {}
    rows = sorted({row for row, _ in sheet.cells if row > 2})
    for row in rows:
        township = read_text(sheet.get(row, 1))
        if not township:
            continue
        scores = {}
        for col, code in codes.items():
            reading = read_number(sheet.get(row, col))
            if reading.status == OK:
                scores[code] = reading.number
        found[township] = scores
    return found
