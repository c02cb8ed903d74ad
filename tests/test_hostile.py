"""Hostile and broken input (the corpus in tests/corpus.py): every bad file is one clear problem
naming it, the rest of the batch is still checked, and nothing from a file reaches the outputs
as anything but text."""

import re
import time
import tracemalloc
from collections import defaultdict
from decimal import Decimal

import corpus
import openpyxl
import pytest
from helpers import codes, move_rows, write_case_counts, write_criticisms

from processor import constants as C
from processor.batch import run
from processor.inputs.round import collect
from processor.inputs.sheet import read_score_sheet
from processor.inputs.tables import read_case_counts
from processor.testing import column_of, item_rows


def read(data, name, rubric):
    return read_score_sheet(data, name, rubric)


# ---- formats -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(corpus.FORMATS))
def test_each_broken_format_is_one_problem_naming_the_file(name, rubric):
    make, code = corpus.FORMATS[name]
    sheet, problems = read(make(), name, rubric)
    assert codes(problems) == [code]
    assert problems[0].file == name and problems[0].is_error
    assert problems[0].message and "{" not in problems[0].message
    assert sheet is None or code == "SHEET_HIDDEN"  # a hidden sheet is read on: all its problems


def test_a_whole_folder_of_broken_files_and_one_good_sheet(make_sheet, tmp_path, rubric):
    folder = tmp_path / "in"
    bad = {**corpus.FORMATS, **corpus.RESOURCE_ATTACKS}
    folder.mkdir()
    for name, (make, _) in bad.items():
        (folder / name).write_bytes(make())
    for name, make in corpus.OTHER_EXTENSIONS.items():
        (folder / name).write_bytes(make())
    make_sheet("东山镇", scores={"1.1": 2.5}, remarks={"1.1": "缺填单区"}, folder=folder, name="good.xlsx")
    write_case_counts(folder, {"东山镇": 10, "隐藏乡": 5})
    write_criticisms(folder, [])

    started = time.perf_counter()
    round_ = collect(folder, rubric)
    assert time.perf_counter() - started < 20  # generous: 30 files, each refused in well under a second

    by_file = defaultdict(list)
    for p in round_.problems:
        by_file[p.file].append(p.code.name)
    expected = {name: [code] for name, (_, code) in bad.items()}
    expected |= {name: ["FILE_WRONG_TYPE"] for name in corpus.OTHER_EXTENSIONS}
    assert dict(by_file) == expected  # one problem per bad file, none for the good one
    good = next(s for s in round_.sheets if s.file == "good.xlsx")
    assert good.complete and good.scores["1.1"] == Decimal("2.5")


# ---- resource attacks ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(corpus.RESOURCE_ATTACKS))
def test_each_resource_attack_is_refused_quickly_in_bounded_memory(name, rubric):
    make, code = corpus.RESOURCE_ATTACKS[name]
    data = make()
    started = time.perf_counter()
    _, problems = read(data, name, rubric)
    elapsed = time.perf_counter() - started
    assert codes(problems) == [code]
    assert elapsed < 2, f"{name} took {elapsed:.1f} s to refuse"
    tracemalloc.start()
    try:
        read(data, name, rubric)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20 + 4 * len(data), f"{name} peaked at {peak >> 20} MB"


DOCTYPES = {
    "laughs": corpus.BILLION_LAUGHS,
    "external": corpus.EXTERNAL_ENTITY,
    "parameter": corpus.PARAMETER_ENTITY,
}


@pytest.mark.parametrize("part", corpus.PARSED_PARTS)
@pytest.mark.parametrize("doctype", sorted(DOCTYPES))
def test_a_doctype_in_any_parsed_part_is_refused_before_parsing(part, doctype, rubric):
    _, problems = read(corpus.with_doctype(part, DOCTYPES[doctype]), "x.xlsx", rubric)
    assert codes(problems) == ["FILE_UNSAFE"] and part in problems[0].message


