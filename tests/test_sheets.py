"""Every problem a score sheet can have, found on sheets filled through the real template."""

import datetime as dt
from decimal import Decimal

import pytest
from helpers import codes, move_rows

from processor import constants as C
from processor.inputs.sheet import read_score_sheet
from processor.testing import column_of, item_rows, label_value_cell


def read(path, rubric):
    return read_score_sheet(path.read_bytes(), path.name, rubric)


def score_cell(ws, code):
    return ws.cell(item_rows(ws)[code], column_of(ws, C.COL_SCORE))


def test_a_clean_sheet_reads_every_score_exactly(make_sheet, rubric):
    sheet, problems = read(make_sheet("东山镇", scores={"1.1": 2.5}, remarks={"1.1": "未设置填单区"}), rubric)
    assert problems == []
    assert sheet.township == "东山镇" and sheet.inspectors == "李明、王芳"
    assert sheet.date == dt.date(2022, 8, 15)
    assert sheet.scores["1.1"] == Decimal("2.5")
    assert sheet.scores["3.6"] == Decimal(5)
    assert "3.1" not in sheet.scores and len(sheet.scores) == 36
    assert sheet.cells["1.1"] == "G5" and sheet.complete


@pytest.mark.parametrize(
    ("value", "code", "shown"),
    [
        (None, "SCORE_BLANK", ""),
        ("", "SCORE_BLANK", ""),
        ("   ", "SCORE_BLANK", ""),
        ("三分", "SCORE_NOT_NUMBER", "三分"),
        ("2.5分", "SCORE_NOT_NUMBER", "2.5分"),
        (-0.5, "SCORE_NEGATIVE", "-0.5"),
        (3.5, "SCORE_ABOVE_MAX", "3.5"),
        (1e308, "SCORE_ABOVE_MAX", None),
        (2.25, "SCORE_TOO_FINE", "2.25"),
        (1e-300, "SCORE_TOO_FINE", None),
        (True, "SCORE_BOOLEAN", "TRUE"),
        (dt.date(2022, 3, 1), "SCORE_DATE", "2022-03-01"),
        ("=1/0", "FORMULA_NO_VALUE", "=1/0"),
        ("NaN", "SCORE_NOT_NUMBER", "NaN"),
        ("inf", "SCORE_NOT_NUMBER", "inf"),
    ],
)
def test_a_refused_score_is_an_error_at_its_cell(make_sheet, rubric, value, code, shown):
    sheet, problems = read(make_sheet(scores={"1.1": value}, remarks={"1.1": "说明"}), rubric)
    (p,) = [p for p in problems if p.item == "1.1"]
    assert (p.code.name, p.file.endswith(".xlsx"), p.sheet, p.cell) == (code, True, C.SCORE_SHEET, "G5")
    assert p.is_error
    if shown is not None:
        assert p.value == shown
    assert "1.1" not in sheet.scores and not sheet.complete


@pytest.mark.parametrize(
    ("value", "code", "score"),
    [
        ("2.5", "NUMBER_AS_TEXT", "2.5"),
        (" 2 ", "NUMBER_AS_TEXT", "2"),
        ("２．５", "FULL_WIDTH_DIGITS", "2.5"),
        ("2,5", "DECIMAL_COMMA", "2.5"),
    ],
)
def test_text_that_reads_as_a_number_is_no_score_as_on_the_sheet(make_sheet, rubric, value, code, score):
    # the score sheet marks these red (its formulas see no number): the batch refuses them too,
    # and says what to retype
    sheet, problems = read(make_sheet(scores={"1.1": value}, remarks={"1.1": "说明"}), rubric)
    assert codes(problems) == [code]
    assert problems[0].is_error and problems[0].cell == "G5"
    assert dict(problems[0].params)["score"] == score
    assert "1.1" not in sheet.scores and not sheet.complete


def test_float_noise_in_the_file_reads_as_the_typed_number(make_sheet, rubric):
    # Excel writes 2.3 as 2.2999999999999998 in some files: 15 significant digits are kept.
    sheet, problems = read(make_sheet(scores={"1.1": 2.2999999999999998}, remarks={"1.1": "x"}), rubric)
    assert problems == [] and sheet.scores["1.1"] == Decimal("2.3")


def test_an_award_is_all_or_nothing(make_sheet, rubric):
    _, problems = read(make_sheet(scores={"6.1": 1.5}, remarks={"6.1": "部分"}), rubric)
    assert codes(problems) == ["SCORE_AWARD_PARTIAL"]
    sheet, problems = read(make_sheet(scores={"6.1": 0}, remarks={"6.1": "无创新"}), rubric)
    assert problems == [] and sheet.scores["6.1"] == 0


