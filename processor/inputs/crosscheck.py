"""Checks across the files of a round: one sheet per township, every township on the roster
returned, every sheet's township in the case counts, every criticism about a township that has
a sheet. The names are matched as ``names.Matcher`` says."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .. import constants as C
from ..problems import Code, Problem, problem
from ..xlsx import ReadError
from .folder import hashed, shown
from .names import Matcher, text_key
from .sheet import ScoreSheet
from .tables import read_case_counts, read_criticisms

if TYPE_CHECKING:
    from .round import Round


def at_township(code: Code, sheet: ScoreSheet, **params) -> Problem:
    """A problem about a sheet's township, at its 乡镇名称 cell."""
    return problem(
        code, file=sheet.file, sheet=sheet.sheet, cell=sheet.township_cell, value=sheet.township, **params
    )


def duplicates(round_: Round) -> None:
    by_key: dict[str, list[ScoreSheet]] = {}
    for sheet in round_.sheets:
        if text_key(sheet.township):
            by_key.setdefault(text_key(sheet.township), []).append(sheet)
    for group in by_key.values():
        if len(group) < 2:
            continue
        for sheet in group:
            others = "、".join(s.file for s in group if s is not sheet)
            round_.problems.append(at_township(Code.TOWNSHIP_DUPLICATE, sheet, other=others))


def roster(round_: Round, file: str) -> None:
    """Every township on the roster must have returned a sheet, and every sheet be on it."""
    if not round_.roster:
        return
    sheets = Matcher(s.township for s in round_.sheets if text_key(s.township))
    for name in round_.roster:
        if sheets.match(name)[0] is None:
            round_.problems.append(problem(Code.ROSTER_NO_SHEET, file=file, value=name))
    listed = Matcher(round_.roster)
    for sheet in round_.sheets:
        if text_key(sheet.township) and listed.match(sheet.township)[0] is None:
            round_.problems.append(at_township(Code.SHEET_NOT_ON_ROSTER, sheet))


RETURNED_CLEAN, RETURNED_WITH_PROBLEMS, NOT_RETURNED = "已交且无误", "已交但有问题", "未交"


def returns(round_: Round) -> dict[str, list[str]]:
    """For the roster: which townships returned a valid sheet, one with problems, or none yet."""
    status: dict[str, list[str]] = {RETURNED_CLEAN: [], RETURNED_WITH_PROBLEMS: [], NOT_RETURNED: []}
    sheets = {s.township: s for s in round_.sheets}
    matcher = Matcher(sheets)
    faulty = {p.file for p in round_.problems if p.is_error}
    for name in round_.roster:
        township = matcher.match(name)[0]
        if township is None:
            status[NOT_RETURNED].append(name)
        elif sheets[township].file in faulty:
            status[RETURNED_WITH_PROBLEMS].append(name)
        else:
            status[RETURNED_CLEAN].append(name)
    return status


def _companion(round_: Round, paths: list[Path], table: str, expected: str, reported: bool) -> bytes | None:
    """The table's bytes; None when it is missing (an error), or ``reported`` already (an entry
    of its name that is no readable file, two files of its name)."""
    if not paths:
        if not reported:
            round_.problems.append(problem(Code.TABLE_MISSING, file=expected, table=table, expected=expected))
        return None
    try:
        return hashed(paths[0], table, round_.files)
    except ReadError as exc:
        round_.problems.append(exc.problem(shown(paths[0])))
        return None


def case_counts(round_: Round, paths: list[Path], matcher: Matcher, reported: bool = False) -> None:
    data = _companion(round_, paths, "办件数量表", C.CASE_COUNTS_FILE, reported)
    if data is None:
        return
    file = shown(paths[0])
    counts, found = read_case_counts(data, file)
    round_.problems += found
    round_.case_counts = counts
    table_broken = any(p.file == file and p.is_error for p in found)
    for count in counts:
        township, loosely = matcher.match(count.unit)
        if township is None:
            continue  # a unit ranked for 3.1 without a sheet of its own (a police station, say)
        if township in round_.unit_of:
            round_.problems.append(
                problem(
                    Code.UNIT_DUPLICATE,
                    file=file,
                    sheet=C.CASE_COUNTS_SHEET,
                    cell=count.cell,
                    value=count.unit,
                    other=round_.unit_of[township],
                )
            )
            continue
        if loosely:
            round_.problems.append(
                problem(
                    Code.NAME_MATCHED_LOOSELY, file=file, cell=count.cell, value=count.unit, matched=township
                )
            )
        round_.unit_of[township] = count.unit
    if table_broken:
        return  # the rows in error are reported already; a missing township would only repeat them
    for sheet in round_.sheets:
        if text_key(sheet.township) and sheet.township not in round_.unit_of:
            round_.problems.append(at_township(Code.TOWNSHIP_NO_CASE_COUNT, sheet))


def criticisms(round_: Round, paths: list[Path], matcher: Matcher, reported: bool = False) -> None:
    data = _companion(round_, paths, "通报批评记录表", C.CRITICISMS_FILE, reported)
    if data is None:
        return
    file = shown(paths[0])
    records, found = read_criticisms(data, file, round_.settings)
    round_.problems += found
    since = round_.settings.criticisms_since
    for record in records:
        where = dict(file=file, sheet=record.sheet, cell=record.cell)
        township, loosely = matcher.match(record.township)
        if township is None:
            round_.problems.append(problem(Code.CRITICISM_UNKNOWN_TOWNSHIP, value=record.township, **where))
            continue
        if loosely:
            round_.problems.append(
                problem(Code.NAME_MATCHED_LOOSELY, value=record.township, matched=township, **where)
            )
        if since is not None and record.date < since:
            round_.problems.append(
                problem(
                    Code.CRITICISM_NOT_COUNTED,
                    value=record.date.isoformat(),
                    since=since.isoformat(),
                    **where,
                )
            )
            continue
        round_.criticisms.append(replace(record, township=township))
