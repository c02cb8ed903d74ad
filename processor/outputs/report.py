"""The round's problems and the files it read, as a workbook: validation_report.xlsx on every
run, and the same two sheets at the end of the consolidated workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .. import __version__
from .. import constants as C
from ..inputs.round import Round
from ..problems import Problem
from .book import Writer


def write_validation_report(
    path: Path, round_: Round, problems: list[Problem], when: dt.date, large: bool = False
) -> None:
    """The problem list alone: every problem of the inputs (and the run's notes for the
    leading group), and the manifest of the files read. ``large``: a round too large for the
    workbook to be held in memory while the consolidated one is written beside it (its
    manifest has a row per sheet): written row by row, as the large consolidated workbook is."""
    w = Writer(path, when, large=large)
    problems_sheet(w, problems)
    manifest(w, round_)
    w.close()


PROBLEM_COLUMNS = [
    ("级别", 6),
    ("文件", 24),
    ("工作表", 10),
    ("单元格", 8),
    ("编号", 6),
    ("表中的值", 14),
    ("问题", 50),
    ("处理办法", 40),
    ("代码", 22),
]


def problem_row(p: Problem) -> list[str]:
    """A problem as a row; a value or message longer than a cell holds is cut where the row
    says so (the value is in its own file, at its cell)."""
    return [
        p.severity.value,
        p.file,
        p.sheet,
        p.cell,
        p.item,
        _fit(p.value),
        _fit(p.message),
        p.fix,
        p.code.name,
    ]


def _fit(text: str, limit: int = 2000) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…（共{len(text)}个字符）"


def problems_sheet(w: Writer, problems: list[Problem]) -> None:
    ws = w.sheet(C.OUT_PROBLEMS, PROBLEM_COLUMNS)
    if not problems:
        w.cell(ws, 1, [title for title, _ in PROBLEM_COLUMNS].index("问题"), "未发现问题")
        return
    w.rows(ws, (problem_row(p) for p in problems))


MANIFEST_COLUMNS = [("文件", 30), ("类型", 14), ("大小（字节）", 12), ("SHA-256", 70)]


def manifest(w: Writer, round_: Round) -> None:
    ws = w.sheet(C.OUT_MANIFEST, MANIFEST_COLUMNS)
    last = w.rows(ws, ([f.name, f.role, f.size, f.sha256] for f in round_.files))
    facts = [
        *(((C.FACT_YEAR, str(round_.settings.year)),) if round_.settings else ()),
        ("评分标准", round_.rubric.title),
        ("评分标准版本", round_.rubric.version),
        ("评分标准指纹", round_.rubric.fingerprint),
        ("程序版本", __version__),
    ]
    for i, (label, value) in enumerate(facts, start=last + 2):
        ws.write_string(i, 0, label, w.head)
        # in the widest column, never spilling over others (which prints badly where the
        # columns are split between pages)
        w.cell(ws, i, len(MANIFEST_COLUMNS) - 1, value)
