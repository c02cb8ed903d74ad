"""The table and its grading as a workbook the clerk owns (rubric.xlsx): written by
``processor rubric``, read back to the same rubric, used by the round folder that holds it for
the template, the checks and the grading, every mistake in it a problem at its cell, and read
from the county's Word plan with what is uncertain marked, never guessed."""

from __future__ import annotations

import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import openpyxl
import plan_docx
import pytest
from helpers import ROOT, codes, write_rubric

from processor import constants as C
from processor.batch import export_rubric, run
from processor.cli import main
from processor.forms.rubric_book import draft_of, write_rubric_book
from processor.inputs.plan_docx import read_plan
from processor.inputs.rubric_book import read_rubric_book
from processor.testing import fill_sheet
from processor.xlsx import open_workbook

EXAMPLE = ROOT / "input"


def read(path: Path):
    return read_rubric_book(path.read_bytes(), path.name)


def test_the_2022_table_written_and_read_again_is_the_same_rubric(rubric, tmp_path):
    found, problems = read(write_rubric_book(draft_of(rubric), tmp_path / C.RUBRIC_FILE, 2022))
    assert problems == []
    assert replace(found, aliases=()) == replace(rubric, aliases=())
    assert found.fingerprint == rubric.fingerprint


def _values(path: Path) -> dict[str, dict]:
    wb = open_workbook(path.read_bytes(), path.name)
    return {name: {k: (c.kind, c.text) for k, c in sheet.cells.items()} for name, sheet in wb.sheets.items()}


def test_the_2022_table_as_a_workbook_grades_the_example_round_as_the_packaged_one(rubric, tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "toml")
    shutil.copytree(EXAMPLE, tmp_path / "book")
    write_rubric(tmp_path / "book")
    a, b = (
        run(tmp_path / "toml", tmp_path / "out-a", pdf=False),
        run(tmp_path / "book", tmp_path / "out-b", pdf=False),
    )
    assert a.exit_code == b.exit_code == 0
    for name in [
        C.NOTICE_FILE,
        *(
            f"{C.FEEDBACK_DIR}/{p.name}"
            for p in (tmp_path / "out-a" / C.RESULTS_DIR / C.FEEDBACK_DIR).iterdir()
        ),
    ]:
        a_file, b_file = (tmp_path / out / C.RESULTS_DIR / name for out in ("out-a", "out-b"))
        assert a_file.read_bytes() == b_file.read_bytes(), name
    va, vb = (
        _values(tmp_path / "out-a" / C.RESULTS_DIR / C.CONSOLIDATED_FILE),
        _values(tmp_path / "out-b" / C.RESULTS_DIR / C.CONSOLIDATED_FILE),
    )
    assert set(va) == set(vb)
    for sheet in va:
        if sheet != C.OUT_MANIFEST:  # the manifest lists rubric.xlsx among the files read
            assert va[sheet] == vb[sheet], sheet


def test_processor_rubric_writes_the_current_table(tmp_path, capsys):
    assert main(["rubric", "--output", str(tmp_path)]) == 0
    wb = openpyxl.load_workbook(tmp_path / C.RUBRIC_FILE)
    assert wb.sheetnames == [
        C.RUBRIC_SHEET,
        C.RUBRIC_CATEGORIES_SHEET,
        C.RUBRIC_GRADES_SHEET,
        C.RUBRIC_VETOES_SHEET,
        C.RUBRIC_PANEL_SHEET,
        C.RUBRIC_NOTES_SHEET,
    ]
    grades = [row for row in wb[C.RUBRIC_GRADES_SHEET].iter_rows(min_row=2, values_only=True)]
    assert [(g[0], g[1], g[2], g[7]) for g in grades] == [
        ("一等", 1, 2, 5),
        ("二等", 3, 6, 3),
        ("三等", 7, 11, 2),
    ]


def _edit_item(code, **changes):
    def edit(draft):
        row = next(r for r in draft.items if r[C.R_CODE] == code)
        row.update(changes)

    return edit


