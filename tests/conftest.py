"""Shared helpers: sheets are made by filling the real committed template, so most tests need no
binary fixtures and read like the spreadsheet they describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_case_counts, write_criticisms

from processor.rules.rubric import load_rubric
from processor.rules.settings import load_settings
from processor.testing import fill_sheet

RUBRIC = load_rubric()
SETTINGS, _ = load_settings()


@pytest.fixture(autouse=True)
def no_pdf_unless_marked(request, monkeypatch):
    """Printing the notice with Chromium takes seconds; only tests marked ``pdf`` do it. The
    others publish without a PDF and without the PDF_NOT_MADE warning, as if printing were off."""
    if request.node.get_closest_marker("pdf") is None:
        monkeypatch.setattr("processor.batch.make_pdf", lambda *args: None)


@pytest.fixture
def rubric():
    return RUBRIC


@pytest.fixture
def settings():
    return SETTINGS


@pytest.fixture
def make_sheet(tmp_path):
    """make_sheet(township="东山镇", scores={"1.1": 2.5}, remarks={"1.1": "..."}) -> path."""
    counter = iter(range(10_000))

    def make(township="东山镇", scores=None, remarks=None, folder=None, name=None, **kwargs) -> Path:
        folder = Path(folder or tmp_path / "in")
        name = name or f"sheet{next(counter):03d}.xlsx"
        path = folder / name
        if "edit" in kwargs or "template" in kwargs:  # a callable or another file: not a key
            return fill_sheet(path, RUBRIC, township=township, scores=scores, remarks=remarks, **kwargs)
        # the same filling gives the same bytes (saved reproducibly): made once a session
        key = repr((township, scores, remarks, sorted(kwargs.items())))
        if key not in _FILLED:
            fill_sheet(path, RUBRIC, township=township, scores=scores, remarks=remarks, **kwargs)
            _FILLED[key] = path.read_bytes()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(_FILLED[key])
        return path

    return make


_FILLED: dict[str, bytes] = {}  # make_sheet's arguments -> the sheet's bytes


@pytest.fixture
def make_round(tmp_path, make_sheet):
    """make_round({"东山镇": {"1.1": 2}, "西河镇": {}}, counts={...}, criticisms=[...]) -> folder.

    Each township gets a sheet (full marks unless its scores say otherwise) and, unless
    ``counts`` is given, a case count that ranks the townships in the order given."""

    def make(townships: dict[str, dict], counts=None, criticisms=(), remarks=None, folder=None) -> Path:
        folder = Path(folder or tmp_path / "round")
        folder.mkdir(parents=True, exist_ok=True)
        for n, (township, scores) in enumerate(townships.items()):
            make_sheet(
                township,
                scores=scores,
                remarks=(remarks or {}).get(township),
                folder=folder,
                name=f"{n:03d}.xlsx",
            )
        if counts is None:
            counts = {t: 1000 - 10 * n for n, t in enumerate(townships)}
        write_case_counts(folder, counts)
        write_criticisms(folder, list(criticisms))
        return folder

    return make