def test_a_deduction_without_a_reason_is_a_warning(make_sheet, rubric):
    sheet, problems = read(make_sheet(scores={"3.6": 4}), rubric)
    (p,) = problems
    assert (p.code.name, p.cell, p.item, p.is_error) == ("REMARK_MISSING", "H16", "3.6", False)
    assert sheet.scores["3.6"] == 4


def test_the_score_is_judged_against_the_rubric_not_the_sheets_maximum(make_sheet, rubric):
    def raise_maximum(wb):
        ws = wb[C.SCORE_SHEET]
        ws.cell(item_rows(ws)["1.1"], column_of(ws, C.COL_MAXIMUM)).value = 5

    _, problems = read(make_sheet(scores={"1.1": 4}, remarks={"1.1": "x"}, edit=raise_maximum), rubric)
    assert sorted(codes(problems)) == ["MAXIMUM_EDITED", "SCORE_ABOVE_MAX"]


def test_missing_township_is_an_error_and_missing_inspectors_a_warning(make_sheet, rubric):
    _, problems = read(make_sheet(township="  ", inspectors=None, date=None), rubric)
    found = {p.code.name: p for p in problems}
    assert found["TOWNSHIP_MISSING"].is_error and found["TOWNSHIP_MISSING"].cell == "C2"
    assert not found["INSPECTORS_MISSING"].is_error and found["INSPECTORS_MISSING"].cell == "C3"
    assert not found["DATE_MISSING"].is_error and found["DATE_MISSING"].cell == "H2"


def test_a_date_typed_as_text_is_read(make_sheet, rubric):
    sheet, problems = read(make_sheet(date="2022年8月15日"), rubric)
    assert problems == [] and sheet.date == dt.date(2022, 8, 15)
    _, problems = read(make_sheet(date="八月中旬"), rubric)
    assert codes(problems) == ["DATE_INVALID"]


def test_a_value_in_the_computed_item_is_ignored_with_a_warning(make_sheet, rubric):
    sheet, problems = read(make_sheet(scores={"3.1": 4}), rubric)
    assert codes(problems) == ["COMPUTED_ITEM_FILLED"] and "3.1" not in sheet.scores


def test_a_formula_with_its_cached_value_is_used_with_a_note(make_sheet, rubric, tmp_path):
    path = make_sheet(scores={"1.1": "=3-0.5"}, remarks={"1.1": "x"})
    # openpyxl writes no cached value; give the formula one as Excel would on saving
    patched = _with_cached_value(path, "G5", "2.5", tmp_path)
    sheet, problems = read(patched, rubric)
    assert codes(problems) == ["SCORE_FORMULA"] and sheet.scores["1.1"] == Decimal("2.5")


def _with_cached_value(path, ref, value, tmp_path):
    import re
    import zipfile

    out = tmp_path / ("cached-" + path.name)
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)?'.encode(),
                    rb"\1\2<v>" + value.encode() + b"</v>",
                    data,
                )
            zout.writestr(info, data)
    return out


def test_rows_moved_are_still_read_by_their_code(make_sheet, rubric):
    swap = move_rows
    sheet, problems = read(
        make_sheet(scores={"3.2": 1.5, "3.3": 3.7}, remarks={"3.2": "a", "3.3": "b"}, edit=swap), rubric
    )
    assert problems == []
    assert sheet.scores["3.2"] == Decimal("1.5") and sheet.scores["3.3"] == Decimal("3.7")


def test_a_deleted_row_and_an_overwritten_code(make_sheet, rubric):
    def damage(wb):
        ws = wb[C.SCORE_SHEET]
        rows = item_rows(ws)
        ws.cell(rows["4.2"], column_of(ws, C.COL_CODE)).value = "4.1"  # code overwritten
        ws.cell(rows["2.2"], column_of(ws, C.COL_CODE)).value = None  # row's code gone

    _, problems = read(make_sheet(edit=damage), rubric)
    found = {(p.code.name, p.item) for p in problems}
    assert ("ITEM_DUPLICATE", "4.1") in found
    assert ("ITEM_MISSING", "4.2") in found and ("ITEM_MISSING", "2.2") in found


def test_an_edited_label_is_reported_as_such(make_sheet, rubric):
    def rename(wb):
        ws = wb[C.SCORE_SHEET]
        ws.cell(item_rows(ws)["1.3"], column_of(ws, C.COL_NAME)).value = "窗口"

    _, problems = read(make_sheet(edit=rename), rubric)
    (p,) = problems
    assert p.code.name == "LOCKED_CELL_EDITED" and p.item == "1.3" and p.value == "窗口"


def test_removed_protection_is_a_warning(make_sheet, rubric):
    def unprotect(wb):
        wb[C.SCORE_SHEET].protection.sheet = False

    _, problems = read(make_sheet(edit=unprotect), rubric)
    assert codes(problems) == ["PROTECTION_REMOVED"]