MISTAKES = [
    ("duplicate code", _edit_item("1.2", **{C.R_CODE: "1.1"}), C.RUBRIC_SHEET, "重复"),
    ("maximum off the grid", _edit_item("1.1", **{C.R_MAXIMUM: Decimal("3.05")}), C.RUBRIC_SHEET, "整数倍"),
    ("maximum not a number", _edit_item("1.1", **{C.R_MAXIMUM: "三分"}), C.RUBRIC_SHEET, "不是数字"),
    ("unknown kind", _edit_item("1.3", **{C.R_KIND: "打分"}), C.RUBRIC_SHEET, "计分方式"),
    (
        "ranking without points",
        _edit_item("3.1", **{C.R_FIRST: None, C.R_STEP: None, C.R_FLOOR: None}),
        C.RUBRIC_SHEET,
        "排名",
    ),
    (
        "points on a judged item",
        _edit_item("1.1", **{C.R_FIRST: 3, C.R_STEP: 1, C.R_FLOOR: 1}),
        C.RUBRIC_SHEET,
        "排名",
    ),
    ("unknown category", _edit_item("2.1", **{C.R_CATEGORY: "硬件"}), C.RUBRIC_SHEET, "类别"),
    (
        "a cap naming no grade",
        _edit_item("3.6", **{C.R_REQUIRED: 3, C.R_CAP: "优秀"}),
        C.RUBRIC_SHEET,
        "最高等级",
    ),
    ("a required score above the maximum", _edit_item("3.6", **{C.R_REQUIRED: 9}), C.RUBRIC_SHEET, "必达分"),
    (
        "totals that do not add up",
        lambda d: d.categories[0].update({C.R_MAXIMUM: 10}),
        C.RUBRIC_CATEGORIES_SHEET,
        "合计",
    ),
    (
        "a grade without conditions",
        lambda d: d.grades[1].update({C.G_FROM: None, C.G_TO: None}),
        C.RUBRIC_GRADES_SHEET,
        "条件",
    ),
    ("rank bands with a gap", lambda d: d.grades[1].update({C.G_FROM: 4}), C.RUBRIC_GRADES_SHEET, "名次"),
    (
        "a quota share above 100",
        lambda d: d.grades[0].update({C.G_QUOTA_SHARE: 120}),
        C.RUBRIC_GRADES_SHEET,
        "比例",
    ),
    (
        "thresholds rising",
        lambda d: [d.grades[0].update({C.G_MIN_TOTAL: 80}), d.grades[1].update({C.G_MIN_TOTAL: 90})],
        C.RUBRIC_GRADES_SHEET,
        "高于",
    ),
    ("no title", lambda d: d.head.update({C.R_TITLE: None}), C.RUBRIC_SHEET, "标题"),
]


