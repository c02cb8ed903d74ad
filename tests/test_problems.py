"""The catalogue, and the problem codes not covered by the sheet and table tests."""

import datetime as dt

import openpyxl
from helpers import codes, write_case_counts

from processor.batch import run
from processor.inputs.round import collect
from processor.problems import Code, Severity, problem


def test_every_code_carries_its_severity_message_and_fix():
    for code in Code:
        assert code.severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        assert code.text and code.fix, code
        assert str(code) == code.name


def test_a_message_never_crashes_on_a_missing_placeholder():
    p = problem(Code.SCORE_ABOVE_MAX, file="a.xlsx", item="1.1", value="9")
    assert "9" in p.message and "{maximum}" in p.message


def test_an_empty_input_folder(tmp_path, rubric):
    (tmp_path / "in").mkdir()
    assert "NO_SHEETS" in codes(collect(tmp_path / "in", rubric).problems)


def test_a_header_row_edited_away(make_sheet, rubric):
    from processor.inputs.sheet import read_score_sheet
    from processor.testing import column_of

    def rename(wb):
        ws = wb["评分表"]
        ws.cell(4, column_of(ws, "编号")).value = "代码"

    path = make_sheet(edit=rename)
    _, problems = read_score_sheet(path.read_bytes(), path.name, rubric)
    assert codes(problems) == ["HEADER_MISSING"]


def test_loose_names_and_blank_units_in_the_case_counts(make_round, rubric):
    folder = make_round({"东山镇": {}, "西河乡": {}}, counts={"东山": 10, "西河乡": 9})
    write_case_counts(folder, {"东山": 10, "西河乡": 9, None: 4})
    problems = collect(folder, rubric).problems
    assert sorted(codes(problems)) == ["NAME_MATCHED_LOOSELY", "UNIT_BLANK"]


def test_criticisms_before_the_configured_date_are_not_counted(make_round, rubric, tmp_path):
    folder = make_round(
        {"东山镇": {}, "西河镇": {}}, criticisms=[["东山镇", dt.date(2018, 5, 1), "媒体曝光", "旧事", None]]
    )
    (folder / "settings.toml").write_text("[criticisms]\nsince = 2020-01-01\n", encoding="utf-8")
    outcome = run(folder, tmp_path / "out")
    assert codes(outcome.round.problems) == ["CRITICISM_NOT_COUNTED"]
    assert outcome.results.townships[0].final == "一等"


def test_broken_settings_are_a_clear_error(make_round, rubric):
    folder = make_round({"东山镇": {}})
    (folder / "settings.toml").write_text('[round]\nyear = "二〇二二"\n', encoding="utf-8")
    problems = collect(folder, rubric).problems
    assert codes(problems) == ["SETTINGS_INVALID"] and problems[0].file == "settings.toml"
    (folder / "settings.toml").write_text(
        "[[grading.bands]]\ngrade='一等'\nranks=[2, 3]\nbonus='5'\n", encoding="utf-8"
    )
    assert "SETTINGS_INVALID" in codes(collect(folder, rubric).problems)


def test_a_boundary_tie_is_listed_in_the_report(make_round, tmp_path):
    scores = {"甲镇": {}, "乙镇": {"3.6": 4.5}, "丙镇": {"3.6": 4.5}}
    folder = make_round(scores, counts={t: 1 for t in scores}, remarks={t: {"3.6": "x"} for t in scores})
    outcome = run(folder, tmp_path / "out")
    # a note of the run, not a problem of the inputs: it reaches the reports all the same
    assert codes(outcome.round.problems) == [] and codes(outcome.notes) == ["TIE_AT_BOUNDARY"]
    assert outcome.exit_code == 0
    assert "请评定工作领导小组研究确定" in (tmp_path / "out" / "结果" / "notice.html").read_text(
        encoding="utf-8"
    )
    for report in ("validation_report.xlsx", "结果/validation_report.xlsx", "结果/consolidated.xlsx"):
        listed = openpyxl.load_workbook(tmp_path / "out" / report)["问题清单"]
        assert [row[-1] for row in listed.iter_rows(min_row=2, values_only=True)] == ["TIE_AT_BOUNDARY"]


def test_an_error_value_in_a_score_cell(make_sheet, rubric, tmp_path):
    import re
    import zipfile

    from processor.inputs.sheet import read_score_sheet

    src = make_sheet(scores={"1.1": "=1/0"})
    out = tmp_path / "err.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb'<c r="G5"([^>]*)>(<f>[^<]*</f>)(<v\s*/>|<v></v>)?',
                    rb'<c r="G5"\1 t="e">\2<v>#DIV/0!</v>',
                    data,
                )
            zout.writestr(info, data)
    _, problems = read_score_sheet(out.read_bytes(), out.name, rubric)
    assert codes(problems) == ["SCORE_ERROR_VALUE"] and problems[0].value == "#DIV/0!"


def test_a_settings_file_that_is_not_a_small_file_is_refused(make_round, rubric):
    import os

    folder = make_round({"东山镇": {}})
    os.mkfifo(folder / "settings.toml")  # reading a FIFO would block the run forever
    problems = collect(folder, rubric).problems
    assert codes(problems) == ["FILE_NOT_REGULAR"] and problems[0].file == "settings.toml"


def test_settings_dates_must_be_dates_and_toml_errors_are_said_in_chinese(make_round, rubric):
    folder = make_round({"东山镇": {}})
    (folder / "settings.toml").write_text("[criticisms]\nsince = 2022-01-01 08:00:00\n", encoding="utf-8")
    (p,) = collect(folder, rubric).problems
    assert p.code.name == "SETTINGS_INVALID" and "since" in p.message
    (folder / "settings.toml").write_text("[round]\nyear = 二〇二二\n", encoding="utf-8")
    (p,) = collect(folder, rubric).problems
    assert "第2行" in p.message and "line" not in p.message