@pytest.mark.parametrize("doctype", sorted(DOCTYPES))
def test_a_doctype_in_office_shared_strings_is_refused(doctype, rubric):
    office = (corpus.OFFICE / "libreoffice.xlsx").read_bytes()
    data = corpus.with_doctype(corpus.OFFICE_SHARED_STRINGS, DOCTYPES[doctype], office)
    _, problems = read(data, "x.xlsx", rubric)
    assert codes(problems) == ["FILE_UNSAFE"]


def test_a_stray_cell_at_the_last_row_and_column_is_ignored(rubric, make_sheet, tmp_path):
    # The choice: such a sheet is read normally; the cell is outside anything the reader looks at.
    started = time.perf_counter()
    sheet, problems = read(corpus.stray_last_cell(), "stray.xlsx", rubric)
    assert problems == [] and sheet.complete
    folder = tmp_path / "t"
    counts = write_case_counts(folder, {"东山镇": 10}).read_bytes()
    stray = corpus.stray_last_cell(counts, "xl/worksheets/sheet1.xml")
    found, problems = read_case_counts(stray, C.CASE_COUNTS_FILE)
    assert [c.unit for c in found] == ["东山镇"]
    assert time.perf_counter() - started < 2


# ---- real files from office software -------------------------------------------------------


def test_committed_office_files_read_exactly(rubric):
    sheet, problems = read((corpus.OFFICE / "libreoffice.xlsx").read_bytes(), "lo.xlsx", rubric)
    assert problems == [] and sheet.township == "南岭乡"
    assert sheet.scores["1.1"] == Decimal("2.5") and sheet.remarks["3.6"] == "两件未调用电子证照"
    sheet, problems = read((corpus.OFFICE / "gnumeric.xlsx").read_bytes(), "gn.xlsx", rubric)
    assert problems == [] and sheet.township == "北坪镇" and sheet.scores["2.2"] == Decimal("1.5")


def test_phonetic_runs_and_rich_text_in_shared_strings_do_not_leak(rubric):
    def furigana(xml: bytes) -> bytes:
        rich = "<si><r><t>南</t></r><r><rPr><b/></rPr><t>岭乡</t></r><rPh sb='0' eb='3'><t>ナンレイ</t></rPh></si>"
        plain = '<si><t xml:space="preserve">南岭乡</t></si>'.encode()
        assert plain in xml
        return xml.replace(plain, rich.encode())

    data = corpus.rezip(
        (corpus.OFFICE / "libreoffice.xlsx").read_bytes(), {corpus.OFFICE_SHARED_STRINGS: furigana}
    )
    sheet, problems = read(data, "lo.xlsx", rubric)
    assert problems == [] and sheet.township == "南岭乡"


# ---- edited templates ----------------------------------------------------------------------


def _shift_merges(ws, at: int, by: int) -> None:
    """What Excel does to merged ranges when rows are inserted (by > 0) or deleted (by < 0) at
    ``at``; openpyxl leaves them where they were."""
    for merged in list(ws.merged_cells.ranges):
        if merged.min_row >= at:
            merged.shift(row_shift=by)
        elif merged.max_row >= at:
            merged.expand(down=by) if by > 0 else merged.shrink(bottom=-by)


def insert_rows(wb):
    ws = wb[C.SCORE_SHEET]
    at = item_rows(ws)["3.3"]
    ws.insert_rows(at, 2)
    _shift_merges(ws, at, 2)


def delete_row(wb):
    ws = wb[C.SCORE_SHEET]
    at = item_rows(ws)["2.2"]
    ws.delete_rows(at, 1)
    _shift_merges(ws, at, -1)


def change_maximum(wb):
    ws = wb[C.SCORE_SHEET]
    ws.cell(item_rows(ws)["1.1"], column_of(ws, C.COL_MAXIMUM)).value = 5


def overwrite_category(wb):
    ws = wb[C.SCORE_SHEET]
    ws.cell(item_rows(ws)["1.1"], column_of(ws, C.COL_CATEGORY)).value = "自定义类别"


def overwrite_code(wb):
    ws = wb[C.SCORE_SHEET]
    ws.cell(item_rows(ws)["4.2"], column_of(ws, C.COL_CODE)).value = "4.9"


def duplicate_code(wb):
    ws = wb[C.SCORE_SHEET]
    ws.cell(item_rows(ws)["4.2"], column_of(ws, C.COL_CODE)).value = "4.1"


