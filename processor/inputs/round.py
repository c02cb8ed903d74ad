"""Input folder -> a validated round: every file read once, every problem of every file
collected, and the names of the three kinds of input matched to one another (``crosscheck``)."""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .. import constants as C
from .. import processes
from ..problems import Code, Problem, has_errors, problem
from ..rules.rubric import Rubric, load_rubric
from ..rules.settings import Settings, load_settings
from ..xlsx import ReadError
from . import crosscheck, panel
from .folder import SPREADSHEET_LIKE, UNUSED_FILE, Folder, InputFile, classify, hashed, name_key, shown
from .names import Matcher
from .roster import read_roster
from .rubric_book import read_rubric_book
from .sheet import ScoreSheet, read_score_sheet
from .tables import CaseCount, Criticism
from .vetoes import Veto

Progress = Callable[[int, int], None]  # (sheets read, sheets in all)
PARALLEL_FROM = 200  # sheets; below this, starting worker processes costs more than it saves
CHUNK = 50  # sheets handed to a worker at a time


@dataclass
class Round:
    rubric: Rubric
    settings: Settings | None = None
    sheets: list[ScoreSheet] = field(default_factory=list)
    case_counts: list[CaseCount] = field(default_factory=list)
    unit_of: dict[str, str] = field(default_factory=dict)  # township -> its unit in the case counts
    criticisms: list[Criticism] = field(default_factory=list)  # counted, township as on its sheet
    vetoes: list[Veto] = field(default_factory=list)  # 一票否决 records, township as on its sheet
    previous: object | None = None  # last round's results (inputs.previous.Previous), if given
    panels: list[panel.Panel] = field(default_factory=list)  # the sheets of each township
    roster: list[str] = field(default_factory=list)  # townships expected to return a sheet, if given
    files: list[InputFile] = field(default_factory=list)
    unused: list[tuple[str, str]] = field(default_factory=list)  # (name, kind): there, not read
    problems: list[Problem] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)  # internal errors, for output/error.log

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)


