"""Input folder -> a validated round: every file read once, every problem of every file
collected, and the names of the three kinds of input matched to one another."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import constants as C
from .names import Matcher, township_key
from .problems import Code, Problem, has_errors, problem
from .reader import ReadError, read_bytes
from .roster import read_roster
from .rubric import Rubric
from .settings import Settings, load_settings
from .sheets import ScoreSheet, read_score_sheet
from .tables import CaseCount, Criticism, read_case_counts, read_criticisms

SPREADSHEET_LIKE = {
    ".xls": "旧版Excel（.xls）",
    ".xlsm": "启用宏的Excel（.xlsm）",
    ".xlsb": "Excel二进制（.xlsb）",
    ".et": "WPS表格（.et）",
    ".ett": "WPS表格模板（.ett）",
    ".ods": "OpenDocument表格（.ods）",
    ".csv": "CSV文本（.csv）",
    ".xltx": "Excel模板（.xltx）",
}


@dataclass(frozen=True)
class InputFile:
    name: str
    role: str  # 评分表, 办件数量表, 通报批评记录表, 设置
    sha256: str
    size: int


@dataclass
class Round:
    rubric: Rubric
    settings: Settings | None = None
    sheets: list[ScoreSheet] = field(default_factory=list)
    case_counts: list[CaseCount] = field(default_factory=list)
    unit_of: dict[str, str] = field(default_factory=dict)  # township -> its unit in the case counts
    criticisms: list[Criticism] = field(default_factory=list)  # counted, township as on its sheet
    roster: list[str] = field(
        default_factory=list
    )  # townships expected to return a sheet (if a roster is given)
    files: list[InputFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)  # internal errors, for output/error.log

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)


def _hashed(path: Path, role: str, files: list[InputFile]) -> bytes:
    data = read_bytes(path)
    files.append(InputFile(path.name, role, hashlib.sha256(data).hexdigest(), len(data)))
    return data


def _is_skipped(path: Path) -> bool:
    """Office lock files (~$name.xlsx) and hidden files are never inputs."""
    return path.name.startswith(("~$", ".")) or path.name.lower() in ("thumbs.db", "desktop.ini")


def classify(folder: Path) -> dict[str, list[Path]]:
    roles: dict[str, list[Path]] = {
        "sheets": [],
        "case_counts": [],
        "criticisms": [],
        "settings": [],
        "roster": [],
        "other": [],
    }
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if _is_skipped(path):
            continue
        name = path.name.lower()
        if name == C.CASE_COUNTS_FILE:
            roles["case_counts"].append(path)
        elif name == C.CRITICISMS_FILE:
            roles["criticisms"].append(path)
        elif name == C.SETTINGS_FILE:
            roles["settings"].append(path)
        elif name == C.ROSTER_FILE:
            roles["roster"].append(path)
        elif path.suffix.lower() == ".xlsx" and path.is_file():
            roles["sheets"].append(path)
        else:
            roles["other"].append(path)
    return roles


def collect(folder: Path, rubric: Rubric, progress: Progress | None = None) -> Round:
    """Read and check a whole round in ``folder``: sheets, case counts, criticisms, settings."""
    round_ = Round(rubric=rubric)
    roles = classify(folder)
    settings_file = roles["settings"][0] if roles["settings"] else None
    round_.settings, settings_problems = load_settings(settings_file)
    round_.problems += settings_problems
    for path in roles["other"]:
        kind = SPREADSHEET_LIKE.get(path.suffix.lower())
        if kind:
            round_.problems.append(problem(Code.FILE_WRONG_TYPE, file=path.name, kind=kind))
        elif path.is_file():
            round_.problems.append(problem(Code.FILE_IGNORED, file=path.name))
    read_sheets(roles["sheets"], round_, progress)
    if not roles["sheets"]:
        round_.problems.append(problem(Code.NO_SHEETS, file=folder.name))
    _check_duplicates(round_)
    if roles["roster"]:
        _roster(round_, roles["roster"][0])
    matcher = Matcher(s.township for s in round_.sheets if township_key(s.township))
    with _guarded(round_, C.CASE_COUNTS_FILE):
        _case_counts(round_, roles["case_counts"], matcher)
    if round_.settings is not None:
        with _guarded(round_, C.CRITICISMS_FILE):
            _criticisms(round_, roles["criticisms"], matcher)
    return round_


@contextlib.contextmanager
def _guarded(round_: Round, file: str) -> Iterator[None]:
    """A program error on one file becomes that file's INTERNAL_ERROR; the others still count."""
    try:
        yield
    except Exception as exc:
        found, logged = _internal_error(file, exc)
        round_.problems.append(found)
        round_.tracebacks.append(logged)


def _internal_error(file: str, exc: Exception) -> tuple[Problem, str]:
    """The problem the clerk sees and the traceback for error.log, for an exception being handled."""
    return problem(
        Code.INTERNAL_ERROR, file=file, detail=type(exc).__name__
    ), f"{file}\n{traceback.format_exc()}"


def check_files(paths: list[Path], rubric: Rubric, progress: Progress | None = None) -> Round:
    """Check score sheets on their own (an inspector's or clerk's check of one or more files)."""
    round_ = Round(rubric=rubric)
    read_sheets(paths, round_, progress)
    _check_duplicates(round_)
    return round_


PARALLEL_FROM = 200  # sheets; below this, starting worker processes costs more than it saves
CHUNK = 50  # sheets handed to a worker at a time

Progress = Callable[[int, int], None]  # (sheets read, sheets in all)


