"""The one call behind each command: ``check`` validates, ``run`` validates and publishes.

    rules -> inputs (a validated Round) -> results (one record per township) -> outputs

The outcome keeps apart what the inputs say (``round.problems``, which decide the exit code) and
what the run itself has to tell (``notes``: ties for the leading group to decide, the PDF).
"""

from __future__ import annotations

import datetime as dt
import functools
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import constants as C
from .inputs.round import Round, check_files, collect
from .outputs.publish import OutputError, staging
from .problems import Code, Problem, problem
from .processes import beside
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
    published: bool = False
    notes: list[Problem] = field(default_factory=list)  # the run's own: ties to decide, the PDF

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.round.ok else EXIT_PROBLEMS


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
        return Outcome(collect(paths[0], rubric, progress))
    if any(p.is_dir() for p in paths):
        raise UsageError("请只给一个文件夹，或者一个或多个评分表文件")
    return Outcome(check_files(paths, rubric, progress))


def run(
    input_dir: Path, output_dir: Path, rubric: Rubric | None = None, pdf: bool = True, progress=None
) -> Outcome:
    """Validate the round in ``input_dir``; when it has no error, publish the results."""
    rubric = rubric or load_rubric()
    if not input_dir.is_dir():
        raise UsageError(f"输入文件夹 {input_dir} 不存在")
    if output_dir.resolve() == input_dir.resolve() or input_dir.resolve() in output_dir.resolve().parents:
        raise UsageError("输出文件夹不能是输入文件夹或其中的子文件夹（输入文件夹中的文件从不改写）")
    with staging(output_dir) as stage:
        # the libraries are imported while worker processes read a large round, else here
        outcome = Outcome(collect(input_dir, rubric, progress, meanwhile=_import_publishing))
        round_ = outcome.round
        when = round_.settings.publication_date if round_.settings else dt.date(rubric.year, 1, 1)
        from .outputs.details import write_details_csv
        from .outputs.feedback import write_feedback
        from .outputs.notice import render_notice
        from .outputs.report import write_validation_report
        from .outputs.workbook import write_consolidated
        from .results.grading import grade

        results = grade(round_) if round_.ok else None
        outcome.results = results
        if results is not None:
            outcome.notes += [_tie_note(tie) for tie in results.ties]
        # the reports list the inputs' problems and what the leading group must decide
        reported = round_.problems + outcome.notes
        large = is_large(len(round_.sheets))
        consolidated = None
        if results is not None:
            path = stage.path(C.CONSOLIDATED_FILE)
            consolidated = functools.partial(
                write_consolidated, path, round_, results, reported, details=not large
            )
        # From a few hundred townships on, the workbook takes as long as every other output
        # together: it is written on the second core meanwhile (a county's would not repay the fork).
        in_child = large or len(round_.sheets) >= BESIDE_FROM
        with beside(consolidated, enabled=in_child, output=C.CONSOLIDATED_FILE):
            if results is not None:
                notice = stage.path(C.NOTICE_FILE)
                notice.write_text(render_notice(round_, results, large), encoding="utf-8")
                if large:
                    paths = stage.path(C.ITEM_SCORES_CSV), stage.path(C.DEDUCTIONS_CSV)
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
                    write_feedback(stage.folder_path(C.FEEDBACK_DIR), round_, results)
                outcome.published = True
            write_validation_report(stage.path(C.VALIDATION_REPORT_FILE), round_, reported, when)
        if round_.tracebacks:
            stage.path(C.ERROR_LOG_FILE).write_text("\n\n".join(round_.tracebacks), encoding="utf-8")
        if outcome.published and pdf:
            # After the workbooks: they depend on the inputs alone, not on whether this machine
            # has a browser. Whether a PDF was made is a note the CLI prints.
            note = make_pdf(notice, stage.path(C.NOTICE_PDF_FILE), when)
            if note is not None:  # None: printing is off (the tests turn it off so)
                outcome.notes.append(note)
        # A published round replaces every output of ours: a PDF or error log from an older run
        # must not sit next to the new notice.
        stale = (
            (C.ERROR_LOG_FILE, C.NOTICE_PDF_FILE, C.ITEM_SCORES_CSV, C.DEDUCTIONS_CSV, C.FEEDBACK_DIR)
            if outcome.published
            else ()
        )
        outcome.written = stage.commit(remove=stale)
    return outcome


def _import_publishing() -> None:
    """pandas, jinja2 and xlsxwriter: imported only by the command that publishes (pandas
    alone takes most of a second)."""
    from .outputs import details, feedback, notice, report, workbook  # noqa: F401
    from .results import grading  # noqa: F401


def _tie_note(tie) -> Problem:
    return problem(
        Code.TIE_AT_BOUNDARY,
        value="、".join(tie.townships),
        total=format(tie.total, ".1f"),
        rank=tie.rank,
        upper=tie.upper,
        lower=tie.lower,
    )


def make_pdf(html: Path, pdf: Path, when: dt.date) -> Problem:
    """Print the notice to PDF: a note saying which browser made it, or why none was made (the
    HTML stays either way)."""
    from .outputs.pdf import PdfError, find_browser, html_to_pdf

    browser = find_browser()
    if browser is None:
        reason = "本机未找到Chromium、Chrome或Edge浏览器"
        return problem(Code.PDF_NOT_MADE, file=C.NOTICE_PDF_FILE, value=reason)
    try:
        html_to_pdf(html, pdf, when, browser)
    except PdfError as exc:
        pdf.unlink(missing_ok=True)
        return problem(Code.PDF_NOT_MADE, file=C.NOTICE_PDF_FILE, value=str(exc))
    except Exception:  # a PDF is a convenience: no failure of it may lose the HTML
        pdf.unlink(missing_ok=True)
        return problem(Code.PDF_NOT_MADE, file=C.NOTICE_PDF_FILE, value="生成PDF时程序出错")
    return problem(Code.PDF_MADE, file=C.NOTICE_PDF_FILE, browser=browser.name, path=browser.path)


def log_internal_error(output_dir: Path, context: str) -> Path | None:
    """Write the full traceback of the exception being handled where the clerk can send it on."""
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        path = output_dir / C.ERROR_LOG_FILE
        path.write_text(f"{context}\n\n{traceback.format_exc()}", encoding="utf-8")
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
