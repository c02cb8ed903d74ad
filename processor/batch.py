"""The one call behind each command: ``check`` validates, ``run`` validates and publishes.

    rules -> inputs (a validated Round) -> results (one record per township) -> outputs

The outcome keeps apart what the inputs say (``round.problems``, which decide the exit code) and
what the run itself has to tell (``notes``: ties for the leading group to decide, the PDF).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import shutil
import traceback
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from . import constants as C
from .inputs.round import Round, check_files, collect
from .inputs.stages import stage_problems
from .oserrors import reason
from .outputs import registering
from .outputs.notes import disagreements, tie_note
from .outputs.pdf import make_pdf
from .outputs.publish import OutputError, Staging, held_interrupts, overlap, staging
from .problems import Code, Problem, has_errors, problem
from .processes import beside, frozen
from .register import rounds
from .rules.rubric import Rubric, load_rubric

if TYPE_CHECKING:
    from .results.records import Results

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
BESIDE_FROM = 200  # townships from which the workbook is written in a forked child (Linux)


class UsageError(Exception):
    """Wrong paths or options; the message is for the clerk."""


@dataclass
class Outcome:
    round: Round
    results: Results | None = None
    written: list[Path] = field(default_factory=list)
    published: bool = False  # the notice (or the stage's document) was written
    stage: str = C.STAGE_NOTICE
    notes: list[Problem] = field(default_factory=list)  # the run's own: ties to decide, the PDF

    @property
    def exit_code(self) -> int:
        """A published result the register did not take is a problem too (REGISTER_NOT_RECORDED)."""
        return EXIT_OK if self.round.ok and not has_errors(self.notes) else EXIT_PROBLEMS


def is_large(townships: int) -> bool:
    """A round too large for a workbook and a notice to list everything (a province, the
    country): its outputs are split as the README says."""
    return townships > C.LARGE_ROUND


def check(paths: list[Path], rubric: Rubric | None = None, progress=None) -> Outcome:
    """Validate without publishing: a folder is checked as a whole round, files one by one."""
    rubric = rubric or load_rubric()
    for path in paths:
        if not path.exists():
            raise UsageError(f"找不到 {path}")
    if len(paths) == 1 and paths[0].is_dir():
        input_folder(paths[0])
        return Outcome(collect(paths[0], rubric, progress))
    if any(p.is_dir() for p in paths):
        raise UsageError("请只给一个文件夹，或者一个或多个评分表文件")
    return Outcome(check_files(paths, rubric, progress))


def run(
    input_dir: Path,
    output_dir: Path,
    rubric: Rubric | None = None,
    pdf: bool = True,
    progress=None,
    *,
    stage_name: str = C.STAGE_NOTICE,
    register: Path | None = None,
    correction: str | None = None,
) -> Outcome:
    """Validate the round in ``input_dir``; when it has no error, publish the results.

    The output folder holds the published result (``结果/``, switched in as a whole) and the
    latest run's problem list beside it; a run with errors replaces only the latter. A stage
    before the final notice (``stage_name``: 审批稿, 公示) writes its document beside them and
    leaves ``结果/`` as it was. With a ``register``, the published notice is recorded there
    (a published round run again with other inputs is refused unless it is a ``correction``)
    and so is a 公示."""
    rubric = rubric or load_rubric()
    if stage_name not in C.STAGES:
        raise UsageError(f"--stage 只能是{'、'.join(C.STAGES)}之一")
    input_folder(input_dir)
    if overlap(input_dir, output_dir):
        raise UsageError(
            f"输入文件夹 {input_dir} 和输出文件夹 {output_dir} 不能相同或互相包含（也包括通过链接）："
            "发布结果时会替换输出文件夹中的内容，而输入文件夹中的文件从不改写。请换一个输出文件夹"
        )
    if register is not None:
        registering.register_place(register, output_dir, input_dir)
    final = stage_name == C.STAGE_NOTICE
    with staging(output_dir) as stage:
        # the libraries are imported while worker processes read a large round, else in _write
        outcome = Outcome(collect(input_dir, rubric, progress, meanwhile=_import_publishing))
        outcome.stage = stage_name
        round_ = outcome.round
        round_.problems += stage_problems(round_.settings, stage_name)
        # the round read in full lives until the end: grading and writing need not sweep it
        with stage.writing(), frozen():
            document = _write(stage, outcome) if final else _write_stage(stage, outcome)
        to_record = blobs = None  # what the register records once it is switched in
        if outcome.published and register is not None and stage_name != C.STAGE_APPROVAL:
            to_record = registering.staged(stage_name, stage.path(C.RESULTS_DIR) if final else document)
            blobs = rounds.archive(round_, input_dir) if final else []
        # The register's lock from its check to its record: no other clerk's write between them.
        session = registering.held(register) if to_record is not None else contextlib.nullcontext()
        switched = False
        try:
            with session as connection:
                if to_record is not None and final:
                    refused = registering.refusals(connection, register, round_, correction, to_record,
                                                   outcome.results)  # fmt: skip
                    if refused:  # only the problem list is published, and it says why
                        round_.problems += refused
                        outcome.published = False
                        with stage.writing():
                            _report(stage, outcome)
                if outcome.published and pdf:
                    # After the workbooks: they depend on the inputs alone, not on whether this
                    # machine has a browser. Whether a PDF was made is a note the CLI prints.
                    with stage.writing():
                        note = make_pdf(
                            document, document.with_suffix(".pdf"), round_.settings.publication_date, final
                        )
                    if note is not None:  # None: printing is off (the tests turn it off so)
                        outcome.notes.append(note)
                # A published round replaces every output of ours (a PDF or error log of an older
                # run must not stay beside the new notice); a round with errors only its problem list.
                if not outcome.published:
                    names = REPORT_NAMES
                elif final:
                    names = (C.RESULTS_DIR, *REPORT_NAMES, *C.LEGACY_OUTPUTS)
                else:
                    names = (document.name, document.with_suffix(".pdf").name, *REPORT_NAMES)
                published = stage.commit(names, folders={C.RESULTS_DIR: _ours, C.FEEDBACK_DIR: _a_page})
                switched = True
                if to_record is not None and outcome.published:
                    outcome.notes.append(
                        registering.record(connection, register, round_, outcome.results, to_record, blobs,
                                           correction)
                    )  # fmt: skip
        except BaseException as exc:  # after the switch: published, and the register rolled back
            if not (switched and to_record is not None and outcome.published):
                raise
            outcome.notes.append(registering.not_recorded(register, stage_name, exc))
        outcome.written = _listed(published)
        if stage.restored:  # after the reports: they depend on the inputs alone
            outcome.notes.insert(
                0, problem(Code.PUBLICATION_RESTORED, file=str(output_dir), detail=stage.restored)
            )
    if outcome.published and register is not None and stage_name != C.STAGE_APPROVAL:
        from .outputs.register_book import refresh_book

        note = refresh_book(register, dt.date.today())
        if note is not None:
            outcome.notes.append(note)
    return outcome


def _report(stage: Staging, outcome: Outcome) -> Path:
    from .outputs.report import write_validation_report

    round_ = outcome.round
    when = round_.settings.publication_date if round_.settings else dt.date(round_.rubric.year, 1, 1)
    path = stage.path(C.VALIDATION_REPORT_FILE)
    write_validation_report(
        path, round_, round_.problems + outcome.notes, when, large=is_large(len(round_.sheets))
    )
    return path


def _write_stage(stage: Staging, outcome: Outcome) -> Path | None:
    """A stage's document and the problem list into the staging folder; the document's path."""
    from .outputs.stages import render_stage
    from .results.grading import grade

    round_ = outcome.round
    results = grade(round_) if round_.ok else None
    outcome.results = results
    document = None
    if results is not None:
        outcome.notes += [tie_note(tie) for tie in results.ties]
        outcome.notes += disagreements(round_.rubric, results)
        document = stage.path(f"{C.STAGE_FILES[outcome.stage]}.html")
        document.write_text(render_stage(outcome.stage, round_, results, outcome.notes), encoding="utf-8")
        outcome.published = True
    _report(stage, outcome)
    if round_.tracebacks:
        stage.path(C.ERROR_LOG_FILE).write_text("\n\n".join(round_.tracebacks), encoding="utf-8")
    return document


REPORT_NAMES = (C.VALIDATION_REPORT_FILE, C.ERROR_LOG_FILE)  # the latest run's, beside the result
RESULT_FILES = frozenset(
    (
        C.CONSOLIDATED_FILE,
        C.NOTICE_FILE,
        C.NOTICE_PDF_FILE,
        C.VALIDATION_REPORT_FILE,
        C.ITEM_SCORES_CSV,
        C.DEDUCTIONS_CSV,
    )
)
_SYSTEM_FILES = frozenset(("desktop.ini", "thumbs.db", ".ds_store"))  # what Windows or macOS adds to a folder


def _ours(path: PurePosixPath) -> bool:
    """What a published result folder holds: our files and the feedback pages (and what the
    system adds to any folder); anything else there is the clerk's and is not replaced."""
    if path.name.lower() in _SYSTEM_FILES:
        return True
    if len(path.parts) == 1:
        return path.name in RESULT_FILES
    return path.parts[0] == C.FEEDBACK_DIR and _a_page(PurePosixPath(*path.parts[1:]))


