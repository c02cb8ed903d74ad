"""Raw workbook -> the clerk's two companion tables, read by their header names:
case counts (单位, 办件数量) and the criticism record (乡镇, 日期, 来源, 事由, 处理)."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

from .. import constants as C
from ..problems import Code, Problem, problem
from ..rules.settings import Settings
from ..xlsx import ReadError, Sheet, Workbook, a1, open_workbook
from .names import text_key
from .values import OK, UNCALCULATED, formula_text, read_date, read_number, read_text, uncalculated

HEADER_SEARCH_ROWS = 20


@dataclass(frozen=True)
class CaseCount:
    unit: str
    count: int
    cell: str  # A1 of the count


@dataclass(frozen=True)
class Criticism:
    township: str  # as written in the record
    date: dt.date
    source: str
    reason: str
    action: str  # as written ("" when the record says nothing)
    steps: int  # grades to lower when written explicitly; 0 when blank (the seed's one grade)
    cancel: bool  # 取消等级
    sheet: str
    cell: str  # A1 of the township name


@dataclass(frozen=True)
class _Table:
    sheet: Sheet
    header_row: int
    columns: dict[str, int]  # title -> column

    @property
    def _wanted(self) -> set[int]:
        return set(self.columns.values())

    def rows(self):
        # Only rows that hold cells: a stray cell at row 1048576 must not cost a million lookups.
        present = sorted({r for r, c in self.sheet.cells if r > self.header_row and c in self._wanted})
        for row in present:
            values = {t: self.sheet.get(row, c) for t, c in self.columns.items()}
            # a row of formulas never calculated is a row, not a blank one to skip
            if any(read_text(v) or uncalculated(v) for v in values.values()):
                yield row, values


def column_text(
    values: dict, cols: dict, row: int, where: dict, problems: list[Problem], title: str
) -> str | None:
    """The text of a row's column ("" when the table has no such column)."""
    if title not in cols:
        return ""
    return checked_text(values.get(title), title, a1(row, cols[title]), where, problems)


def checked_text(value, title: str, cell: str, where: dict, problems: list[Problem]) -> str | None:
    """A table cell's text; None (and the problem) when it is a formula never calculated. A
    text longer than a workbook cell holds is said, not cut."""
    if uncalculated(value):
        problems.append(
            problem(Code.CELL_NOT_CALCULATED, cell=cell, label=title, formula=formula_text(value), **where)
        )
        return None
    text = read_text(value)
    if len(text) > C.EXCEL_CELL_CHARS:
        problems.append(problem(Code.TEXT_TOO_LONG, cell=cell, length=len(text), **where))
    return text


def open_table(data: bytes, file: str, table: str) -> tuple[Workbook | None, list[Problem]]:
    try:
        return open_workbook(data, file), []
    except ReadError as exc:
        return None, [exc.problem(file, table=table)]


def find_table(wb: Workbook, preferred: str, required: tuple[str, ...], optional=()) -> _Table | None:
    titles = {text_key(t): t for t in (*required, *optional)}
    order = sorted(wb.sheets.values(), key=lambda s: (s.name != preferred, wb.sheet_names.index(s.name)))
    for sheet in order:
        found: dict[int, dict[str, int]] = {}
        for (row, col), cell in sheet.cells.items():
            if row <= HEADER_SEARCH_ROWS and cell.kind == "s" and text_key(cell.text) in titles:
                found.setdefault(row, {}).setdefault(titles[text_key(cell.text)], col)
        for row in sorted(found):
            if all(t in found[row] for t in required):
                return _Table(sheet, row, found[row])
    return None


def read_case_counts(data: bytes, file: str) -> tuple[list[CaseCount], list[Problem]]:
    table_name = "办件数量表"
    wb, problems = open_table(data, file, table_name)
    if wb is None:
        return [], problems
    table = find_table(wb, C.CASE_COUNTS_SHEET, (C.COL_UNIT, C.COL_CASES))
    if table is None:
        columns = "”“".join((C.COL_UNIT, C.COL_CASES))
        return [], [problem(Code.TABLE_HEADER_MISSING, file=file, table=table_name, columns=columns)]
    sheet = table.sheet.name
    unit_col, count_col = table.columns[C.COL_UNIT], table.columns[C.COL_CASES]
    counts: list[CaseCount] = []
    seen: dict[str, str] = {}
    for row, values in table.rows():
        where = dict(file=file, sheet=sheet)
        unit = checked_text(values[C.COL_UNIT], C.COL_UNIT, a1(row, unit_col), where, problems)
        if unit is None:
            continue
        if not text_key(unit):
            problems.append(problem(Code.UNIT_BLANK, cell=a1(row, unit_col), row=row, **where))
            continue
        cell = a1(row, count_col)
        if text_key(unit) in seen:
            problems.append(
                problem(
                    Code.UNIT_DUPLICATE,
                    cell=a1(row, unit_col),
                    value=unit,
                    other=seen[text_key(unit)],
                    **where,
                )
            )
            continue
        seen[text_key(unit)] = a1(row, unit_col)
        reading = read_number(values[C.COL_CASES], comma="thousands", date1904=wb.date1904)
        if reading.status == UNCALCULATED:
            problems.append(
                problem(
                    Code.CELL_NOT_CALCULATED, cell=cell, label=C.COL_CASES, formula=reading.formula, **where
                )
            )
            continue
        if reading.status != OK:
            code = Code.CASE_COUNT_BLANK if not reading.shown else Code.CASE_COUNT_INVALID
            problems.append(problem(code, cell=cell, unit=unit, value=reading.shown, **where))
            continue
        number = reading.number
        # above a billion is no township's count, and int() of 1E+999999999 would never finish
        if number < 0 or number.adjusted() > 9 or number != number.to_integral_value():
            problems.append(
                problem(Code.CASE_COUNT_INVALID, cell=cell, unit=unit, value=reading.shown, **where)
            )
            continue
        counts.append(CaseCount(unit=unit, count=int(number), cell=cell))
    return counts, problems


