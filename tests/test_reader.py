"""The reader: files saved by other programs, and files that are not score sheets at all."""

import io
import shutil
import subprocess
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from helpers import codes, read_workbook

from processor import constants as C
from processor.inputs.sheet import read_score_sheet
from processor.xlsx import Cell


def read(path, rubric):
    return read_score_sheet(path.read_bytes(), path.name, rubric)


def test_cells_as_stored(make_sheet, rubric):
    wb = read_workbook(make_sheet(scores={"1.1": 2.5, "1.2": "2"}), sheets=[C.SCORE_SHEET])
    ws = wb.sheets[C.SCORE_SHEET]
    assert ws.get(5, 7) == Cell("n", "2.5")
    assert ws.get(6, 7) == Cell("s", "2")
    assert ws.get(2, 3) == Cell("s", "东山镇")
    assert ws.get(2, 8).kind == "n" and ws.get(2, 8).date_style
    total = next(c for (r, col), c in ws.cells.items() if col == 7 and c.formula and "G42" in c.formula)
    assert total.kind == "" and "SUM(G42:G47)" in total.formula
    assert ws.protected and wb.states[C.META_SHEET] == "veryHidden"


def test_agrees_with_openpyxl_on_every_value(make_sheet):
    path = make_sheet(scores={"1.1": 2.5, "3.3": "3.7"}, remarks={"1.1": "第一行\n第二行", "3.3": "x"})
    ours = read_workbook(path).sheets[C.SCORE_SHEET]
    theirs = openpyxl.load_workbook(path)[C.SCORE_SHEET]
    for row in theirs.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            mine = ours.get(cell.row, cell.column)
            if isinstance(cell.value, str) and cell.value.startswith("="):
                assert mine.formula == cell.value[1:], cell.coordinate
            elif isinstance(cell.value, str):
                assert mine.text == cell.value, cell.coordinate
            elif isinstance(cell.value, int | float):
                assert Decimal(mine.text) == Decimal(str(cell.value)), cell.coordinate


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "FILE_EMPTY"),
        ("乡镇,得分\n东山镇,90\n".encode(), "FILE_NOT_XLSX"),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "FILE_NOT_XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "FILE_OLD_FORMAT"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), "FILE_ENCRYPTED"),
        (b"PK\x03\x04 truncated", "FILE_CORRUPT"),
        (_zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"}), "FILE_NOT_XLSX"),
        (_zip({"[Content_Types].xml": b"<Types/>", "xl/vbaProject.bin": b"x"}), "FILE_MACRO"),
    ],
)
def test_files_that_are_not_score_sheets(tmp_path, rubric, content, code):
    path = tmp_path / "东山镇.xlsx"
    path.write_bytes(content)
    sheet, problems = read(path, rubric)
    assert sheet is None and codes(problems) == [code] and problems[0].file == "东山镇.xlsx"


def test_a_truncated_copy_of_a_real_sheet(make_sheet, tmp_path, rubric):
    data = make_sheet().read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    _, problems = read(path, rubric)
    assert codes(problems) == ["FILE_CORRUPT"]


def test_xml_with_entity_declarations_is_refused_before_parsing(make_sheet, tmp_path, rubric):
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><x>&b;</x>'
    src = make_sheet()
    out = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, bomb if info.filename == "xl/worksheets/sheet1.xml" else zin.read(info))
    _, problems = read(out, rubric)
    assert codes(problems) == ["FILE_UNSAFE"]


def test_a_zip_bomb_is_refused_from_its_declared_size(tmp_path, rubric):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    _, problems = read(path, rubric)
    assert codes(problems) == ["FILE_TOO_LARGE"]


def _office_copy(tool, src, tmp_path):
    out = tmp_path / "office"
    out.mkdir()
    if tool == "soffice":
        command = ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                   "--convert-to", "xlsx", "--outdir", str(out), str(src)]  # fmt: skip
        target = out / src.name
    else:
        target = out / src.name
        command = ["ssconvert", str(src), str(target)]
    subprocess.run(command, capture_output=True, timeout=180, check=False)
    assert target.exists(), f"{tool} did not convert"
    return target


@pytest.mark.parametrize("tool", ["soffice", "ssconvert"])
def test_a_sheet_saved_by_office_software_reads_the_same(tool, make_sheet, tmp_path, rubric):
    if not shutil.which(tool):
        pytest.skip(f"{tool} is not installed (.ci/run installs LibreOffice and Gnumeric)")
    src = make_sheet(
        "东山镇", scores={"1.1": 2.5, "3.6": 4.5}, remarks={"1.1": "缺填单区", "3.6": "两件未调用电子证照"}
    )
    copy = _office_copy(tool, src, tmp_path)
    sheet, problems = read(copy, rubric)
    original, _ = read(src, rubric)
    assert problems == []  # the office program calculated the total; it agrees with the cells
    assert sheet.township == "东山镇" and sheet.date == original.date
    assert sheet.scores == original.scores and sheet.remarks == original.remarks
