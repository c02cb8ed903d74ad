"""The consolidated workbook as the leading group opens and prints it."""

import datetime as dt
import itertools
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
        mp.setattr("processor.batch.make_pdf", lambda *args: None)
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


OFFICE_MISSING = next(
    (f"{tool} is not installed" for tool in ("soffice", "pdftotext", "pdftoppm") if not shutil.which(tool)),
    None,
)
LONG_REASON = "窗口工作人员上班时间离岗，群众等候超过30分钟，经核实情况属实，"


@pytest.fixture(scope="module")
def long_round(tmp_path_factory):
    """36 townships (more bars than their labels fit lying), opinions from a line to a
    paragraph, two downgrades with long reasons, a tie across a grade boundary."""
    from helpers import write_case_counts, write_criticisms

    from processor.rules.rubric import load_rubric
    from processor.testing import fill_sheet

    folder = tmp_path_factory.mktemp("long") / "input"
    rubric = load_rubric()
    names = [f"第{n:02d}镇" for n in range(36)]
    for n, township in enumerate(names):
        lost = {"3.3": 4 - n % 4, "4.5": 5 - n % 3} if n not in (1, 2) else {"3.3": 3}  # 1 and 2 tie
        fill_sheet(
            folder / f"{n:02d}.xlsx",
            rubric,
            township=township,
            scores=lost,
            remarks={code: "台账不全" for code in lost},
            opinion="该中心场所规范、制度健全，窗口服务规范，建议对照扣分说明限期整改。" * (1 + n % 7),
        )
    write_case_counts(folder, {t: 900 - n for n, t in enumerate(names)})
    write_criticisms(
        folder,
        [
            [names[0], "2022-05-03", "市效能办", LONG_REASON * 3, None],
            [names[5], "2022-06-10", "媒体曝光", LONG_REASON * 5, "降低两个等级"],
        ],
    )
    out = folder.parent / "output"
    assert run(folder, out, pdf=False).exit_code == 0
    return out / C.RESULTS_DIR / C.CONSOLIDATED_FILE


def test_rows_of_wrapped_text_are_stored_tall_enough(long_round):
    from processor.outputs.book import lines_needed, row_points

    ws = openpyxl.load_workbook(long_round)[C.OUT_SUMMARY]
    header = [c.value for c in ws[1]]
    widths = {
        c: ws.column_dimensions[openpyxl.utils.get_column_letter(c + 1)].width for c in range(len(header))
    }
    tall = 0
    for row in ws.iter_rows(min_row=2):
        needed = max(
            lines_needed(str(c.value), widths[c.column - 1] - 0.71) for c in row if isinstance(c.value, str)
        )
        stored = ws.row_dimensions[row[0].row].height
        assert needed == 1 or stored >= row_points(needed), (row[1].value, needed, stored)
        tall += needed > 2
    assert tall >= 5  # the round does have rows of three lines and more


def _printed_pages(xlsx: Path, folder: Path):
    from helpers import office_pdf, pdf_pages

    return pdf_pages(office_pdf(xlsx, folder))


@pytest.fixture(scope="module")
def printed(long_round, tmp_path_factory):
    return _printed_pages(long_round, tmp_path_factory.mktemp("printed"))


@pytest.mark.skipif(OFFICE_MISSING is not None, reason=str(OFFICE_MISSING))
def test_nothing_prints_over_anything_else(printed):
    """Wrapped text in rows too low prints over the rows below; data labels of a chart drawn
    in one place print over each other: any of it shows as words whose boxes overlap."""
    from helpers import overprinted

    for number, (_, _, words) in enumerate(printed, start=1):
        assert not overprinted(words), (number, overprinted(words)[:5])


@pytest.mark.skipif(OFFICE_MISSING is not None, reason=str(OFFICE_MISSING))
def test_printed_legibly_with_the_header_and_the_township_on_every_page(printed):
    def of_charts(words) -> bool:  # the charts' sheet: its table's header, and no rank
        text = {w for w, *_ in words}
        return {"乡镇", "一等", "无等级"} <= text and "排名" not in text

    charts = [n for n, (_, _, words) in enumerate(printed) if of_charts(words)]
    for number, (_, _, words) in enumerate(printed):
        if number in charts:
            continue  # fitted to the page's width as its charts need, with 8-point labels
        body = [w for w in words if not w[0].startswith("第")]  # the footer
        assert min(y1 - y0 for _, _, y0, _, y1 in body) >= 10, number  # 8-point text or larger
    summary = printed[: charts[0]]  # the first sheet's pages, across and down
    seen = {}
    for _, _, words in summary:
        text = {w for w, *_ in words}
        assert {"排名", "乡镇"} <= text  # the header row and the repeated columns
        townships = {w for w in text if re.fullmatch(r"第\d\d镇", w)}
        assert townships  # every page says whose rows it holds
        for township in townships:
            seen[township] = seen.get(township, 0) + 1
    assert len(seen) == 36 and min(seen.values()) >= 2  # split across pages, each with the township


def test_dates_are_stored_as_dates(long_round):
    wb = openpyxl.load_workbook(long_round)
    ws = wb[C.OUT_SUMMARY]
    col = [c.value for c in ws[1]].index("评定日期") + 1
    day = ws.cell(2, col)
    assert isinstance(day.value, dt.datetime) and day.number_format == "yyyy-mm-dd"
    ws = wb[C.OUT_CRITICISMS]
    assert isinstance(ws.cell(2, 2).value, dt.datetime) and ws.cell(2, 2).number_format == "yyyy-mm-dd"


def test_the_summary_prints_split_at_its_groups_with_rank_and_township_repeated(long_round):
    ws = openpyxl.load_workbook(long_round)[C.OUT_SUMMARY]
    header = [c.value for c in ws[1]]
    assert ws.print_title_cols == "$A:$B" and ws.print_title_rows == "$1:$1"
    assert 75 <= ws.page_setup.scale <= 100 and not ws.sheet_properties.pageSetUpPr.fitToPage
    breaks = [header[b.id] for b in ws.col_breaks.brk]
    assert breaks and set(breaks) <= {"初评等级", "评定人员"}  # between the groups, never inside one


@pytest.mark.skipif(OFFICE_MISSING is not None, reason=str(OFFICE_MISSING))
def test_the_example_charts_print_every_label_clear(published, tmp_path):
    from helpers import overprinted

    pages = _printed_pages(published, tmp_path)
    (chart,) = [words for _, _, words in pages if any("各类得分" in w for w, *_ in words)]
    labels = [w for w in chart if re.fullmatch(r"\d+\.\d", w[0])]
    assert len(labels) >= 12 + 12  # a total per township, an average and a maximum per category
    assert not overprinted(chart)


@pytest.mark.parametrize("columns", [5, 18, 37, 60])
def test_any_sheet_prints_legibly_with_its_key_columns_on_every_page(columns):
    from processor.outputs.printing import A4_LONG, FILL, MIN_SCALE, SIDE_MARGIN, column_points, layout

    widths = [6, 14] + [11, 40, 8, 50][: columns - 2] * (columns // 4) + [9] * (columns % 4)
    widths = widths[:columns]
    found = layout(widths, keep=2)
    assert MIN_SCALE <= found.scale <= 100 and found.repeat == 2
    room = (A4_LONG - 2 * SIDE_MARGIN * 72) * FILL * 100 / found.scale
    starts = [2, *found.breaks, len(widths)]
    for first, end in itertools.pairwise(starts):  # every page holds its columns
        assert sum(column_points(w) for w in widths[:2] + widths[first:end]) <= room