def test_a_renamed_or_hidden_score_sheet(make_sheet, rubric):
    def rename(wb):
        wb[C.SCORE_SHEET].title = "Sheet1"

    def hide(wb):
        wb.create_sheet("说明")  # a workbook needs one visible sheet
        wb[C.SCORE_SHEET].sheet_state = "hidden"

    _, problems = read(make_sheet(edit=rename), rubric)
    assert codes(problems) == ["SHEET_MISSING"] and "Sheet1" in problems[0].message
    _, problems = read(make_sheet(edit=hide), rubric)
    assert codes(problems) == ["SHEET_HIDDEN"]


def test_a_sheet_not_from_our_template_or_from_another_rubric(make_sheet, rubric):
    def drop_meta(wb):
        del wb[C.META_SHEET]

    def older(wb):
        wb[C.META_SHEET]["B1"] = "2019.1"
        wb[C.META_SHEET]["B2"] = "0" * 64

    _, problems = read(make_sheet(edit=drop_meta), rubric)
    assert codes(problems) == ["NOT_TEMPLATE"]
    sheet, problems = read(make_sheet(edit=older), rubric)
    assert codes(problems) == ["RUBRIC_MISMATCH"] and sheet is None
    assert "2019.1" in problems[0].message


def test_the_sheets_own_total_is_compared_when_excel_calculated_it(make_sheet, rubric, tmp_path):
    path = make_sheet(scores={"1.1": 2}, remarks={"1.1": "x"})
    rows = item_rows(__import__("openpyxl").load_workbook(path)[C.SCORE_SHEET])
    total_row = max(rows.values()) + len(rubric.categories) + 1
    right = _with_cached_value(path, f"G{total_row}", "95", tmp_path)
    _, problems = read(right, rubric)
    assert problems == []
    wrong = _with_cached_value(path, f"G{total_row}", "97", tmp_path)
    _, problems = read(wrong, rubric)
    assert codes(problems) == ["TOTAL_MISMATCH"] and problems[0].cell == f"G{total_row}"


def test_label_positions_come_from_the_template(rubric, tmp_path):
    import openpyxl
    from helpers import SCORE_SHEET_TEMPLATE

    ws = openpyxl.load_workbook(SCORE_SHEET_TEMPLATE)[C.SCORE_SHEET]
    assert label_value_cell(ws, C.LABEL_TOWNSHIP).coordinate == "C2"


def test_an_award_not_earned_needs_no_reason(make_sheet, rubric):
    sheet, problems = read(make_sheet(scores={"5.7": 0, "6.1": 0}), rubric)
    assert problems == [] and sheet.scores["6.1"] == 0


def test_each_score_value_is_judged_once_but_a_long_text_is_never_remembered(make_sheet, rubric, monkeypatch):
    from processor.inputs import scores

    judged = []
    judge = scores.judge
    monkeypatch.setattr(
        scores, "judge", lambda item, cell, *a: judged.append(cell.text) or judge(item, cell, *a)
    )
    long = "此项未检查，待补" * 10
    first = read(make_sheet("东山镇", scores={"1.1": long, "1.2": "两分"}), rubric)[1]
    again = read(make_sheet("西山镇", scores={"1.1": long, "1.2": "两分"}), rubric)[1]
    assert codes(first) == codes(again) == ["SCORE_NOT_NUMBER", "SCORE_NOT_NUMBER"]
    assert [p.cell for p in first] == [p.cell for p in again]
    assert judged.count(long) == 2 and judged.count("两分") <= 1  # the second sheet's was remembered
    remembered = [cell.text for _, cell, _ in scores.Plan.of(rubric).verdicts if cell is not None]
    assert "两分" in remembered and long not in remembered


def test_a_date_typed_as_a_score_in_a_1904_workbook_is_named_as_the_inspector_saw_it(make_sheet, rubric):
    # a workbook made on an old Mac counts its days from 1904: the same stored number is
    # another day than in a 1900 workbook, and the message names the day the sheet shows
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    def from_1904(wb):
        wb.epoch = CALENDAR_MAC_1904

    # the same stored number, 43159, first in a 1900 workbook: judged apart, not remembered
    path = make_sheet(scores={"1.1": dt.date(2018, 2, 28)}, remarks={"1.1": "说明"})
    assert [p.value for p in read(path, rubric)[1] if p.item == "1.1"] == ["2018-02-28"]
    path = make_sheet(scores={"1.1": dt.date(2022, 3, 1)}, remarks={"1.1": "说明"}, edit=from_1904)
    sheet, problems = read(path, rubric)
    (p,) = [p for p in problems if p.item == "1.1"]
    assert (p.code.name, p.value) == ("SCORE_DATE", "2022-03-01")
    assert sheet.date == dt.date(2022, 8, 15)
