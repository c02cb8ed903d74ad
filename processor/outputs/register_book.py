"""The register as a workbook a clerk reads (登记簿.xlsx, xlsxwriter): each township's grade on
the day, the history of every round with its decisions, the decisions, the rounds side by side,
what was published when (versions, corrections and hashes) and the 公示 recorded."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .. import constants as C
from ..oserrors import os_error_in, reason
from ..problems import Code, Problem, problem
from ..register.view import RegisterView, read_view
from .book import Writer


def write_register_book(path: Path, view: RegisterView) -> None:
    w = Writer(path, view.day)
    _current(w, view)
    _history(w, view)
    _decisions(w, view)
    _years(w, view)
    _rounds(w, view)
    _publicity(w, view)
    w.close()


def _decided(decisions) -> str:
    return "；".join(
        f"{d.decided_on.isoformat()} {d.action}（{d.grade_before}→{d.grade_after}，{d.document_number}）"
        for d in decisions
    )


def _current(w: Writer, view: RegisterView) -> None:
    ws = w.sheet(
        C.REG_CURRENT,
        [("乡镇", 14), ("评定年度", 8), ("发布日期", 11), ("通报文号", 18), ("评定等级", 8),
         (f"{view.day.isoformat()}的等级", 10), ("绩效加分", 8), ("有效期至", 11), ("状态", 8),
         ("即将到期", 8), ("等级调整", 40)],
        keep=1,
    )  # fmt: skip
    w.rows(
        ws,
        (
            [c.township, c.entry.round.year, c.entry.round.publication_date, c.entry.round.document_number,
             c.entry.published, c.holds, c.entry.bonus_on(view.day), c.entry.round.expires_on, c.status,
             c.expiring, _decided(c.entry.decisions)]
            for c in view.current
        ),
    )  # fmt: skip


def _history(w: Writer, view: RegisterView) -> None:
    ws = w.sheet(
        C.REG_HISTORY,
        [("评定年度", 8), ("县", 10), ("版本", 6), ("乡镇", 14), ("名次", 6), ("总分", 8), ("初评等级", 8),
         ("评定等级", 8), ("绩效加分", 8), ("现在的等级", 10), ("有效期至", 11), ("等级调整", 40)],
        keep=4,
    )  # fmt: skip
    w.rows(
        ws,
        (
            [e.round.year, e.round.county, e.round.version, e.township, e.rank, e.total, e.initial,
             e.published, e.bonus, e.grade_on(view.day), e.round.expires_on, _decided(e.decisions)]
            for e in view.entries
        ),
    )  # fmt: skip


def _decisions(w: Writer, view: RegisterView) -> None:
    ws = w.sheet(
        C.REG_DECISIONS,
        [("评定", 12), ("乡镇", 14), ("决定日期", 11), ("来源", 14), ("事由", 40), ("处理", 12), ("文号", 18),
         ("调整前等级", 10), ("调整后等级", 10), ("调整前加分", 10), ("调整后加分", 10)],
        keep=2,
    )  # fmt: skip
    if not view.decisions:
        w.cell(ws, 1, 0, "尚无等级调整")
    w.rows(
        ws,
        (
            [d.round_key, d.township, d.decided_on, d.source, d.reason, d.action, d.document_number,
             d.grade_before, d.grade_after, d.bonus_before, d.bonus_after]
            for d in view.decisions
        ),
    )  # fmt: skip


def _years(w: Writer, view: RegisterView) -> None:
    """A row per township, the rounds across: total, rank and grade, and the change from one
    round to the next it was graded in (the tables may differ between rounds: the rubric
    version of each round is on 发布记录)."""
    years = view.years
    headers = [("乡镇", 14)]
    for year in years:
        headers += [(f"{year}年总分", 9), (f"{year}年名次", 9), (f"{year}年等级", 9)]
    headers += [("最近一次变化", 14), ("总分变化", 9)]
    ws = w.sheet(C.REG_YEARS, headers, keep=1)
    by_township: dict[str, dict[int, object]] = {}
    for entry in view.entries:
        by_township.setdefault(entry.township, {}).setdefault(entry.round.year, entry)
    last_change = {c.township: c for c in view.changes}  # in order: the last one stays
    rows = []
    for township in sorted(by_township):
        row = [township]
        for year in years:
            entry = by_township[township].get(year)
            row += [entry.total, entry.rank, entry.published] if entry else ["", "", "未参评"]
        change = last_change.get(township)
        row += (
            [f"{change.before.round.year}→{change.after.round.year}{change.direction}", change.total]
            if change
            else ["", ""]
        )
        rows.append(row)
    w.rows(ws, rows)


def _rounds(w: Writer, view: RegisterView) -> None:
    ws = w.sheet(
        C.REG_ROUNDS,
        [("评定", 12), ("版本", 6), ("登记时间", 18), ("发布日期", 11), ("通报文号", 18), ("有效期至", 11),
         ("评分标准版本", 14), ("更正理由", 30), ("输入文件清单SHA-256", 66), ("通报SHA-256", 66),
         ("汇总表SHA-256", 66)],
        keep=2,
    )  # fmt: skip
    w.rows(
        ws,
        (
            [r.round_key, r.version, r.registered_at.replace("T", " "), r.publication_date, r.document_number,
             r.expires_on, r.rubric_version, r.correction_reason or "", r.manifest_sha256, r.notice_sha256,
             r.workbook_sha256]
            for r in view.rounds
        ),
    )  # fmt: skip


def _publicity(w: Writer, view: RegisterView) -> None:
    ws = w.sheet(
        C.REG_PUBLICITY,
        [("评定", 12), ("公示开始", 11), ("公示结束", 11), ("受理异议", 40), ("登记时间", 18), ("公示SHA-256", 66)],
        keep=1,
    )  # fmt: skip
    if not view.publicity:
        w.cell(ws, 1, 0, "尚无公示记录")
    w.rows(
        ws,
        (
            [p.round_key, p.starts_on, p.ends_on, p.contact, p.recorded_at.replace("T", " "), p.notice_sha256]
            for p in view.publicity
        ),
    )  # fmt: skip


def refresh_book(folder: Path, day) -> Problem | None:
    """Rewrite the register's workbook beside its database after a change: written aside and
    renamed over, so a reader never opens half of one; a workbook held open in Excel (which
    Windows does not let be replaced) is a note, the register itself being written already."""
    from xlsxwriter.exceptions import XlsxWriterException

    target = folder / C.REGISTER_BOOK
    aside = None
    try:  # a name of its own: two clerks refreshing at once do not write into one file
        handle, name = tempfile.mkstemp(prefix=f".{C.REGISTER_BOOK}.", suffix=".tmp", dir=folder)
        os.close(handle)
        aside = Path(name)
        write_register_book(aside, read_view(folder, day))
        os.chmod(aside, 0o666 & ~_umask())  # as any file made there (mkstemp's is the owner's only)
        os.replace(aside, target)
        aside = None
    except (OSError, XlsxWriterException) as exc:  # xlsxwriter's FileCreateError wraps an OSError
        detail = reason(os_error_in(exc) or exc)[0]
        return problem(Code.REGISTER_BOOK_NOT_WRITTEN, file=str(target), where=str(target), detail=detail)
    finally:
        if aside is not None:
            with contextlib.suppress(OSError):
                aside.unlink()
    return None


def _umask() -> int:
    if os.name == "nt":
        return 0
    mask = os.umask(0)
    os.umask(mask)
    return mask