def remove_protection(wb):
    wb[C.SCORE_SHEET].protection.sheet = False


def extra_item_row(wb):
    insert_rows(wb)
    ws = wb[C.SCORE_SHEET]
    row = item_rows(ws)["3.3"] - 1
    ws.cell(row, column_of(ws, C.COL_CODE)).value = "3.16"
    ws.cell(row, column_of(ws, C.COL_SCORE)).value = 2


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (insert_rows, set()),
        (move_rows, set()),
        (delete_row, {("ITEM_MISSING", "2.2", "")}),
        (change_maximum, {("MAXIMUM_EDITED", "1.1", "F5")}),
        (overwrite_category, {("LOCKED_CELL_EDITED", "1.1", "B5")}),  # merged B5:B8: one report
        (overwrite_code, {("ITEM_MISSING", "4.2", ""), ("ITEM_UNKNOWN", "", "G27")}),
        (duplicate_code, {("ITEM_MISSING", "4.2", ""), ("ITEM_DUPLICATE", "4.1", "C27")}),
        (remove_protection, {("PROTECTION_REMOVED", "", "")}),
        (extra_item_row, {("ITEM_UNKNOWN", "", "G14")}),
    ],
)
def test_edited_templates_are_read_by_code_and_judged_by_the_rubric(make_sheet, rubric, edit, expected):
    path = make_sheet(scores={"1.1": 4, "3.2": 1.5}, remarks={"1.1": "x", "3.2": "y"}, edit=edit)
    sheet, problems = read(path.read_bytes(), path.name, rubric)
    found = {(p.code.name, p.item, p.cell) for p in problems}
    above = ("SCORE_ABOVE_MAX", "1.1", "G5")  # 4 is over the rubric's 3 whatever the sheet says
    assert above in found and found - {above} == expected
    assert "1.1" not in sheet.scores
    assert sheet.scores["3.2"] == Decimal("1.5")  # found by its code, wherever its row went


def test_an_overwritten_label_is_named(rubric):
    _, problems = read(corpus.overwritten_label(), "label.xlsx", rubric)
    assert codes(problems) == ["LABEL_MISSING", "TOWNSHIP_MISSING"]
    assert dict(problems[0].params)["label"] == C.LABEL_TOWNSHIP


def test_a_changed_maximum_message_says_what_changed(make_sheet, rubric):
    path = make_sheet(edit=change_maximum)
    _, problems = read(path.read_bytes(), path.name, rubric)
    (p,) = [p for p in problems if p.code.name == "MAXIMUM_EDITED"]
    assert p.value == "5" and dict(p.params)["expected"] == "3"


# ---- values --------------------------------------------------------------------------------


def with_cell(data: bytes, ref: str, xml: str) -> bytes:
    """The sheet with cell ``ref`` of the score sheet replaced by raw ``xml`` (what office
    programs or a hostile hand write and openpyxl cannot)."""

    def patch(sheet: bytes) -> bytes:
        pattern = rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)'.encode()
        out, n = re.subn(pattern, xml.encode(), sheet, count=1, flags=re.S)
        assert n == 1
        return out

    return corpus.rezip(data, {corpus.SHEET_PART: patch})


G5 = '<c r="G5" s="8"{}>{}</c>'


