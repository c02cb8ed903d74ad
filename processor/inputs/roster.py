"""Roster -> the townships expected to return a score sheet.

A roster is any table with a 乡镇 column (``roster.xlsx`` in the input folder, or the file given
to ``processor issue``). The case-count table (单位 column) is accepted too; its police stations
(单位 ending in 派出所) are ranked for item 3.1 but get no score sheet, so they are left out.
"""

from __future__ import annotations

from .. import constants as C
from ..problems import Code, Problem, problem
from ..xlsx import a1
from .names import invisible, text_key, visible
from .tables import checked_text, find_table, open_table


def read_roster(data: bytes, file: str) -> tuple[list[str], list[Problem]]:
    wb, problems = open_table(data, file, "乡镇名单")
    if wb is None:
        return [], problems
    table = find_table(wb, C.ROSTER_SHEET, (C.COL_ROSTER,))
    column = C.COL_ROSTER
    if table is None:
        table = find_table(wb, C.CASE_COUNTS_SHEET, (C.COL_UNIT,))
        column = C.COL_UNIT
    if table is None:
        return [], [problem(Code.TABLE_HEADER_MISSING, file=file, table="乡镇名单", columns=C.COL_ROSTER)]
    names: list[str] = []
    seen: dict[str, str] = {}
    col = table.columns[column]
    where = dict(file=file, sheet=table.sheet.name)
    for row, values in table.rows():
        name = checked_text(values[column], column, a1(row, col), where, problems)
        if name is None:
            continue
        key = text_key(name)
        if not key or key.endswith(C.NOT_GRADED_SUFFIXES):
            continue
        hidden = invisible(name)
        if hidden:  # it would go into the issued sheet and its file name as it is
            problems.append(
                problem(
                    Code.ROSTER_NAME_INVALID, cell=a1(row, col), value=visible(name), chars=hidden, **where
                )
            )
            continue
        if key in seen:
            problems.append(
                problem(
                    Code.ROSTER_DUPLICATE,
                    file=file,
                    sheet=table.sheet.name,
                    cell=a1(row, col),
                    value=name,
                    other=seen[key],
                )
            )
            continue
        seen[key] = a1(row, col)
        names.append(name.strip())
    if not names and not problems:
        problems.append(problem(Code.ROSTER_EMPTY, file=file, sheet=table.sheet.name, column=column))
    return names, problems