def collect(
    folder: Path,
    rubric: Rubric | None = None,
    progress: Progress | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> Round:
    """Read and check a whole round in ``folder``: its rubric (rubric.xlsx, else ``rubric``, else
    the packaged table), sheets, case counts, criticisms, vetoes, settings, last round's results.
    A rubric with mistakes stops the round before any sheet is judged.
    ``meanwhile`` is called while worker processes read a large round (the batch imports what
    it publishes with), or not at all; the case-count table is parsed then too."""
    roles = classify(folder)
    round_ = Round(rubric=rubric or load_rubric())
    round_.problems += roles.problems
    round_.unused = roles.unused
    if roles.rubric:
        own = _own_rubric(round_, roles.rubric[0])
        if own is None:
            return round_
        round_.rubric = own
    override = roles.settings[0] if roles.settings else None
    round_.settings, settings_problems = load_settings(override, shown(override) if override else None)
    round_.problems += settings_problems
    if override is not None and round_.settings is not None:
        # in the manifest like every input: the settings decide the notice as much as the sheets
        with contextlib.suppress(ReadError):
            hashed(override, "设置", round_.files)
    for path in roles.other:
        kind = SPREADSHEET_LIKE.get(name_key(path.suffix))
        code = Code.FILE_WRONG_TYPE if kind else Code.FILE_IGNORED
        round_.problems.append(problem(code, file=shown(path), kind=kind or ""))
    ahead = crosscheck.Ahead()

    def while_reading() -> None:
        if meanwhile is not None:
            meanwhile()
        if roles.case_counts and round_.rubric.computed_items:
            ahead.case_counts(roles.case_counts[0])

    read_sheets(roles.sheets, round_, progress, while_reading)
    # the sheets live as long as the round: what follows need not sweep them again and again
    with processes.frozen():
        _companions(round_, roles, folder, ahead)
    return round_


def _companions(round_: Round, roles: Folder, folder: Path, ahead: crosscheck.Ahead | None = None) -> None:
    """Everything read beside the sheets: the panels they form, the roster, the case counts
    (parsed ``ahead`` while a large round's sheets were read), criticisms, vetoes and last
    round's results, each checked against the townships."""
    if not roles.sheets:
        round_.problems.append(problem(Code.NO_SHEETS, file=shown(folder)))
    panel.group(round_)
    if roles.roster:
        _roster(round_, roles.roster[0])
    matcher = Matcher(p.township for p in round_.panels)
    if round_.rubric.computed_items:
        with _guarded(round_, C.CASE_COUNTS_FILE):
            crosscheck.case_counts(round_, roles.case_counts, matcher, "case_counts" in roles.unusable, ahead)
    else:  # a table without an item ranked by case counts needs none
        round_.problems += [problem(Code.FILE_IGNORED, file=shown(p)) for p in roles.case_counts]
        round_.unused += [(p.name, UNUSED_FILE) for p in roles.case_counts]
    if round_.settings is not None:
        with _guarded(round_, C.CRITICISMS_FILE):
            crosscheck.criticisms(round_, roles.criticisms, matcher, "criticisms" in roles.unusable)
    with _guarded(round_, C.VETOES_FILE):
        crosscheck.vetoes(round_, roles.vetoes, matcher, "vetoes" in roles.unusable)
    if roles.previous:
        with _guarded(round_, C.PREVIOUS_FILE):
            crosscheck.previous(round_, roles.previous[0])


def _own_rubric(round_: Round, path: Path) -> Rubric | None:
    """The round folder's own rubric workbook, or None with its problems in the round."""
    try:
        data = hashed(path, "评分标准", round_.files)
    except ReadError as exc:
        round_.problems.append(exc.problem(path.name))
        return None
    rubric, found = read_rubric_book(data, path.name)
    round_.problems += found
    return rubric


def check_files(paths: list[Path], rubric: Rubric, progress: Progress | None = None) -> Round:
    """Check score sheets on their own (an inspector's or clerk's check of one or more files)."""
    round_ = Round(rubric=rubric)
    read_sheets(paths, round_, progress)
    panel.group(round_)
    return round_


def _roster(round_: Round, path: Path) -> None:
    try:
        data = hashed(path, "乡镇名单", round_.files)
    except ReadError as exc:
        round_.problems.append(exc.problem(shown(path)))
        return
    names, found = read_roster(data, shown(path))
    round_.problems += found
    round_.roster = names
    crosscheck.roster(round_, shown(path))


@contextlib.contextmanager
def _guarded(round_: Round, file: str) -> Iterator[None]:
    """A program error on one file becomes that file's INTERNAL_ERROR; the others still count."""
    try:
        yield
    except Exception as exc:
        found, logged = internal_error(file, exc)
        round_.problems.append(found)
        round_.tracebacks.append(logged)


def internal_error(file: str, exc: Exception) -> tuple[Problem, str]:
    """The problem the clerk sees and the traceback for error.log, for an exception being handled."""
    return problem(
        Code.INTERNAL_ERROR, file=file, detail=type(exc).__name__
    ), f"{file}\n{traceback.format_exc()}"


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
        data = hashed(path, "评分表", files)
        sheet, found = read_score_sheet(data, shown(path), rubric)
        return _SheetResult(files[0], sheet, found)
    except ReadError as exc:
        return _SheetResult(None, None, [exc.problem(shown(path))])
    except Exception as exc:  # a program error on one file must not hide the others
        found, logged = internal_error(shown(path), exc)
        return _SheetResult(files[0] if files else None, None, [found], logged)


def read_sheets(
    paths: list[Path],
    round_: Round,
    progress: Progress | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> None:
    """Read every sheet; a large round is read by one worker process per core, in order."""
    workers = processes.workers_for(len(paths), PARALLEL_FROM)
    if workers > 1:
        # imported here: a county round never needs them, and they cost a clerk's run 20 ms
        from concurrent.futures.process import BrokenProcessPool

        mapped = processes.parallel_map(
            _read_one, paths, workers, _init_worker, (round_.rubric,), chunksize=CHUNK, meanwhile=meanwhile
        )
        try:
            results = list(processes.in_order(mapped, len(paths), CHUNK, progress))
        except BrokenProcessPool:  # a worker died (out of memory, killed): read in this process
            results = None
        if results is not None:
            _merge(round_, results)
            return
    read = (_read_one(path, round_.rubric) for path in paths)
    _merge(round_, list(processes.in_order(read, len(paths), CHUNK, progress)))


def _merge(round_: Round, results: list[_SheetResult]) -> None:
    for result in results:
        if result.file is not None:
            round_.files.append(result.file)
        round_.problems += result.problems
        if result.traceback:
            round_.tracebacks.append(result.traceback)
        if result.sheet is not None:
            round_.sheets.append(result.sheet)