@pytest.mark.parametrize(
    ("xml", "code", "score"),
    [
        (G5.format(' t="e"', "<v>#DIV/0!</v>"), "SCORE_ERROR_VALUE", None),
        (G5.format(' t="e"', "<v>#N/A</v>"), "SCORE_ERROR_VALUE", None),
        (G5.format(' t="e"', "<f>1/0</f><v>#DIV/0!</v>"), "SCORE_ERROR_VALUE", None),
        (G5.format(' t="e"', "<f>A1</f><v>#REF!</v>"), "SCORE_ERROR_VALUE", None),
        (G5.format(' t="str"', '<f>"2.5"</f><v>2.5</v>'), "SCORE_FORMULA NUMBER_AS_TEXT", None),
        (G5.format(' t="str"', '<f>"x"</f><v>x</v>'), "SCORE_NOT_NUMBER", None),
        (G5.format("", "<f>3-0.5</f><v>2.5</v>"), "SCORE_FORMULA", "2.5"),
        (G5.format("", "<f>3-0.5</f>"), "FORMULA_NO_VALUE", None),
        (G5.format(' t="b"', "<v>1</v>"), "SCORE_BOOLEAN", None),
        (G5.format(' t="d"', "<v>2022-08-15T00:00:00</v>"), "SCORE_DATE", None),
        (G5.format("", "<v>1E+999999999</v>"), "SCORE_ABOVE_MAX", None),
        (G5.format("", "<v>1E-999999999</v>"), "SCORE_TOO_FINE", None),
        (G5.format("", "<v>-1E-999999999</v>"), "SCORE_NEGATIVE", None),
        (G5.format("", "<v>1.23456789012345678901E+999999</v>"), "SCORE_ABOVE_MAX", None),
        (G5.format("", "<v>NaN</v>"), "SCORE_NOT_NUMBER", None),
        (G5.format("", "<v>Infinity</v>"), "SCORE_NOT_NUMBER", None),
        (G5.format("", "<v>1_0</v>"), "SCORE_NOT_NUMBER", None),
        (G5.format("", "<v></v>"), "SCORE_BLANK", None),
        (G5.format(' t="inlineStr"', "<is><t>1e999999999</t></is>"), "NUMBER_AS_TEXT", None),
        (G5.format(' t="inlineStr"', "<is><t>1e-999999999</t></is>"), "NUMBER_AS_TEXT", None),
        (G5.format(' t="inlineStr"', "<is><t>٣</t></is>"), "SCORE_NOT_NUMBER", None),
        (G5.format(' t="inlineStr"', "<is><t>-inf</t></is>"), "SCORE_NOT_NUMBER", None),
        (G5.format(' t="inlineStr"', "<is><t>_x0001_2</t></is>"), "SCORE_INVISIBLE", None),
        (G5.format(' t="inlineStr"', "<is><t>\u3000２．５\u3000</t></is>"), "FULL_WIDTH_DIGITS", None),
        (G5.format(' t="inlineStr"', "<is><t>\u3000</t></is>"), "SCORE_BLANK", None),
    ],
)
def test_every_kind_of_value_is_a_score_with_a_note_or_an_error_at_its_cell(
    make_sheet, rubric, xml, code, score
):
    data = with_cell(make_sheet(remarks={"1.1": "说明"}).read_bytes(), "G5", xml)
    sheet, problems = read(data, "v.xlsx", rubric)
    assert codes(problems) == code.split()
    assert {(p.sheet, p.cell, p.item) for p in problems} == {(C.SCORE_SHEET, "G5", "1.1")}
    if score is None:
        assert problems[-1].is_error and "1.1" not in sheet.scores
    else:
        assert not any(p.is_error for p in problems) and sheet.scores["1.1"] == Decimal(score)
    assert all("{" not in p.message for p in problems)


def test_a_huge_number_shows_without_a_silent_zero(make_sheet, rubric):
    data = with_cell(
        make_sheet(remarks={"1.1": "说明"}).read_bytes(), "G5", G5.format("", "<v>1E-999999999</v>")
    )
    _, (p,) = read(data, "v.xlsx", rubric)
    assert p.value == "1E-999999999"


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("东山镇", "东山镇\u3000", True),
        ("东山镇", " 东 山 镇 ", True),
        ("东山镇", "东山镇\u200b", True),
        ("ＡＢ镇", "AB镇", True),
        ("东山镇", "东山乡", False),
    ],
)
def test_names_differing_only_by_width_spaces_or_invisibles_are_one_township(
    make_sheet, rubric, tmp_path, first, second, same
):
    folder = tmp_path / "in"
    make_sheet(first, folder=folder, name="a.xlsx")
    make_sheet(second, folder=folder, name="b.xlsx")
    round_ = collect(folder, rubric)
    duplicates = sorted(p.file for p in round_.problems if p.code.name == "TOWNSHIP_DUPLICATE")
    assert duplicates == (["a.xlsx", "b.xlsx"] if same else [])