def _a_page(path: PurePosixPath) -> bool:
    return (len(path.parts) == 1 and path.suffix == ".html") or path.name.lower() in _SYSTEM_FILES


def input_folder(folder: Path) -> None:
    """The input folder must be a folder this process can list (exit 2 otherwise)."""
    try:
        if not folder.is_dir():
            raise UsageError(f"输入文件夹 {folder} 不存在或不是文件夹")
        with os.scandir(folder) as entries:
            next(entries, None)
    except OSError as exc:
        what, advice = reason(exc)
        raise UsageError(f"输入文件夹 {folder} 无法读取：{what}。{advice}") from exc


def _write(stage: Staging, outcome: Outcome) -> Path | None:
    """Every output into the staging folder; the notice's path (None when nothing publishes)."""
    round_ = outcome.round
    rubric = round_.rubric
    when = round_.settings.publication_date if round_.settings else dt.date(rubric.year, 1, 1)
    from .outputs.details import write_details_csv
    from .outputs.feedback import write_feedback
    from .outputs.notice import render_notice
    from .outputs.report import write_validation_report
    from .outputs.workbook import write_consolidated
    from .results.grading import grade

    results = grade(round_) if round_.ok else None
    outcome.results = results
    comparison = None
    if results is not None and round_.previous is not None:
        from .outputs.comparison import compare

        comparison = compare(rubric, results, round_.previous)
    if results is not None:
        outcome.notes += [tie_note(tie) for tie in results.ties]
        outcome.notes += disagreements(rubric, results)
    # the reports list the inputs' problems and what the leading group must decide
    reported = round_.problems + outcome.notes
    large = is_large(len(round_.sheets))
    consolidated = notice = None
    if results is not None:
        stage.folder_path(C.RESULTS_DIR)
        path = stage.path(C.RESULTS_DIR, C.CONSOLIDATED_FILE)
        consolidated = functools.partial(
            write_consolidated, path, round_, results, reported, details=not large, comparison=comparison
        )
    # From a few hundred townships on, the workbook takes as long as every other output
    # together: it is written on the second core meanwhile (a county's would not repay the fork).
    in_child = large or len(round_.sheets) >= BESIDE_FROM
    with beside(consolidated, enabled=in_child, output=C.CONSOLIDATED_FILE):
        if results is not None:
            notice = stage.path(C.RESULTS_DIR, C.NOTICE_FILE)
            notice.write_text(render_notice(round_, results, large), encoding="utf-8")
            if large:
                paths = (
                    stage.path(C.RESULTS_DIR, C.ITEM_SCORES_CSV),
                    stage.path(C.RESULTS_DIR, C.DEDUCTIONS_CSV),
                )
                write_details_csv(*paths, rubric, results)
                outcome.notes.append(
                    problem(
                        Code.ROUND_SPLIT,
                        limit=C.LARGE_ROUND,
                        items=C.ITEM_SCORES_CSV,
                        deductions=C.DEDUCTIONS_CSV,
                    )
                )
            else:
                write_feedback(stage.folder_path(C.RESULTS_DIR, C.FEEDBACK_DIR), round_, results, comparison)
            outcome.published = True
        report = stage.path(C.VALIDATION_REPORT_FILE)
        write_validation_report(report, round_, reported, when, large=large)
    if results is not None:  # the published result carries its own problem list
        shutil.copyfile(report, stage.path(C.RESULTS_DIR, C.VALIDATION_REPORT_FILE))
    if round_.tracebacks:
        stage.path(C.ERROR_LOG_FILE).write_text("\n\n".join(round_.tracebacks), encoding="utf-8")
    return notice


