"""The blank score sheet: built from the rubric, committed, and guiding the inspector."""

import re
import shutil

import openpyxl
import pytest
from helpers import TEMPLATES_DIR, ink_rows, office_pdf, pdf_pages

from processor import constants as C
from processor.forms.blank import write_templates
from processor.forms.score_sheet import build_score_sheet
from processor.testing import column_of, item_rows, label_value_cell

COMMITTED = TEMPLATES_DIR / C.SCORE_SHEET_TEMPLATE


@pytest.fixture(scope="module")
def sheet():
    return openpyxl.load_workbook(COMMITTED)[C.SCORE_SHEET]


def _cells(ws):
    return {
        c.coordinate: (c.value, c.protection.locked, c.number_format)
        for row in ws.iter_rows()
        for c in row
        if c.value is not None or not c.protection.locked
    }


def _validations(ws):
    return sorted(
        (str(dv.sqref), dv.type, dv.formula1, dv.formula2, dv.error, dv.prompt)
        for dv in ws.data_validations.dataValidation
    )


def test_committed_templates_equal_a_fresh_build(rubric, settings, tmp_path):
    """`make template` reproduces the committed files, byte for byte."""
    for path in write_templates(rubric, settings, tmp_path):
        assert path.read_bytes() == (TEMPLATES_DIR / path.name).read_bytes(), (
            f"{path.name}: run `make template`"
        )


def test_committed_template_equals_the_rubric_cell_by_cell(rubric):
    committed = openpyxl.load_workbook(COMMITTED)
    fresh = build_score_sheet(rubric)
    for name in (C.SCORE_SHEET, C.META_SHEET):
        old, new = committed[name], fresh[name]
        assert _cells(old) == _cells(new)
        assert sorted(map(str, old.merged_cells.ranges)) == sorted(map(str, new.merged_cells.ranges))
        assert _validations(old) == _validations(new)
        assert old.protection.sheet == new.protection.sheet is True
        assert old.sheet_state == new.sheet_state


def test_title_and_header_labels(sheet, rubric):
    assert sheet["A1"].value == f"《{rubric.title}》"
    for label in C.HEADER_LABELS:
        cell = label_value_cell(sheet, label)
        assert cell.value is None and cell.protection.locked is False, label


def test_one_row_per_item_with_its_code_name_and_maximum(sheet, rubric):
    rows = item_rows(sheet)
    assert list(rows) == [item.code for item in rubric.items]
    name_col, max_col = column_of(sheet, C.COL_NAME), column_of(sheet, C.COL_MAXIMUM)
    for item in rubric.items:
        assert sheet.cell(rows[item.code], name_col).value == item.label
        assert sheet.cell(rows[item.code], max_col).value == item.maximum
    header = [c.value for c in sheet[rows["1.1"] - 1]]
    for title in ("序号", "项目", "编号", "评选内容", "分值", "得分", "扣分说明"):
        assert title in header


def test_categories_are_merged_down_like_the_original(sheet, rubric):
    rows = item_rows(sheet)
    merged = {str(r) for r in sheet.merged_cells.ranges}
    cat_col = column_of(sheet, C.COL_CATEGORY)
    letter = openpyxl.utils.get_column_letter(cat_col)
    for category in rubric.categories:
        items = rubric.items_of(category)
        first, last = rows[items[0].code], rows[items[-1].code]
        assert sheet.cell(first, cat_col).value == category.name
        if last > first:
            assert f"{letter}{first}:{letter}{last}" in merged


def test_every_judged_score_cell_is_unlocked_and_validated(sheet, rubric):
    rows = item_rows(sheet)
    score_col, remark_col = column_of(sheet, C.COL_SCORE), column_of(sheet, C.COL_REMARK)
    for item in rubric.items:
        score = sheet.cell(rows[item.code], score_col)
        remark = sheet.cell(rows[item.code], remark_col)
        rules = [dv for dv in sheet.data_validations.dataValidation if score.coordinate in dv.sqref]
        if item.kind == "computed":
            assert score.protection.locked and remark.protection.locked
            assert score.value == C.COMPUTED_SCORE_TEXT and "程序计算" in remark.value
            assert rules == []
            continue
        assert not score.protection.locked and not remark.protection.locked, item.code
        (rule,) = rules
        top = f"{item.maximum.normalize():f}"
        assert top in rule.error and rule.showErrorMessage and rule.prompt
        if item.kind == "award":
            assert rule.type == "list" and rule.formula1 == f'"0,{top}"'
        else:
            assert (rule.type, rule.operator, rule.formula1, rule.formula2) == (
                "decimal",
                "between",
                "0",
                top,
            )


