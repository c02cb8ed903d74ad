"""The consolidated workbook as the leading group opens and prints it."""

import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from processor import constants as C
from processor.batch import run

EXAMPLE = Path(__file__).resolve().parent.parent / "input"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    folder = tmp_path_factory.mktemp("round")
    shutil.copytree(EXAMPLE, folder / "input")
    out = folder / "output"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("processor.batch.make_pdf", lambda *args: "")
        assert run(folder / "input", out).exit_code == 0
    return out / C.RESULTS_DIR / C.CONSOLIDATED_FILE


def test_headers_frozen_filtered_and_repeated_on_printed_pages(published):
    wb = openpyxl.load_workbook(published)
    ws = wb[C.OUT_SUMMARY]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.print_title_rows == "$1:$1"


def test_scores_show_one_decimal_and_the_final_grade_is_coloured(published):
    ws = openpyxl.load_workbook(published)[C.OUT_SUMMARY]
    header = [c.value for c in ws[1]]
    total = ws.cell(2, header.index("总分（100）") + 1)
    assert total.number_format == "0.0"
    grade = ws.cell(2, header.index("等级") + 1)
    assert grade.value == "一等" and grade.fill.fgColor.rgb.endswith("C6EFCE")


def test_columns_are_wide_enough_for_chinese_text(published):
    ws = openpyxl.load_workbook(published)[C.OUT_DEDUCTIONS]
    # the 评分表位置 column holds file names like "东山镇评分表.xlsx 评分表!G9": Chinese counts double
    longest = max(len(c.value.encode("gbk")) for c in ws["H"][1:] if c.value)
    assert ws.column_dimensions["H"].width >= longest


def test_native_charts_totals_by_grade_and_categories_against_maxima(published):
    wb = openpyxl.load_workbook(published)
    assert wb.sheetnames[:2] == [C.OUT_SUMMARY, C.OUT_CHARTS]
    with zipfile.ZipFile(published) as z:
        charts = sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        assert len(charts) == 2
        totals, categories = (z.read(n).decode("utf-8") for n in charts)
    # one series per grade present in the example round (一等, 二等, 三等, 无等级), each its own colour
    assert totals.count("<c:ser>") == 4 and '<c:barDir val="col"/>' in totals
    assert len(set(re.findall(r'<a:srgbClr val="(\w+)"', totals))) >= 4
    assert '<c:barDir val="bar"/>' in categories and categories.count("<c:ser>") == 2
    ws = wb[C.OUT_CHARTS]
    assert [ws.cell(r, 1).value for r in (1, 2)] == ["乡镇", "松林镇"]


def test_csv_spells_scores_as_typed_and_never_with_an_exponent():
    from processor.outputs.details import _csv_value

    typed = ["2.5", "3", "2.50", "0.0000000", "1E+1", "-1", "=1+1"]
    assert [_csv_value(Decimal(t)) for t in typed[:5]] == ["2.5", "3", "2.50", "0", "10"]
    assert [_csv_value(t) for t in typed[5:]] == ["'-1", "'=1+1"]
