"""Raw workbook -> the leading group's decisions after publication (等级调整记录: 乡镇, 评定年度,
决定日期, 来源, 事由, 处理, 文号), read by their header names like the companion tables.

Each row is one decision: a township criticised or exposed after its grade was published, and
what the leading group decided (降低N个等级 / 取消等级), with the number of the notice that
announces it. Unlike a criticism before the grading, a decision must say what it decides: a
blank 处理 is an error, not the seed's one grade. What a decision refers to (the round, the
township's grade on that day) is the register's to check (processor.registry).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from .. import constants as C
from ..problems import Code, Problem, problem
from ..xlsx import a1
from .names import text_key
from .tables import ACTIONS_SHOWN, column_text, find_table, open_table, parse_action
from .values import read_date, read_number, read_text, uncalculated

TITLE = "等级调整记录表"


@dataclass(frozen=True)
class Adjustment:
    township: str  # as written in the record
    year: int | None  # the round's year; None: the latest round that graded the township
    decided_on: dt.date
    source: str
    reason: str
    action: str  # as written (降低一个等级, 取消等级 ...)
    steps: int
    cancel: bool
    document_number: str  # of the notice announcing the decision
    file: str
    sheet: str
    row: int
    columns: dict  # title -> column, for the cells a later problem names

    def cell(self, title: str) -> str:
        return a1(self.row, self.columns[title])


def read_adjustments(data: bytes, file: str) -> tuple[list[Adjustment], list[Problem]]:
    wb, problems = open_table(data, file, TITLE)
    if wb is None:
        return [], problems
    required = (
        C.COL_A_TOWNSHIP,
        C.COL_A_DATE,
        C.COL_A_SOURCE,
        C.COL_A_REASON,
        C.COL_A_ACTION,
        C.COL_A_NUMBER,
    )
    table = find_table(wb, C.ADJUSTMENTS_SHEET, required, optional=(C.COL_A_YEAR,))
    if table is None:
        columns = "”“".join(required)
        return [], [problem(Code.TABLE_HEADER_MISSING, file=file, table=TITLE, columns=columns)]
    sheet, cols = table.sheet.name, table.columns
    records: list[Adjustment] = []
    for row, values in table.rows():
        where = dict(file=file, sheet=sheet)
        before = len(problems)

        text = functools.partial(column_text, values, cols, row, where, problems)
        at = functools.partial(_cell, row, cols)
        township = text(C.COL_A_TOWNSHIP)
        if township is not None and not text_key(township):
            problems.append(
                problem(Code.ADJUST_FIELD_MISSING, cell=at(C.COL_A_TOWNSHIP), label="乡镇", **where)
            )
        year = None
        if (
            C.COL_A_YEAR in cols
            and not uncalculated(values[C.COL_A_YEAR])
            and read_text(values[C.COL_A_YEAR])
        ):
            value = read_number(values[C.COL_A_YEAR]).number  # 2022 typed as text is a year too
            if value is None or value != int(value) or not 2000 <= value <= 2100:
                shown = read_text(values[C.COL_A_YEAR])
                problems.append(
                    problem(Code.ADJUST_YEAR_INVALID, cell=at(C.COL_A_YEAR), value=shown, **where)
                )
            else:
                year = int(value)
        elif C.COL_A_YEAR in cols and uncalculated(values[C.COL_A_YEAR]):
            text(C.COL_A_YEAR)  # says so
        day, shown = read_date(values[C.COL_A_DATE], wb.date1904)
        if uncalculated(values[C.COL_A_DATE]):
            text(C.COL_A_DATE)
        elif day is None:
            problems.append(
                problem(Code.ADJUST_DATE_INVALID, cell=at(C.COL_A_DATE), value=shown or "空", **where)
            )
        fields = {}
        for title, label in (
            (C.COL_A_SOURCE, "来源"),
            (C.COL_A_REASON, "事由"),
            (C.COL_A_NUMBER, "调整通报的文号"),
        ):
            fields[title] = text(title)
            if fields[title] == "":
                problems.append(problem(Code.ADJUST_FIELD_MISSING, cell=at(title), label=label, **where))
        action = text(C.COL_A_ACTION)
        parsed = parse_action(action) if action else None
        if action is not None and (parsed is None or parsed == (0, False)):
            problems.append(
                problem(
                    Code.ADJUST_ACTION_INVALID,
                    cell=at(C.COL_A_ACTION),
                    value=action or "空",
                    allowed=ACTIONS_SHOWN,
                    **where,
                )
            )
        if len(problems) > before:
            continue
        steps, cancel = parsed
        records.append(
            Adjustment(
                township=township,
                year=year,
                decided_on=day,
                source=fields[C.COL_A_SOURCE],
                reason=fields[C.COL_A_REASON],
                action=action,
                steps=steps,
                cancel=cancel,
                document_number=fields[C.COL_A_NUMBER],
                file=file,
                sheet=sheet,
                row=row,
                columns=dict(cols),
            )
        )
    if not records and not problems:
        problems.append(problem(Code.ADJUST_EMPTY, file=file, sheet=sheet))
    return records, problems


def _cell(row: int, cols: dict, title: str) -> str:
    return a1(row, cols[title])
