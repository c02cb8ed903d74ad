"""Helpers for tests: companion tables filled from their committed templates."""

from __future__ import annotations

import datetime as dt
import html
import re
import subprocess
import tempfile
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


# Looking at what was printed: words and their boxes from poppler's pdftotext -bbox, ink from
# pdftoppm. Both are poppler-utils, which .ci/run installs with LibreOffice and Chromium.
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


def pdf_pages(pdf: Path) -> list[tuple[float, float, list[tuple[str, float, float, float, float]]]]:
    """Each page: (width, height, [(word, xMin, yMin, xMax, yMax)]) in points from the top left."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    pages = []
    for chunk in out.stdout.split("<page ")[1:]:
        size = _PAGE.match("<page " + chunk)
        words = [(html.unescape(w), *map(float, box)) for *box, w in _WORD.findall(chunk)]
        pages.append((float(size.group(1)), float(size.group(2)), words))
    return pages


def ink_rows(pdf: Path, page: int, box: tuple[float, float, float, float], dpi: int = 200) -> float:
    """The height in points over which ``box`` (x0, y0, x1, y1 in points) of page ``page``
    (1-based) holds any ink: a line cut in half by a clip shows half its height."""
    scale = dpi / 72
    x0, y0, x1, y1 = (round(v * scale) for v in box)
    with tempfile.TemporaryDirectory() as tmp:
        stem = Path(tmp) / "crop"
        subprocess.run(
            ["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), "-x", str(x0),
             "-y", str(y0), "-W", str(x1 - x0), "-H", str(y1 - y0), "-singlefile", str(pdf), str(stem)],
            check=True,
        )  # fmt: skip
        data = stem.with_suffix(".pgm").read_bytes()
    magic, width, height, _, pixels = data.split(maxsplit=4)
    assert magic == b"P5"
    width, height = int(width), int(height)
    inked = [r for r in range(height) if min(pixels[r * width : (r + 1) * width]) < 128]
    return (inked[-1] - inked[0] + 1) / scale if inked else 0.0


def office_pdf(source: Path, folder: Path) -> Path:
    """``source`` printed to PDF by LibreOffice, as a person printing it would get it."""
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(folder / 'lo-profile').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(folder), str(source)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    return folder / (source.stem + ".pdf")


def overprinted(words, slack: float = 0.5) -> list[tuple[str, str]]:
    """Pairs of words printed over each other. A word's box runs from the font's ascent to its
    descent, taller than its ink: boxes are taken at their middle 70% height, so that lines
    of adjacent rows may touch but text over text is found (``slack`` points allowed)."""
    boxes = []
    for word, x0, y0, x1, y1 in words:
        trim = (y1 - y0) * 0.15
        boxes.append((word, x0, y0 + trim, x1, y1 - trim))
    found = []
    ordered = sorted(boxes, key=lambda w: w[2])
    for i, (a, ax0, _, ax1, ay1) in enumerate(ordered):
        for b, bx0, by0, bx1, _ in ordered[i + 1 :]:
            if by0 >= ay1 - slack:
                break
            if bx0 < ax1 - slack and ax0 < bx1 - slack:
                found.append((a, b))
    return found


def write_adjustments(path: Path, rows: list[list]) -> Path:
    """The leading group's decisions after publication, on the committed template: rows of
    [乡镇, 评定年度, 决定日期, 来源, 事由, 处理, 文号]."""
    return write_table(path, C.ADJUSTMENTS_TEMPLATE, C.ADJUSTMENTS_SHEET, rows)