def _listed(published: list[Path]) -> list[Path]:
    """What the clerk is shown: the result folder's files, then the problem list."""
    shown = []
    for path in published:
        if path.name == C.RESULTS_DIR and path.is_dir():
            shown += sorted(path.iterdir())
        else:
            shown.append(path)
    return shown


def _import_publishing() -> None:
    """pandas, jinja2 and xlsxwriter: imported only by the command that publishes (pandas
    alone takes most of a second). A Ctrl-C meanwhile is delivered once they are imported:
    raised inside the import machinery's own callbacks, Python prints it and drops it, and the
    run went on to the end."""
    with held_interrupts():
        from .outputs import comparison, details, feedback, notice, report, workbook  # noqa: F401
        from .results import grading  # noqa: F401


def rubric_from(path: Path | None) -> tuple[Rubric | None, list[Problem]]:
    """The rubric a command is given: a workbook as ``processor rubric`` writes it (its mistakes
    as problems), a TOML like the packaged one, or the packaged 2022 table when ``path`` is None."""
    if path is None:
        return load_rubric(), []
    if not path.is_file():
        raise UsageError(f"找不到评分标准文件 {path}")
    if path.suffix.lower() == ".toml":
        return load_rubric(path), []
    from .inputs.rubric_book import read_rubric_book
    from .xlsx import ReadError, read_bytes

    try:
        data = read_bytes(path)
    except ReadError as exc:
        return None, [exc.problem(path.name)]
    return read_rubric_book(data, path.name)


