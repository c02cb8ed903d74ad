"""Helpers for tests: companion tables filled from their committed templates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from processor import constants as C
from processor.testing import item_rows
from processor.xlsx.save import save_reproducibly

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT / "templates"  # the committed templates
SCORE_SHEET_TEMPLATE = TEMPLATES_DIR / C.SCORE_SHEET_TEMPLATE


def write_table(path: Path, template: str, sheet: str, rows: list[list]) -> Path:
    """A companion table filled from its committed template."""
    wb = openpyxl.load_workbook(TEMPLATES_DIR / template)
    ws = wb[sheet]
    for row in rows:
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_reproducibly(wb, path, dt.datetime(2022, 1, 1))
    return path


def write_case_counts(folder: Path, counts: dict[str, object]) -> Path:
    return write_table(
        folder / C.CASE_COUNTS_FILE,
        C.CASE_COUNTS_TEMPLATE,
        C.CASE_COUNTS_SHEET,
        [[u, n] for u, n in counts.items()],
    )


def write_criticisms(folder: Path, rows: list[list]) -> Path:
    return write_table(folder / C.CRITICISMS_FILE, C.CRITICISMS_TEMPLATE, C.CRITICISMS_SHEET, rows)


def codes(problems) -> list[str]:
    """The problems' codes; every message and fix on the way must be filled in completely."""
    for p in problems:
        assert "{" not in p.message and "{" not in p.fix, (p.code, p.message, p.fix)
    return [p.code.name for p in problems]


def run_read_only(folder: Path, output: Path, **kwargs):
    """Run the batch with the input folder and its files read-only, as on a shared drive."""
    from processor.batch import run

    for path in folder.iterdir():
        path.chmod(0o444)
    folder.chmod(0o555)
    try:
        return run(folder, output, **kwargs)
    finally:
        folder.chmod(0o755)


def move_rows(wb) -> None:
    """An edited template: the rows of items 3.2 and 3.3 swapped, codes included."""
    ws = wb[C.SCORE_SHEET]
    rows = item_rows(ws)
    a, b = rows["3.2"], rows["3.3"]
    for col in range(3, 9):
        x, y = ws.cell(a, col), ws.cell(b, col)
        x.value, y.value = y.value, x.value


def read_workbook(path: Path, sheets=None):
    """A file through the whole reader, as the batch reads it."""
    from processor.xlsx import open_workbook, read_bytes

    return open_workbook(read_bytes(path), path.name, sheets)


def write_rubric(folder: Path, rubric=None, grades=None, edit=None, name: str = C.RUBRIC_FILE) -> Path:
    """The round's own rubric workbook, as ``processor rubric`` writes it: the packaged table (or
    ``rubric``), its grades replaced by ``grades`` [(name, first rank, last rank, bonus)] if
    given, then ``edit(draft)`` for anything else a clerk might change."""
    from processor.forms.rubric_book import draft_of, write_rubric_book
    from processor.rules.rubric import load_rubric

    draft = draft_of(rubric or load_rubric())
    if grades is not None:
        draft.grades = [
            {C.G_NAME: g, C.G_FROM: first, C.G_TO: last, C.G_BONUS: bonus} for g, first, last, bonus in grades
        ]
    if edit is not None:
        edit(draft)
    return write_rubric_book(draft, folder / name, 2022)
