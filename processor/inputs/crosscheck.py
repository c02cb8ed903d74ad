"""Checks across the files of a round: one sheet per township, every township on the roster
returned, every sheet's township in the case counts, every criticism about a township that has
a sheet. The names are matched as ``names.Matcher`` says."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .. import constants as C
from ..problems import Code, Problem, problem
from ..xlsx import ReadError, read_bytes
from .folder import hashed, shown
from .names import Matcher, text_key
from .previous import read_previous
from .sheet import ScoreSheet
from .tables import CaseCount, read_case_counts, read_criticisms
from .vetoes import read_vetoes

if TYPE_CHECKING:
    from .round import Round


def at_township(code: Code, sheet: ScoreSheet, **params) -> Problem:
    """A problem about a sheet's township, at its 乡镇名称 cell."""
    return problem(
        code, file=sheet.file, sheet=sheet.sheet, cell=sheet.township_cell, value=sheet.township, **params
    )


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
    panels = {p.township: p for p in round_.panels}
    matcher = Matcher(panels)
    faulty = {p.file for p in round_.problems if p.is_error}
    for name in round_.roster:
        township = matcher.match(name)[0]
        if township is None:
            status[NOT_RETURNED].append(name)
        elif any(s.file in faulty for s in panels[township].sheets):
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


class Ahead:
    """The case-count table parsed while worker processes read the sheets, when the parent would
    only wait: a province's table has a row per township (40,000 rows: about a second), which
    would otherwise be parsed alone after the sheets. The parse is used only for the very bytes
    the round then reads and records; anything that goes wrong ahead is left to that read,
    which reports it."""

    def __init__(self) -> None:
        self._parsed: tuple[bytes, str, tuple[list[CaseCount], list[Problem]]] | None = None

    def case_counts(self, path: Path) -> None:
        try:
            data, file = read_bytes(path), shown(path)
            self._parsed = data, file, read_case_counts(data, file)
        except Exception:  # the table is read again in its turn, and what is wrong said there
            self._parsed = None

    def case_counts_of(self, data: bytes, file: str) -> tuple[list[CaseCount], list[Problem]]:
        parsed, self._parsed = self._parsed, None
        if parsed is not None and parsed[0] == data and parsed[1] == file:
            return parsed[2]
        return read_case_counts(data, file)


def case_counts(
    round_: Round, paths: list[Path], matcher: Matcher, reported: bool = False, ahead: Ahead | None = None
) -> None:
    data = _companion(round_, paths, "办件数量表", C.CASE_COUNTS_FILE, reported)
    if data is None:
        return
    file = shown(paths[0])
    counts, found = ahead.case_counts_of(data, file) if ahead else read_case_counts(data, file)
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
    for panel in round_.panels:
        if panel.township not in round_.unit_of:
            round_.problems.append(at_township(Code.TOWNSHIP_NO_CASE_COUNT, panel.sheets[0]))


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


def vetoes(round_: Round, paths: list[Path], matcher: Matcher, reported: bool = False) -> None:
    """The 一票否决 record: required when the rubric lists veto matters (an empty table with its
    header says "none"); refused when it holds records the rubric gives no effect."""
    matters = round_.rubric.grading.vetoes
    if not matters and not paths:
        return
    data = _companion(round_, paths, "一票否决记录表", C.VETOES_FILE, reported)
    if data is None:
        return
    file = paths[0].name
    records, found = read_vetoes(data, file, matters)
    if not matters:
        if records or found:
            round_.problems.append(problem(Code.VETOES_WITHOUT_RULE, file=file))
        return
    round_.problems += found
    for record in records:
        where = dict(file=file, sheet=record.sheet, cell=record.cell)
        township, loosely = matcher.match(record.township)
        if township is None:
            round_.problems.append(problem(Code.VETO_UNKNOWN_TOWNSHIP, value=record.township, **where))
            continue
        if loosely:
            round_.problems.append(
                problem(Code.NAME_MATCHED_LOOSELY, value=record.township, matched=township, **where)
            )
        round_.vetoes.append(replace(record, township=township))


def previous(round_: Round, path: Path) -> None:
    try:
        data = hashed(path, "上轮汇总表", round_.files)
    except ReadError as exc:
        round_.problems.append(exc.problem(path.name))
        return
    round_.previous, found = read_previous(data, path.name)
    round_.problems += found