def test_every_other_cell_is_locked_and_the_sheet_protected(sheet, rubric):
    rows = item_rows(sheet)
    score_col, remark_col = column_of(sheet, C.COL_SCORE), column_of(sheet, C.COL_REMARK)
    allowed = {
        sheet.cell(rows[i.code], c).coordinate
        for i in rubric.items
        if i.entered
        for c in (score_col, remark_col)
    }
    inputs = (
        *C.HEADER_LABELS,
        C.LABEL_OPINION,
        C.LABEL_SIGN_INSPECTORS,
        C.LABEL_SIGN_HEAD,
        C.LABEL_SIGN_DATE,
    )
    allowed |= {label_value_cell(sheet, label).coordinate for label in inputs}
    unlocked = {c.coordinate for row in sheet.iter_rows() for c in row if not c.protection.locked}
    # the other parts of merged input cells are unlocked with them
    merged_inputs = {
        c.coordinate
        for r in sheet.merged_cells.ranges
        if sheet.cell(r.min_row, r.min_col).coordinate in allowed
        for row in sheet.iter_rows(min_row=r.min_row, max_row=r.max_row, min_col=r.min_col, max_col=r.max_col)
        for c in row
    }
    assert unlocked - allowed <= merged_inputs
    assert allowed <= unlocked
    assert sheet.protection.sheet and not sheet.protection.password


def test_subtotals_and_total_are_formulas(sheet, rubric):
    score_col = column_of(sheet, C.COL_SCORE)
    labels = {sheet.cell(r, 1).value: sheet.cell(r, score_col).value for r in range(1, sheet.max_row + 1)}
    subtotals = [v for k, v in labels.items() if k and str(k).startswith(C.SUBTOTAL_LABEL)]
    totals = [v for k, v in labels.items() if k and str(k).startswith(C.TOTAL_LABEL)]
    assert len(subtotals) == len(rubric.categories)
    assert len(totals) == 1
    # blank while none of its scores is entered, so that a blank form prints no 0.0
    assert all(re.fullmatch(r'=IF\(COUNT\((\w+:\w+)\)=0,"",SUM\(\1\)\)', v) for v in subtotals + totals)


def test_prints_on_a4_fit_to_width_with_repeated_header_and_page_numbers(sheet):
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows.replace("$", "") == "1:4"
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text


def test_hidden_locked_rubric_version_and_fingerprint(rubric):
    wb = openpyxl.load_workbook(COMMITTED)
    meta = wb[C.META_SHEET]
    assert meta.sheet_state == "veryHidden" and meta.protection.sheet
    assert meta["B1"].value == rubric.version and meta["B2"].value == rubric.fingerprint
    assert wb.security.lockStructure


def test_companion_tables_have_their_headers():
    counts = openpyxl.load_workbook(TEMPLATES_DIR / C.CASE_COUNTS_TEMPLATE)[C.CASE_COUNTS_SHEET]
    assert [counts.cell(1, c).value for c in (1, 2)] == [C.COL_UNIT, C.COL_CASES]
    record = openpyxl.load_workbook(TEMPLATES_DIR / C.CRITICISMS_TEMPLATE)[C.CRITICISMS_SHEET]
    assert [record.cell(1, c).value for c in range(1, 6)] == ["乡镇", "日期", "来源", "事由", "处理"]


OFFICE_MISSING = next(
    (f"{tool} is not installed" for tool in ("soffice", "pdftotext", "pdftoppm") if not shutil.which(tool)),
    None,
)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The committed blank form as LibreOffice prints it."""
    return office_pdf(COMMITTED, tmp_path_factory.mktemp("printed"))


@pytest.mark.skipif(OFFICE_MISSING is not None, reason=str(OFFICE_MISSING))
def test_a_blank_form_prints_clean(printed):
    """No status line, no 0.0 in the subtotals: only what the inspector is to fill in."""
    text = " ".join(word for _, _, words in pdf_pages(printed) for word, *_ in words)
    for live in ("未填乡镇名称", "项未打分", "合计", "已填写完整"):
        assert live not in text, live
    assert not re.search(r"(?<![\d.])0\.0(?![\d])", text)  # a subtotal of nothing


@pytest.mark.skipif(OFFICE_MISSING is not None, reason=str(OFFICE_MISSING))
def test_the_footer_prints_whole_within_the_bottom_margin(printed, sheet):
    pages = pdf_pages(printed)
    assert len(pages) >= 2
    bottom = sheet.page_margins.bottom * 72  # points
    for number, (_, height, words) in enumerate(pages, start=1):
        footer = [w for w in words if w[2] > height - bottom]
        body = [w for w in words if w[2] <= height - bottom]
        assert "".join(w for w, *_ in footer).startswith(f"第{number}页，共{len(pages)}页"), footer
        top, low = min(w[2] for w in footer), max(w[4] for w in footer)
        assert max(w[4] for w in body) < top < low < height  # below the table, on the paper
        # a line clipped by too small a footer band shows half its height in ink
        box = (min(w[1] for w in footer), top - 3, max(w[3] for w in footer), low + 3)
        assert ink_rows(printed, number, box) >= 0.6 * (low - top)