def export_rubric(
    folder: Path, rubric: Rubric | None = None, source: Path | None = None
) -> tuple[Path, list[str]]:
    """Write rubric.xlsx into ``folder``: the given rubric, or what ``source`` (the plan's .docx)
    says, with what could not be read for certain marked (returned as lines for the clerk)."""
    from .forms.rubric_book import draft_of, write_rubric_book

    if source is not None:
        from .inputs.plan_docx import read_plan

        draft, marks = read_plan(source)
    else:
        draft, marks = draft_of(rubric), []
    path = write_rubric_book(draft, folder / C.RUBRIC_FILE, int(draft.head.get(C.R_YEAR) or 2000))
    return path, marks


def log_internal_error(output_dir: Path, context: str) -> Path | None:
    """Write the full traceback of the exception being handled where the clerk can send it on."""
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        path = output_dir / C.ERROR_LOG_FILE
        # beside, then renamed over: a link named error.log is replaced, never followed
        temporary = output_dir / f".{C.ERROR_LOG_FILE}.tmp"
        temporary.unlink(missing_ok=True)
        temporary.write_text(f"{context}\n\n{traceback.format_exc()}", encoding="utf-8")
        os.replace(temporary, path)
        return path
    except OSError:
        return None


__all__ = [
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "EXIT_USAGE",
    "Outcome",
    "OutputError",
    "UsageError",
    "check",
    "run",
]
