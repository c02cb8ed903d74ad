"""The one call behind each command: ``check`` validates, ``run`` validates and publishes."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import constants as C
from .collect import Round, can_fork, check_files, collect
from .problems import Code, problem
from .publish import OutputError, staging
from .rubric import Rubric, load_rubric

if TYPE_CHECKING:
    from .grading import Results

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    """Wrong paths or options; the message is for the clerk."""


@dataclass
class Outcome:
    round: Round
    results: Results | None = None
    written: list[Path] = field(default_factory=list)
    published: bool = False
    notes: list[str] = field(default_factory=list)  # what the clerk should know about the outputs

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.round.ok else EXIT_PROBLEMS


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
        outcome = Outcome(collect(input_dir, rubric, progress))
        round_ = outcome.round
        when = round_.settings.publication_date if round_.settings else dt.date(rubric.year, 1, 1)
        # pandas, jinja2 and xlsxwriter are imported only by the command that needs them.
        from .feedback import write_feedback
        from .grading import grade
        from .notice import render_notice
        from .scoring import score
        from .workbook import write_consolidated, write_details_csv, write_validation_report

        results = None
        if round_.ok:
            results = grade(score(round_), round_)
            outcome.results = results
            for tie in results.ties:
                round_.problems.append(
                    problem(
                        Code.TIE_AT_BOUNDARY,
                        value="、".join(tie.townships),
                        total=format(tie.total, ".1f"),
                        rank=tie.rank,
                        upper=tie.upper,
                        lower=tie.lower,
                    )
                )
        large = len(round_.sheets) > C.LARGE_ROUND
        consolidated = None
        if results is not None:
            path = stage.path(C.CONSOLIDATED_FILE)
            consolidated = functools.partial(write_consolidated, path, round_, results, details=not large)
        with beside(consolidated, enabled=large, output=C.CONSOLIDATED_FILE):
            if results is not None:
                notice = stage.path(C.NOTICE_FILE)
                notice.write_text(render_notice(round_, results), encoding="utf-8")
                if large:
                    paths = stage.path(C.ITEM_SCORES_CSV), stage.path(C.DEDUCTIONS_CSV)
                    write_details_csv(*paths, round_, results)
                    outcome.notes.append(
                        f"乡镇数超过{C.LARGE_ROUND}个：逐项得分和扣分明细另存为{C.ITEM_SCORES_CSV}和{C.DEDUCTIONS_CSV}，"
                        "不生成每个乡镇的反馈页，通报只列出获评等级和被降级的乡镇"
                    )
                else:
                    write_feedback(stage.folder_path(C.FEEDBACK_DIR), round_, results)
                outcome.published = True
            write_validation_report(stage.path(C.VALIDATION_REPORT_FILE), round_, when)
        if round_.tracebacks:
            stage.path(C.ERROR_LOG_FILE).write_text("\n\n".join(round_.tracebacks), encoding="utf-8")
        if outcome.published and pdf:
            # After the workbooks: they depend on the inputs alone, not on whether this machine
            # has Chromium. A PDF that could not be made is a warning the CLI prints.
            reason = make_pdf(notice, stage.path(C.NOTICE_PDF_FILE), when)
            if reason:
                round_.problems.append(problem(Code.PDF_NOT_MADE, file=C.NOTICE_PDF_FILE, value=reason))
        # A published round replaces every output of ours: a PDF or error log from an older run
        # must not sit next to the new notice.
        stale = (
            (C.ERROR_LOG_FILE, C.NOTICE_PDF_FILE, C.ITEM_SCORES_CSV, C.DEDUCTIONS_CSV, C.FEEDBACK_DIR)
            if outcome.published
            else ()
        )
        outcome.written = stage.commit(remove=stale)
    return outcome


@contextlib.contextmanager
def beside(job: Callable[[], object] | None, enabled: bool, output: str = "输出文件") -> Iterator[None]:
    """Run ``job`` while the body of the ``with`` runs: in a forked child when ``enabled`` and
    this system can fork, else here, first. A national round's workbook takes as long as all
    its other outputs together, and a second core is idle meanwhile; for a county the fork
    would cost more than it saves. A failure of the child is raised here, with its traceback,
    after the body (``output`` names what the child writes, for the clerk); a failure of the
    body stops the child."""
    import multiprocessing

    if job is None or not enabled or not can_fork():
        if job is not None:
            job()
        yield
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(job, send), daemon=True)
    child.start()
    send.close()
    try:
        yield
        try:
            failure = receive.recv()
        except EOFError:  # killed (out of memory, say) before it could tell
            failure = ("EOFError", f"写出{output}的子进程意外退出（可能是内存不足）", "")
        child.join()
        if failure:
            kind, message, child_traceback = failure
            error = OutputFailed(f"{kind}: {message}")
            error.add_note(f"in the child process:\n{child_traceback}")  # for error.log only
            raise error
    finally:
        if child.is_alive():
            child.terminate()
            child.join()
        receive.close()


class OutputFailed(Exception):
    """Writing an output in a child process failed: the message is the child's error in one
    line, the child's traceback a note that only error.log shows."""


def _child(job: Callable[[], object], send) -> None:
    """The forked side of ``beside``: its outcome goes to the parent, which reports it."""
    try:
        job()
        outcome = None
    except BaseException as exc:  # Ctrl-C included: the parent decides what the clerk sees
        outcome = (type(exc).__name__, str(exc), traceback.format_exc())
    with contextlib.suppress(OSError):  # a parent that stopped waiting has closed the pipe
        send.send(outcome)


def make_pdf(html: Path, pdf: Path, when: dt.date) -> str:
    """Print the notice to PDF; '' when done, else the reason in words (the HTML stays)."""
    from .pdf import PdfError, find_chromium, html_to_pdf

    if find_chromium() is None:
        return "本机未安装Chromium浏览器"
    try:
        html_to_pdf(html, pdf, when)
    except PdfError as exc:
        pdf.unlink(missing_ok=True)
        return str(exc)
    except Exception:  # a PDF is a convenience: no failure of it may lose the HTML
        pdf.unlink(missing_ok=True)
        return "生成PDF时程序出错"
    return ""


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
    "OutputError",
    "UsageError",
    "check",
    "run",
]
