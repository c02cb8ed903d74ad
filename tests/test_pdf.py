"""Without Chromium, or when it fails, the run still publishes the HTML notice and says why."""

import datetime as dt
import shutil
from pathlib import Path

import pytest

from processor import constants as C
from processor.batch import run
from processor.outputs.pdf import Browser, PdfError, fixed_dates

EXAMPLE = Path(__file__).resolve().parent.parent / "input"


@pytest.fixture
def example(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "input")
    return tmp_path / "input"


@pytest.mark.pdf
def test_no_chromium_publishes_the_html_and_warns(example, tmp_path, monkeypatch):
    out = tmp_path / "out"
    (out / C.RESULTS_DIR).mkdir(parents=True)
    (out / C.RESULTS_DIR / C.NOTICE_PDF_FILE).write_bytes(b"%PDF old")  # an older run's PDF must not stay
    monkeypatch.setattr("processor.outputs.pdf.find_browser", lambda: None)
    outcome = run(example, out)
    assert outcome.exit_code == 0 and outcome.published
    assert (out / C.RESULTS_DIR / C.NOTICE_FILE).is_file() and not (
        out / C.RESULTS_DIR / C.NOTICE_PDF_FILE
    ).exists()
    assert [p.code.name for p in outcome.notes] == ["PDF_NOT_MADE"] and not outcome.round.problems


@pytest.mark.pdf
def test_a_failing_chromium_loses_nothing(example, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise PdfError("Chromium 在 120 秒内没有完成")

    monkeypatch.setattr(
        "processor.outputs.pdf.find_browser", lambda: Browser("Chromium", "/usr/bin/chromium")
    )
    monkeypatch.setattr("processor.outputs.pdf.html_to_pdf", broken)
    outcome = run(example, tmp_path / "out")
    assert outcome.exit_code == 0 and (tmp_path / "out" / C.RESULTS_DIR / C.NOTICE_FILE).is_file()
    (warning,) = outcome.notes
    assert warning.code.name == "PDF_NOT_MADE" and "120" in warning.value


def test_the_printing_time_becomes_the_document_date_in_the_same_length():
    data = b"<< /CreationDate (D:20261127032050+00'00') /ModDate (D:20261127032051+08'00') >>"
    fixed = fixed_dates(data, dt.date(2022, 8, 31))
    assert fixed == b"<< /CreationDate (D:20220831000000+00'00') /ModDate (D:20220831000000+00'00') >>"
    assert len(fixed) == len(data)
