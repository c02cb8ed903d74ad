"""Render the README's pictures from the example round, so they show what the program makes today.

    python scripts/render_readme_images.py [docs/images]      (make images)

Needs LibreOffice (soffice), Chromium and poppler (pdftoppm), as .ci/run installs them.
Writes blank_sheet.png (the score sheet as printed), notice.png (page 1 of notice.pdf) and
chart.png (the 图表 sheet of consolidated.xlsx as printed), each small enough for the repository.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from processor import constants as C  # noqa: E402 - after the path set-up above
from processor.batch import run  # noqa: E402

RESOLUTION = "45"  # dots per inch: legible, and each picture well under 200 KB


def to_pdf(xlsx: Path, folder: Path) -> Path:
    profile = folder / "lo-profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(folder), str(xlsx)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return folder / (xlsx.stem + ".pdf")


def page_png(pdf: Path, page: int, target: Path) -> None:
    stem = target.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-png", "-r", RESOLUTION, "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(stem)],
        check=True,
    )  # fmt: skip
    print(f"{target}  {target.stat().st_size // 1024} KB")


def main(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        outcome = run(ROOT / "input", work / "output")
        results = work / "output" / C.RESULTS_DIR
        if not outcome.published or not (results / C.NOTICE_PDF_FILE).exists():
            sys.exit("the example round did not publish a notice.pdf (is Chromium installed?)")
        sheet = to_pdf(ROOT / "templates" / C.SCORE_SHEET_TEMPLATE, work)
        page_png(sheet, 1, target / "blank_sheet.png")
        page_png(results / C.NOTICE_PDF_FILE, 1, target / "notice.png")
        workbook = to_pdf(results / C.CONSOLIDATED_FILE, work)
        page_png(workbook, chart_page(workbook), target / "chart.png")


def chart_page(pdf: Path) -> int:
    """The page of the workbook's print that holds the charts (the summary before it prints on
    as many pages as its columns and rows need)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    return next(n for n, page in enumerate(text.split("\f"), start=1) if "各类得分" in page)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "images")