@dataclass
class _SheetResult:
    file: InputFile | None
    sheet: ScoreSheet | None
    problems: list[Problem]
    traceback: str = ""


_WORKER_RUBRIC: Rubric | None = None


def _init_worker(rubric: Rubric) -> None:
    global _WORKER_RUBRIC
    _WORKER_RUBRIC = rubric


def _read_one(path: Path, rubric: Rubric | None = None) -> _SheetResult:
    """One sheet, start to end; never raises: a program error becomes that file's problem."""
    rubric = rubric or _WORKER_RUBRIC
    files: list[InputFile] = []
    try:
        data = _hashed(path, "评分表", files)
        sheet, found = read_score_sheet(data, path.name, rubric)
        return _SheetResult(files[0], sheet, found)
    except ReadError as exc:
        return _SheetResult(None, None, [problem(exc.code, file=path.name, **exc.params)])
    except Exception as exc:  # a program error on one file must not hide the others
        found, logged = _internal_error(path.name, exc)
        return _SheetResult(files[0] if files else None, None, [found], logged)


def read_sheets(paths: list[Path], round_: Round, progress: Progress | None = None) -> None:
    """Read every sheet; a large round is read by one worker process per core, in order."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS) if len(paths) >= PARALLEL_FROM else 1
    if workers > 1:
        # imported here: a county round never needs them, and they cost a clerk's run 20 ms
        from concurrent.futures.process import BrokenProcessPool

        try:
            results = list(_read_parallel(paths, round_.rubric, workers, progress))
        except BrokenProcessPool:  # a worker died (out of memory, killed): read in this process
            results = None
        if results is not None:
            _merge(round_, results)
            return
    results = []
    for n, path in enumerate(paths, start=1):
        results.append(_read_one(path, round_.rubric))
        if progress and n % CHUNK == 0:
            progress(n, len(paths))
    _merge(round_, results)


MAX_WORKERS = 8


def _read_parallel(paths, rubric: Rubric, workers: int, progress: Progress | None):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if can_fork() else None)
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(rubric,)
    ) as pool:
        for n, result in enumerate(pool.map(_read_one, paths, chunksize=CHUNK), start=1):
            if progress and n % CHUNK == 0:
                progress(n, len(paths))
            yield result


def can_fork() -> bool:
    """Whether worker processes may be forked. Safe on Linux; macOS may abort a forked child
    once system frameworks are loaded (CPython spawns there by default); Windows cannot fork.
    Elsewhere workers are spawned (they import the package afresh)."""
    import multiprocessing

    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _merge(round_: Round, results: list[_SheetResult]) -> None:
    for result in results:
        if result.file is not None:
            round_.files.append(result.file)
        round_.problems += result.problems
        if result.traceback:
            round_.tracebacks.append(result.traceback)
        if result.sheet is not None:
            round_.sheets.append(result.sheet)


def _roster(round_: Round, path: Path) -> None:
    """Every township on the roster must have returned a sheet, and every sheet be on it."""
    try:
        data = _hashed(path, "乡镇名单", round_.files)
    except ReadError as exc:
        round_.problems.append(problem(exc.code, file=path.name, **exc.params))
        return
    names, found = read_roster(data, path.name)
    round_.problems += found
    round_.roster = names
    if not names:
        return
    sheets = Matcher(s.township for s in round_.sheets if township_key(s.township))
    for name in names:
        if sheets.match(name)[0] is None:
            round_.problems.append(problem(Code.ROSTER_NO_SHEET, file=path.name, value=name))
    roster = Matcher(names)
    for sheet in round_.sheets:
        if township_key(sheet.township) and roster.match(sheet.township)[0] is None:
            round_.problems.append(_at_township(Code.SHEET_NOT_ON_ROSTER, sheet))


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


def _at_township(code: Code, sheet: ScoreSheet, **params) -> Problem:
    """A problem about a sheet's township, at its 乡镇名称 cell."""
    return problem(
        code, file=sheet.file, sheet=sheet.sheet, cell=sheet.township_cell, value=sheet.township, **params
    )


def _check_duplicates(round_: Round) -> None:
    by_key: dict[str, list[ScoreSheet]] = {}
    for sheet in round_.sheets:
        if township_key(sheet.township):
            by_key.setdefault(township_key(sheet.township), []).append(sheet)
    for group in by_key.values():
        if len(group) < 2:
            continue
        for sheet in group:
            others = "、".join(s.file for s in group if s is not sheet)
            round_.problems.append(_at_township(Code.TOWNSHIP_DUPLICATE, sheet, other=others))


def _companion(round_: Round, paths: list[Path], table: str, expected: str) -> bytes | None:
    if not paths:
        round_.problems.append(problem(Code.TABLE_MISSING, file=expected, table=table, expected=expected))
        return None
    try:
        return _hashed(paths[0], table, round_.files)
    except ReadError as exc:
        round_.problems.append(problem(exc.code, file=paths[0].name, **exc.params))
        return None


def _case_counts(round_: Round, paths: list[Path], matcher: Matcher) -> None:
    data = _companion(round_, paths, "办件数量表", C.CASE_COUNTS_FILE)
    if data is None:
        return
    file = paths[0].name
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
        if township_key(sheet.township) and sheet.township not in round_.unit_of:
            round_.problems.append(_at_township(Code.TOWNSHIP_NO_CASE_COUNT, sheet))


def _criticisms(round_: Round, paths: list[Path], matcher: Matcher) -> None:
    data = _companion(round_, paths, "通报批评记录表", C.CRITICISMS_FILE)
    if data is None:
        return
    file = paths[0].name
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