def test_a_whitespace_only_name_is_missing(make_sheet, rubric):
    path = make_sheet("\u3000 \t")
    _, problems = read(path.read_bytes(), path.name, rubric)
    assert [(p.code.name, p.cell) for p in problems] == [("TOWNSHIP_MISSING", "C2")]


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        (G5.format(' t="inlineStr"', "<is><t>3</t></is>").replace('s="8"', 's="\u00b2"'), "NUMBER_AS_TEXT"),
        ('<c r="G5" s="99999999999999999999"><v>3</v></c>', ""),
        ('<c r="G5" s="8"><v>3</v></c></row><row r="\u00b2"><c><v>1</v></c>', ""),
        ('<c r="G5" s="8"><v>3</v></c></row><row r="' + "9" * 5000 + '"><c><v>1</v></c>', ""),
        ('<c r="G5" s="8"><v>3</v></c></row><row r="2000000"><c><v>1</v></c>', "FILE_CORRUPT"),
        ('<c r="G5" s="8"><v>3</v></c>' + "<c><v>1</v></c>" * 17000, "FILE_CORRUPT"),
        ('<c r="ZZZZ5" s="8"><v>3</v></c>', "FILE_CORRUPT"),
        ('<c r="G5" t="s"><v>99999</v></c>', "FILE_CORRUPT"),
        ('<c r="G5" t="s"><v>' + "9" * 5000 + "</v></c>", "FILE_CORRUPT"),
    ],
)
def test_odd_attributes_are_read_or_refused_never_a_crash(make_sheet, rubric, xml, expected):
    data = with_cell(make_sheet(remarks={"1.1": "说明"}).read_bytes(), "G5", xml)
    _, problems = read(data, "odd.xlsx", rubric)
    assert " ".join(codes(problems)) == expected


def test_control_characters_and_lone_surrogates_reach_the_outputs_as_text(make_round, tmp_path):
    folder = make_round({"东山镇": {"1.1": 2}}, remarks={"东山镇": {"1.1": "缺_x0001_填单区_xD800_"}})
    out = tmp_path / "out"
    outcome = run(folder, out)
    assert outcome.published
    ws = openpyxl.load_workbook(out / C.RESULTS_DIR / C.CONSOLIDATED_FILE)[C.OUT_DEDUCTIONS]
    texts = [
        c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "填单区" in c.value
    ]
    assert texts and all("\ufffd" in t for t in texts)


@pytest.mark.parametrize(
    ("count", "code"),
    [("1e999999999", "CASE_COUNT_INVALID"), (1e300, "CASE_COUNT_INVALID"), ("1,234", None), (-1, "CASE_COUNT_INVALID"),
     ("NaN", "CASE_COUNT_INVALID"), (True, "CASE_COUNT_INVALID"), ("#DIV/0!", "CASE_COUNT_INVALID"), (12.5, "CASE_COUNT_INVALID")],
)  # fmt: skip
def test_hostile_case_counts_are_refused_at_their_cell_quickly(tmp_path, count, code):
    data = write_case_counts(tmp_path, {"东山镇": count}).read_bytes()
    started = time.perf_counter()
    counts, problems = read_case_counts(data, C.CASE_COUNTS_FILE)
    assert time.perf_counter() - started < 2
    assert [(p.code.name, p.cell) for p in problems] == ([(code, "B2")] if code else [])
    assert bool(counts) == (code is None)


@pytest.mark.parametrize("name", ["truncated.xlsx", "encrypted.xlsx", "bomb-declared.xlsx", "laughs.xlsx"])
def test_a_broken_companion_table_is_one_problem_naming_it(make_round, rubric, name):
    folder = make_round({"东山镇": {}})
    (folder / C.CASE_COUNTS_FILE).write_bytes(
        corpus.FORMATS.get(name, corpus.RESOURCE_ATTACKS.get(name))[0]()
    )
    round_ = collect(folder, rubric)
    assert [(p.code.name, p.file) for p in round_.problems] == [
        ({**corpus.FORMATS, **corpus.RESOURCE_ATTACKS}[name][1], C.CASE_COUNTS_FILE)
    ]
