"""A panel of evaluators per township, and the township's self-assessment beside them: several
sheets, each signed, combined by the round's rule in exact decimals, disagreements shown, the
self-assessment's gap shown, and every sheet that breaks the rule an error naming the files."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest
from helpers import codes, write_case_counts, write_criticisms, write_rubric

from processor import constants as C
from processor.batch import run
from processor.cli import main
from processor.inputs.sheet import read_score_sheet
from processor.testing import fill_sheet


def panel_rule(rule, **settings):
    labels = {
        "trim_above": C.P_TRIM,
        "min_evaluators": C.P_MIN,
        "rounding": C.P_ROUNDING,
        "margin": C.P_MARGIN,
        "margin_share": C.P_MARGIN_SHARE,
    }

    def edit(draft):
        draft.panel[C.P_RULE] = rule
        for key, value in settings.items():
            draft.panel[labels[key]] = value

    return edit


@pytest.fixture
def panel_round(tmp_path, rubric):
    """panel_round({"东山镇": [("李明", {"1.1": 2.5}), ("王芳", {...})]}, rule=..., self_scores=...)"""

    def make(townships, rule_edit, self_scores=None, folder=None):
        folder = folder or tmp_path / "round"
        n = 0
        for township, sheets in townships.items():
            for evaluator, scores in sheets:
                remarks = {code: f"{evaluator}：扣分" for code in scores}
                fill_sheet(
                    folder / f"{n:03d}.xlsx",
                    rubric,
                    township=township,
                    inspectors=evaluator,
                    scores=scores,
                    remarks=remarks,
                )
                n += 1
        for township, scores in (self_scores or {}).items():
            fill_sheet(folder / f"{township}自评表.xlsx", rubric, township=township, inspectors="乡镇自评",
                       scores=scores, remarks={c: "自评" for c in scores}, self_assessment=True)  # fmt: skip
        write_case_counts(folder, {t: 100 for t in townships})
        write_criticisms(folder, [])
        write_rubric(folder, edit=rule_edit)
        return folder

    return make


def scores_of(outcome, township):
    result = next(r for r in outcome.results.townships if r.township == township)
    return result


MEANS = [
    ("half_up", "2.5"),  # (2.4 + 2.5) / 2 = 2.45
    ("half_even", "2.4"),
    ("down", "2.4"),
]


@pytest.mark.parametrize(("rounding", "expected"), MEANS)
def test_the_mean_of_the_evaluators_rounded_as_the_round_says(
    panel_round, tmp_path, rubric, rounding, expected
):
    names = {"half_up": "四舍五入", "half_even": "四舍六入五成双", "down": "直接舍去"}
    folder = panel_round(
        {"东山镇": [("李明", {"1.1": 2.4, "3.6": 4.5}), ("王芳", {"1.1": 2.5, "3.6": 4})]},
        panel_rule("平均分", rounding=names[rounding]),
    )
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert outcome.exit_code == 0, [p.message for p in outcome.round.problems]
    result = scores_of(outcome, "东山镇")
    assert result.score(rubric, rubric.item("1.1")) == Decimal(expected)
    assert result.score(rubric, rubric.item("3.6")) == Decimal("4.3" if rounding == "half_up" else "4.2")
    # the total is the sum of the rounded items: a leader can add it up by hand
    assert result.total == sum(result.scores, Decimal(0))


def test_a_trimmed_mean_drops_the_highest_and_the_lowest_above_the_threshold(panel_round, tmp_path, rubric):
    six = [(f"评委{n}", {"3.6": score}) for n, score in enumerate((5, 4, 4, 4, 3, 1))]
    folder = panel_round(
        {"东山镇": six, "西河镇": six[:5]}, panel_rule("去掉最高最低分后平均", trim_above=5, margin=5)
    )
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert outcome.exit_code == 0, [p.message for p in outcome.round.problems]
    six_result, five_result = scores_of(outcome, "东山镇"), scores_of(outcome, "西河镇")
    assert six_result.score(rubric, rubric.item("3.6")) == Decimal("3.8")  # (4+4+4+3)/4 = 3.75 -> 3.8
    assert five_result.score(rubric, rubric.item("3.6")) == Decimal("4.0")  # (5+4+4+4+3)/5, nothing dropped
    (item,) = [i for i in six_result.panel.items if i.code == "3.6"]
    assert set(item.dropped) == {0, 5}
    sheet = openpyxl.load_workbook(tmp_path / "out" / C.RESULTS_DIR / C.CONSOLIDATED_FILE)[C.OUT_PANEL]
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "东山镇" and r[1] == "3.6"]
    assert (
        rows and rows[0][4:10] == (5, 4, 4, 4, 3, 1) and rows[0][10] == 3.8 and rows[0][11] == "评委0、评委5"
    )


def test_categories_split_between_evaluators(panel_round, tmp_path, rubric):
    blank = lambda cats: {i.code: None for i in rubric.items if i.entered and i.category in cats}  # noqa: E731
    sheets = [
        ("李明", {**blank({3, 4, 5, 6}), "1.1": 2}),
        ("王芳", {**blank({1, 2, 5, 6})}),
        ("张伟", {**blank({1, 2, 3, 4})}),
    ]
    folder = panel_round({"东山镇": sheets}, panel_rule("分类评定"))
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert outcome.exit_code == 0, [p.message for p in outcome.round.problems]
    assert scores_of(outcome, "东山镇").total == Decimal(99)


def test_categories_scored_twice_or_not_at_all_are_errors(panel_round, tmp_path, rubric):
    blank = lambda cats: {i.code: None for i in rubric.items if i.entered and i.category in cats}  # noqa: E731
    sheets = [("李明", blank({3, 4, 5, 6})), ("王芳", blank({5, 6}))]  # 1, 2 twice; 5, 6 by nobody
    folder = panel_round({"东山镇": sheets}, panel_rule("分类评定"))
    outcome = run(folder, tmp_path / "out", pdf=False)
    found = codes(outcome.round.problems)
    assert found.count("PANEL_CATEGORY_TWICE") == 4 and found.count("PANEL_CATEGORY_UNSCORED") == 2
    assert "SCORE_BLANK" not in found and not outcome.published
    partly = [("李明", {**blank({3, 4, 5, 6}), "1.2": None}), ("王芳", blank({1, 2}))]
    outcome = run(
        panel_round({"西河镇": partly}, panel_rule("分类评定"), folder=tmp_path / "r2"),
        tmp_path / "o2",
        pdf=False,
    )
    assert codes(outcome.round.problems) == ["SCORE_BLANK"]  # 李明 took 场所规范建设 but left 1.2 blank


@pytest.mark.parametrize(
    ("townships", "self_scores", "code"),
    [
        ({"东山镇": [("李明", {})]}, None, "PANEL_TOO_FEW"),
        ({"东山镇": [("李明", {}), ("李明、张伟", {})]}, None, "PANEL_SAME_EVALUATOR"),
        ({"东山镇": [("李明", {}), ("", {})]}, None, "PANEL_EVALUATOR_MISSING"),
        ({"东山镇": [("李明", {}), ("王芳", {})]}, {"西河镇": {}}, "SELF_WITHOUT_PANEL"),
    ],
)
def test_a_panel_that_breaks_the_rule_is_an_error_naming_the_files(
    panel_round, tmp_path, townships, self_scores, code
):
    folder = panel_round(townships, panel_rule("平均分"), self_scores)
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert code in codes(outcome.round.problems) and not outcome.published
    hit = next(p for p in outcome.round.problems if p.code.name == code)
    assert hit.file.endswith(".xlsx") and hit.value


def test_two_self_assessments_of_a_township_are_an_error(panel_round, tmp_path, rubric):
    folder = panel_round({"东山镇": [("李明", {})]}, panel_rule("单人评定"), {"东山镇": {}})
    fill_sheet(folder / "又一份自评.xlsx", rubric, township="东山镇", self_assessment=True)
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert codes(outcome.round.problems).count("SELF_DUPLICATE") == 2


def test_evaluators_who_differ_are_listed_but_do_not_block(panel_round, tmp_path):
    folder = panel_round(
        {"东山镇": [("李明", {"3.6": 5}), ("王芳", {"3.6": 3})]}, panel_rule("平均分", margin=1)
    )
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert outcome.exit_code == 0 and outcome.published
    (note,) = [n for n in outcome.notes if n.code.name == "PANEL_DISAGREEMENT"]
    assert note.item == "3.6" and "李明 5.0" in note.message and "王芳 3.0（王芳：扣分）" in note.message
    report = openpyxl.load_workbook(tmp_path / "out" / C.VALIDATION_REPORT_FILE)["问题清单"]
    assert "PANEL_DISAGREEMENT" in [r[-1] for r in report.iter_rows(min_row=2, values_only=True)]
    differences = openpyxl.load_workbook(tmp_path / "out" / C.RESULTS_DIR / C.CONSOLIDATED_FILE)[
        C.OUT_DISAGREEMENTS
    ]
    assert [r[:2] for r in differences.iter_rows(min_row=2, values_only=True)] == [("东山镇", "3.6")]


def test_a_margin_as_a_share_of_the_maximum(panel_round, tmp_path):
    rule = panel_rule("平均分", margin=None, margin_share=30)  # 30% of 5 = 1.5
    folder = panel_round({"东山镇": [("李明", {"3.6": 5, "1.1": 3}), ("王芳", {"3.6": 3.6, "1.1": 2})]}, rule)
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert [n.item for n in outcome.notes if n.code.name == "PANEL_DISAGREEMENT"] == ["1.1"]  # 1 of 3 > 30%


def test_the_self_assessment_is_shown_beside_the_result_and_never_graded(panel_round, tmp_path, rubric):
    folder = panel_round(
        {"东山镇": [("李明", {"3.6": 4}), ("王芳", {"3.6": 4})]},
        panel_rule("平均分"),
        self_scores={"东山镇": {}},
    )
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert outcome.exit_code == 0, [p.message for p in outcome.round.problems]
    result = scores_of(outcome, "东山镇")
    assert result.total == Decimal(99)  # the self-assessment's full marks do not count
    standardisation = [c.name for c in rubric.categories].index("服务标准化")
    assert result.panel.self_subtotals[standardisation] - result.subtotals[standardisation] == 1
    page = (tmp_path / "out" / C.RESULTS_DIR / "feedback" / "东山镇.html").read_text(encoding="utf-8")
    assert "<th>自评</th>" in page
    gaps = openpyxl.load_workbook(tmp_path / "out" / C.RESULTS_DIR / C.CONSOLIDATED_FILE)[C.OUT_SELF]
    row = next(gaps.iter_rows(min_row=2, values_only=True))
    assert row[0] == "东山镇" and row[-1] == 1
    notice = (tmp_path / "out" / C.RESULTS_DIR / C.NOTICE_FILE).read_text(encoding="utf-8")
    assert "各项得分取评定人员评分的平均值（四舍五入到0.1分）" in notice


def test_the_self_assessment_sheet_is_marked_on_the_sheet_and_in_its_metadata(tmp_path, rubric):
    assert main(["template", "--self", "--output", str(tmp_path)]) == 0
    sheet = openpyxl.load_workbook(tmp_path / C.SELF_TEMPLATE)
    assert "自评表" in sheet[C.SCORE_SHEET]["A1"].value
    assert C.LABEL_SELF in [c.value for row in sheet[C.SCORE_SHEET].iter_rows(max_row=4) for c in row]
    path = fill_sheet(tmp_path / "自评.xlsx", rubric, township="东山镇", self_assessment=True)
    read, problems = read_score_sheet(path.read_bytes(), path.name, rubric)
    assert read.kind == C.KIND_SELF and problems == []
    evaluator = fill_sheet(tmp_path / "评定.xlsx", rubric, township="东山镇")
    assert read_score_sheet(evaluator.read_bytes(), evaluator.name, rubric)[0].kind == C.KIND_PANEL


def test_the_single_rule_keeps_one_sheet_per_township_and_allows_a_self_assessment(panel_round, tmp_path):
    folder = panel_round({"东山镇": [("李明", {}), ("王芳", {})]}, panel_rule("单人评定"))
    assert codes(run(folder, tmp_path / "out", pdf=False).round.problems) == ["TOWNSHIP_DUPLICATE"] * 2
    folder = panel_round(
        {"西河镇": [("李明", {})]}, panel_rule("单人评定"), {"西河镇": {}}, folder=tmp_path / "r2"
    )
    outcome = run(folder, tmp_path / "o2", pdf=False)
    assert outcome.exit_code == 0 and scores_of(outcome, "西河镇").panel.self_sheet is not None
