"""Shared helpers: sheets are made by filling the real committed template, so most tests need no
binary fixtures and read like the spreadsheet they describe."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from processor import constants as C
from processor.filling import TEMPLATES_DIR, fill_sheet
from processor.rubric import load_rubric
from processor.settings import load_settings
from processor.template import save_reproducibly

RUBRIC = load_rubric()
SETTINGS, _ = load_settings()


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
        return fill_sheet(folder / name, RUBRIC, township=township, scores=scores, remarks=remarks, **kwargs)

    return make


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
        folder / C.CASE_COUNTS_FILE, C.CASE_COUNTS_TEMPLATE, C.CASE_COUNTS_SHEET, [[u, n] for u, n in counts.items()]
    )


def write_criticisms(folder: Path, rows: list[list]) -> Path:
    return write_table(folder / C.CRITICISMS_FILE, C.CRITICISMS_TEMPLATE, C.CRITICISMS_SHEET, rows)


@pytest.fixture
def make_round(tmp_path, make_sheet):
    """make_round({"东山镇": {"1.1": 2}, "西河镇": {}}, counts={...}, criticisms=[...]) -> folder.

    Each township gets a sheet (full marks unless its scores say otherwise) and, unless
    ``counts`` is given, a case count that ranks the townships in the order given."""

    def make(townships: dict[str, dict], counts=None, criticisms=(), remarks=None, folder=None) -> Path:
        folder = Path(folder or tmp_path / "round")
        folder.mkdir(parents=True, exist_ok=True)
        for n, (township, scores) in enumerate(townships.items()):
            make_sheet(township, scores=scores, remarks=(remarks or {}).get(township), folder=folder, name=f"{n:03d}.xlsx")
        if counts is None:
            counts = {t: 1000 - 10 * n for n, t in enumerate(townships)}
        write_case_counts(folder, counts)
        write_criticisms(folder, list(criticisms))
        return folder

    return make


def codes(problems) -> list[str]:
    return [p.code.value for p in problems]
