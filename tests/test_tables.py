"""The case-count table and the criticism record, read by their header names."""

import datetime as dt

import pytest
from helpers import codes, write_case_counts, write_criticisms

from processor.inputs.tables import parse_action, read_case_counts, read_criticisms


def counts_of(folder, rows):
    path = write_case_counts(folder, rows)
    return read_case_counts(path.read_bytes(), path.name)


def test_case_counts_are_read_by_header(tmp_path):
    counts, problems = counts_of(tmp_path, {"东山镇": 120, "城关派出所": 80, "西河镇": "1,234"})
    assert problems == []
    assert [(c.unit, c.count, c.cell) for c in counts] == [
        ("东山镇", 120, "B2"),
        ("城关派出所", 80, "B3"),
        ("西河镇", 1234, "B4"),
    ]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "CASE_COUNT_BLANK"),
        ("很多", "CASE_COUNT_INVALID"),
        (-3, "CASE_COUNT_INVALID"),
        (2.5, "CASE_COUNT_INVALID"),
    ],
)
def test_a_bad_case_count_is_an_error_at_its_cell(tmp_path, value, code):
    counts, problems = counts_of(tmp_path, {"东山镇": value, "西河镇": 5})
    assert codes(problems) == [code] and problems[0].cell == "B2"
    assert [c.unit for c in counts] == ["西河镇"]


def test_a_unit_listed_twice_is_an_error(tmp_path):
    _, problems = counts_of(tmp_path, {"东山镇": 3, "东山镇 ": 4})
    assert codes(problems) == ["UNIT_DUPLICATE"]


def test_criticisms_are_read_with_their_action(tmp_path, settings):
    path = write_criticisms(
        tmp_path,
        [
            ["东山镇", dt.date(2022, 5, 1), "市效能办", "脱岗", None],
            ["西河镇", "2022-06-02", "媒体曝光", "推诿", "取消等级"],
        ],
    )
    records, problems = read_criticisms(path.read_bytes(), path.name, settings)
    assert problems == []
    assert [(r.township, r.date, r.source, r.steps, r.cancel) for r in records] == [
        ("东山镇", dt.date(2022, 5, 1), "市效能办", 0, False),
        ("西河镇", dt.date(2022, 6, 2), "媒体曝光", 0, True),
    ]


def test_a_bad_criticism_row_names_each_cell(tmp_path, settings):
    path = write_criticisms(tmp_path, [["东山镇", "去年", "县效能办", None, "罚款"]])
    records, problems = read_criticisms(path.read_bytes(), path.name, settings)
    assert records == []
    assert [(p.code.name, p.cell) for p in problems] == [
        ("CRITICISM_DATE_INVALID", "B2"),
        ("CRITICISM_SOURCE_INVALID", "C2"),
        ("CRITICISM_REASON_MISSING", "D2"),
        ("CRITICISM_ACTION_INVALID", "E2"),
    ]


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("", (0, False)),
        ("降低一个等级", (1, False)),
        ("降一等", (1, False)),
        ("降低两个等级", (2, False)),
        ("降2级", (2, False)),
        ("取消等级", (0, True)),
        ("取消", (0, True)),
        ("通报", None),
    ],
)
def test_what_a_criticism_action_may_say(text, parsed):
    assert parse_action(text) == parsed


def test_a_table_without_its_header_is_refused(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["名称", "数量"])
    wb.save(tmp_path / "case_counts.xlsx")
    _, problems = read_case_counts((tmp_path / "case_counts.xlsx").read_bytes(), "case_counts.xlsx")
    assert codes(problems) == ["TABLE_HEADER_MISSING"]


def test_a_date_typed_as_a_case_count_in_a_1904_workbook_is_named_as_the_clerk_saw_it(tmp_path):
    # an old Mac's workbook counts its days from 1904: the message names the day the cell shows
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    path = write_case_counts(tmp_path, {"东山镇": dt.date(2022, 3, 1), "西河镇": 5})
    wb = openpyxl.load_workbook(path)
    wb.epoch = CALENDAR_MAC_1904
    wb.active["B2"].value = dt.date(2022, 3, 1)  # stored again as a number of days from 1904
    wb.save(path)
    counts, problems = read_case_counts(path.read_bytes(), path.name)
    assert codes(problems) == ["CASE_COUNT_INVALID"]
    assert (problems[0].cell, problems[0].value) == ("B2", "2022-03-01")
    assert [c.unit for c in counts] == ["西河镇"]


def test_a_criticism_dated_in_a_1904_workbook_keeps_its_day(tmp_path, settings):
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    path = write_criticisms(tmp_path, [["东山镇", dt.date(2022, 5, 1), "市效能办", "脱岗", None]])
    wb = openpyxl.load_workbook(path)
    wb.epoch = CALENDAR_MAC_1904
    wb.active["B2"].value = dt.date(2022, 5, 1)  # stored again as a number of days from 1904
    wb.save(path)
    records, problems = read_criticisms(path.read_bytes(), path.name, settings)
    assert problems == [] and [r.date for r in records] == [dt.date(2022, 5, 1)]