# What 处理 may say: blank (the seed's one grade), "降低N个等级" (also 降N等, 降N级), or 取消等级.
_STEPS = re.compile(r"降(?:低)?([一二两三四五1-5])(?:个)?(?:等级|等|级)")
_CANCEL = re.compile(r"取消(?:等级)?")
_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
ACTIONS_SHOWN = "、".join(C.CRITICISM_ACTIONS)


def parse_action(text: str) -> tuple[int, bool] | None:
    """(steps, cancel) for a 处理 text; None when it cannot be understood."""
    key = text_key(text)
    if not key:
        return 0, False
    if _CANCEL.fullmatch(key):
        return 0, True
    m = _STEPS.fullmatch(key)
    if m:
        n = m.group(1)
        return (_NUMERALS[n] if n in _NUMERALS else int(n)), False
    return None


def read_criticisms(data: bytes, file: str, settings: Settings) -> tuple[list[Criticism], list[Problem]]:
    table_name = "通报批评记录表"
    wb, problems = open_table(data, file, table_name)
    if wb is None:
        return [], problems
    required = (C.COL_C_TOWNSHIP, C.COL_C_DATE, C.COL_C_SOURCE, C.COL_C_REASON)
    table = find_table(wb, C.CRITICISMS_SHEET, required, optional=(C.COL_C_ACTION,))
    if table is None:
        columns = "”“".join(required)
        return [], [problem(Code.TABLE_HEADER_MISSING, file=file, table=table_name, columns=columns)]
    sheet = table.sheet.name
    cols = table.columns
    sources = {unicodedata.normalize("NFKC", s).strip(): s for s in settings.sources}
    records: list[Criticism] = []
    for row, values in table.rows():
        where = dict(file=file, sheet=sheet)
        before = len(problems)
        text = functools.partial(column_text, values, cols, row, where, problems)
        township = text(C.COL_C_TOWNSHIP)
        if township is not None and not text_key(township):
            problems.append(
                problem(Code.CRITICISM_UNKNOWN_TOWNSHIP, cell=a1(row, cols[C.COL_C_TOWNSHIP]), **where)
            )
        date_cell = values[C.COL_C_DATE]
        day, shown = read_date(date_cell, wb.date1904)
        if uncalculated(date_cell):
            text(C.COL_C_DATE)  # says so
        elif day is None:
            problems.append(
                problem(
                    Code.CRITICISM_DATE_INVALID,
                    cell=a1(row, cols[C.COL_C_DATE]),
                    value=shown or "空",
                    **where,
                )
            )
        elif day > settings.publication_date:  # it cannot have lowered a grade published before it
            problems.append(
                problem(
                    Code.CRITICISM_AFTER_PUBLICATION,
                    cell=a1(row, cols[C.COL_C_DATE]),
                    value=day.isoformat(),
                    published=settings.publication_date.isoformat(),
                    **where,
                )
            )
        source_text = text(C.COL_C_SOURCE)
        source = sources.get(unicodedata.normalize("NFKC", source_text or "").strip())
        if source is None and source_text is not None:
            problems.append(
                problem(
                    Code.CRITICISM_SOURCE_INVALID,
                    cell=a1(row, cols[C.COL_C_SOURCE]),
                    value=source_text or "空",
                    allowed="、".join(settings.sources),
                    **where,
                )
            )
        reason = text(C.COL_C_REASON)
        if reason == "":
            problems.append(
                problem(Code.CRITICISM_REASON_MISSING, cell=a1(row, cols[C.COL_C_REASON]), **where)
            )
        action = text(C.COL_C_ACTION)
        parsed = parse_action(action) if action is not None else (0, False)
        if parsed is None:
            problems.append(
                problem(
                    Code.CRITICISM_ACTION_INVALID,
                    cell=a1(row, cols[C.COL_C_ACTION]),
                    value=action,
                    allowed=ACTIONS_SHOWN,
                    **where,
                )
            )
        if len(problems) > before:
            continue
        steps, cancel = parsed
        cell = a1(row, cols[C.COL_C_TOWNSHIP])
        records.append(Criticism(township, day, source, reason, action, steps, cancel, sheet, cell))
    return records, problems