@pytest.mark.parametrize(("edit", "sheet", "says"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_every_mistake_in_the_clerks_table_is_a_problem_at_its_cell(tmp_path, edit, sheet, says):
    path = write_rubric(tmp_path, edit=edit)
    rubric, problems = read(path)
    assert rubric is None and problems
    hits = [p for p in problems if says in p.message]
    assert hits, [p.message for p in problems]
    assert hits[0].sheet == sheet and hits[0].file == path.name
    if sheet != C.RUBRIC_GRADES_SHEET and "标题" not in says:
        assert hits[0].cell  # named to the cell


def test_all_mistakes_are_listed_at_once_and_no_sheet_is_judged(make_round, tmp_path):
    folder = make_round({"东山镇": {"1.1": 9}})  # a sheet error that must not be reported yet

    def many(draft):
        _edit_item("1.2", **{C.R_CODE: "1.1"})(draft)
        _edit_item("2.1", **{C.R_MAXIMUM: Decimal("2.05")})(draft)
        _edit_item("3.2", **{C.R_MAXIMUM: "两分"})(draft)
        _edit_item("1.3", **{C.R_KIND: "打分"})(draft)

    write_rubric(folder, edit=many)
    outcome = run(folder, tmp_path / "out")
    assert outcome.exit_code == 1 and not outcome.published
    found = codes(outcome.round.problems)
    assert set(found) == {"RUBRIC_INVALID"} and len(found) == 4, [p.message for p in outcome.round.problems]
    # 1.2's code (now a second 1.1), 2.1's and 3.2's maxima, 1.3's kind
    assert sorted(p.cell for p in outcome.round.problems) == ["B9", "F12", "F15", "G10"]
    assert (tmp_path / "out" / C.VALIDATION_REPORT_FILE).is_file()


def revised_2025(rubric):
    """The county's next table: 3.6 re-weighted (5 -> 6, taken from 3.15: 5 -> 4), 6.1 renamed,
    2.2 removed and 2.3 added in its place."""

    def edit(draft):
        draft.head.update(
            {C.R_TITLE: "2025年乡镇综合便民服务中心等级评定评分表", C.R_YEAR: 2025, C.R_VERSION: "2025.1"}
        )
        for row in draft.items:
            if row[C.R_CODE] == "3.6":
                row[C.R_MAXIMUM] = Decimal(6)
            if row[C.R_CODE] == "3.15":
                row[C.R_MAXIMUM] = Decimal(4)
            if row[C.R_CODE] == "6.1":
                row[C.R_NAME] = "政务服务创新"
            if row[C.R_CODE] == "2.2":
                row.update(
                    {C.R_CODE: "2.3", C.R_NAME: "自助终端", C.R_CRITERIA: "自助终端完好，每台故障扣1分。"}
                )

    return edit


def test_a_sheet_filled_on_another_table_is_refused_naming_both_versions(make_round, tmp_path):
    folder = make_round({"东山镇": {}, "西河镇": {}})  # filled on the 2022 template
    write_rubric(folder, edit=revised_2025(None))
    outcome = run(folder, tmp_path / "out")
    assert not outcome.published
    mismatches = [p for p in outcome.round.problems if p.code.name == "RUBRIC_MISMATCH"]
    assert len(mismatches) == 2 and all("2022.1" in p.message and "2025.1" in p.message for p in mismatches)


def test_the_template_and_issued_sheets_follow_the_rounds_table_and_grade_by_it(rubric, tmp_path):
    book = write_rubric(tmp_path / "rules", edit=revised_2025(rubric))
    assert main(["template", "--rubric", str(book), "--output", str(tmp_path / "t")]) == 0
    template = openpyxl.load_workbook(tmp_path / "t" / C.SCORE_SHEET_TEMPLATE)
    codes_on_sheet = [
        c.value for c in template[C.SCORE_SHEET]["C"] if isinstance(c.value, str) and "." in c.value
    ]
    assert "2.3" in codes_on_sheet and "2.2" not in codes_on_sheet
    revised, problems = read(book)
    assert problems == []
    folder = tmp_path / "round"
    for n, township in enumerate(("东山镇", "西河镇")):
        fill_sheet(folder / f"{n}.xlsx", revised, township=township, template=tmp_path / "t" / C.SCORE_SHEET_TEMPLATE,
                   scores={"3.6": Decimal("5.5")} if n else {}, remarks={"3.6": "一件未调用"} if n else {})  # fmt: skip
    shutil.copy(book, folder / C.RUBRIC_FILE)
    from helpers import write_case_counts, write_criticisms

    write_case_counts(folder, {"东山镇": 10, "西河镇": 9})
    write_criticisms(folder, [])
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert outcome.exit_code == 0, [p.message for p in outcome.round.problems]
    totals = {r.township: r.total for r in outcome.results.townships}
    assert totals == {"东山镇": Decimal(100), "西河镇": Decimal("99.3")}  # 3.6 out of 6; 3.1 3.8 for rank 2
    assert "2.3" in (tmp_path / "out" / C.RESULTS_DIR / "feedback" / "东山镇.html").read_text(
        encoding="utf-8"
    )


def test_the_seed_plan_read_from_word_is_the_packaged_table(rubric, tmp_path):
    draft, marks = read_plan(plan_docx.seed_plan(tmp_path / "方案.docx", rubric))
    assert [
        (i[C.R_CODE], i[C.R_CATEGORY], i[C.R_NAME], i[C.R_GROUP], i[C.R_CRITERIA], i[C.R_MAXIMUM])
        for i in draft.items
    ] == [
        (i.code, rubric.category(i.category).name, i.name, i.group, i.criteria, i.maximum)
        for i in rubric.items
    ]
    kinds = {i[C.R_CODE]: i[C.R_KIND] for i in draft.items if i[C.R_KIND] != "评分"}
    assert kinds == {"3.1": "按排名计算", "5.7": "加分", "6.1": "加分"}
    ranked = next(i for i in draft.items if i[C.R_CODE] == "3.1")
    assert (ranked[C.R_FIRST], ranked[C.R_STEP], ranked[C.R_FLOOR]) == (4, Decimal("0.2"), Decimal("0.2"))
    assert [(g[C.G_NAME], g[C.G_FROM], g[C.G_TO], g[C.G_BONUS]) for g in draft.grades] == [
        ("一等", 1, 2, 5),
        ("二等", 3, 6, 3),
        ("三等", 7, 11, 2),
    ]
    assert (
        any("3.1" in m for m in marks)
        and any("最小单位" in m for m in marks)
        and any("等级" in m for m in marks)
    )
    assert [c[C.R_MAXIMUM] for c in draft.categories] == [c.total for c in rubric.categories]


def test_the_reviewed_word_import_is_the_same_rubric_and_an_unreviewed_one_is_refused(
    rubric, tmp_path, capsys
):
    plan = plan_docx.seed_plan(tmp_path / "方案.docx", rubric)
    assert main(["rubric", "--from", str(plan), "--output", str(tmp_path)]) == 0
    assert "待核对" in capsys.readouterr().out
    unreviewed, problems = read(tmp_path / C.RUBRIC_FILE)
    assert unreviewed is None and {p.code.name for p in problems} == {"RUBRIC_UNCHECKED"}
    wb = openpyxl.load_workbook(tmp_path / C.RUBRIC_FILE)  # the clerk's review: clear the marks
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                titled = C.R_CHECK in (ws.cell(1, cell.column).value, ws.cell(7, cell.column).value)
                if titled and cell.row > 1 and cell.value != C.R_CHECK:
                    cell.value = None
    wb.save(tmp_path / C.RUBRIC_FILE)
    reviewed, problems = read(tmp_path / C.RUBRIC_FILE)
    assert problems == [] and reviewed.fingerprint == rubric.fingerprint


def test_another_countys_plan_marks_what_it_cannot_read(tmp_path):
    draft, marks = read_plan(plan_docx.other_county_plan(tmp_path / "办法.docx"))
    names = [i[C.R_NAME] for i in draft.items]
    assert names == ["标识标牌", "功能区域", "制度落实", "创新工作", "按时办结"]
    assert [c[C.R_CATEGORY] for c in draft.categories] == ["场所设施设备", "服务管理"]
    marked = {i[C.R_NAME]: i.get(C.R_CHECK, "") for i in draft.items}
    assert "分值" in marked["制度落实"] and "计分方式" in marked["创新工作"] and not marked["标识标牌"]
    assert "小计" in draft.categories[0][C.R_CHECK]
    assert [(g[C.G_NAME], g[C.G_MIN_TOTAL]) for g in draft.grades] == [
        ("优秀", 90),
        ("良好", 80),
        ("合格", 60),
    ]
    assert len(marks) >= 4


def test_the_export_returns_what_to_check(tmp_path, rubric):
    path, marks = export_rubric(tmp_path, rubric=rubric)
    assert path == tmp_path / C.RUBRIC_FILE and marks == []


def _grade(**values):
    return lambda draft: draft.grades[0].update(values)


# The 等级 sheet holds what settings.toml's [[grading.bands]] held before: the same mistakes,
# each refused at its cell.
GRADE_MISTAKES = {
    "fractional rank": _grade(**{C.G_TO: 2.5}),
    "only the first rank": _grade(**{C.G_TO: None}),
    "ranks reversed": _grade(**{C.G_FROM: 2, C.G_TO: 1}),
    "ranks in words": _grade(**{C.G_TO: "第二名"}),
    "bonus NaN": _grade(**{C.G_BONUS: "NaN"}),
    "bonus Infinity": _grade(**{C.G_BONUS: "Infinity"}),
    "bonus 1e400": _grade(**{C.G_BONUS: "1e400"}),
    "bonus negative": _grade(**{C.G_BONUS: -1}),
    "bonus too large": _grade(**{C.G_BONUS: 1000}),
    "bonus too fine": _grade(**{C.G_BONUS: Decimal("2.555")}),
    "bonus a boolean": _grade(**{C.G_BONUS: True}),
    "bonus in words": _grade(**{C.G_BONUS: "五分"}),
    "minimum total in words": _grade(**{C.G_MIN_TOTAL: "九十"}),
    "the same grade twice": lambda d: d.grades[1].update({C.G_NAME: "一等"}),
    "a grade named like no grade": _grade(**{C.G_NAME: C.NO_GRADE}),
    "a grade without a name": _grade(**{C.G_NAME: None, C.G_FROM: 1}),
}


@pytest.mark.parametrize("case", sorted(GRADE_MISTAKES))
def test_every_mistake_on_the_grades_sheet_is_refused_at_its_cell(tmp_path, case):
    rubric, problems = read(write_rubric(tmp_path, edit=GRADE_MISTAKES[case]))
    assert rubric is None and problems, case
    assert {p.sheet for p in problems} == {C.RUBRIC_GRADES_SHEET}, [(p.sheet, p.message) for p in problems]
    assert all(p.code.name == "RUBRIC_INVALID" for p in problems)


def test_a_negative_zero_bonus_is_zero(tmp_path):
    rubric, problems = read(write_rubric(tmp_path, edit=_grade(**{C.G_BONUS: "-0"})))
    assert problems == [] and str(rubric.grading.grades[0].bonus) == "0"
