"""Raw workbook -> the record of 一票否决 events (乡镇, 日期, 否决事项, 事由), for a rubric whose
grading lists veto matters: a township with a recorded one gets no grade. Read by its header
names, like the other companion tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import constants as C
from ..problems import Code, Problem, problem
from ..xlsx import a1
from .names import text_key
from .tables import find_table, open_table
from .values import read_date, read_text


@dataclass(frozen=True)
class Veto:
    township: str  # as written in the record
    date: dt.date
    matter: str  # one of the rubric's veto matters, as the rubric writes it
    reason: str
    sheet: str
    cell: str  # A1 of the township name


def read_vetoes(data: bytes, file: str, matters: tuple[str, ...]) -> tuple[list[Veto], list[Problem]]:
    table_name = "一票否决记录表"
    wb, problems = open_table(data, file, table_name)
    if wb is None:
        return [], problems
    required = (C.COL_V_TOWNSHIP, C.COL_V_DATE, C.COL_V_MATTER, C.COL_V_REASON)
    table = find_table(wb, C.VETOES_SHEET, required)
    if table is None:
        columns = "”“".join(required)
        return [], [problem(Code.TABLE_HEADER_MISSING, file=file, table=table_name, columns=columns)]
    sheet, cols = table.sheet.name, table.columns
    known = {text_key(m): m for m in matters}
    records: list[Veto] = []
    for row, values in table.rows():
        where = dict(file=file, sheet=sheet)
        before = len(problems)
        township = read_text(values[C.COL_V_TOWNSHIP])
        if not text_key(township):
            problems.append(
                problem(Code.VETO_UNKNOWN_TOWNSHIP, cell=a1(row, cols[C.COL_V_TOWNSHIP]), **where)
            )
        day, shown = read_date(values[C.COL_V_DATE], wb.date1904)
        if day is None:
            problems.append(
                problem(
                    Code.VETO_DATE_INVALID, cell=a1(row, cols[C.COL_V_DATE]), value=shown or "空", **where
                )
            )
        written = read_text(values[C.COL_V_MATTER])
        matter = known.get(text_key(written))
        if matter is None:
            problems.append(
                problem(
                    Code.VETO_MATTER_INVALID,
                    cell=a1(row, cols[C.COL_V_MATTER]),
                    value=written or "空",
                    allowed="、".join(matters) or "（评分标准中没有一票否决事项）",
                    **where,
                )
            )
        reason = read_text(values[C.COL_V_REASON])
        if not reason:
            problems.append(
                problem(Code.CRITICISM_REASON_MISSING, cell=a1(row, cols[C.COL_V_REASON]), **where)
            )
        if len(problems) > before:
            continue
        records.append(Veto(township, day, matter, reason, sheet, a1(row, cols[C.COL_V_TOWNSHIP])))
    return records, problems
