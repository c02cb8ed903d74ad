"""Grading rules beyond this county's rank bands, each as the plan of another place would write
it: score thresholds (90分以上一等), a minimum share for every category, quotas by count or share,
required scores of items and categories, and a veto list. The county's own plan stays the
default (tests/test_scoring.py, tests/test_golden.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
from helpers import codes, write_rubric

from processor import constants as C
from processor.batch import run
from processor.forms.companions import build_vetoes
from processor.xlsx.save import save_reproducibly

# Items to take points from, with their maxima: enough to bring a sheet down to any total >= 60.
SPARE = (
    ("3.6", 5), ("3.11", 5), ("3.14", 5), ("3.15", 5), ("4.5", 5), ("3.3", 4), ("3.8", 4), ("4.2", 3),
    ("3.5", 3), ("4.4", 3), ("5.2", 3),
)  # fmt: skip


def losing(points) -> dict[str, float]:
    """Scores that lose exactly ``points`` (every case count is equal, so 3.1 gives 4 to all)."""
    left, scores = Decimal(str(points)), {}
    for code, top in SPARE:
        take = min(left, Decimal(top))
        if take:
            scores[code] = float(Decimal(top) - take)
            left -= take
    assert not left
    return scores


def round_of(make_round, totals: dict[str, object], extra=None):
    """Townships with the given totals (and ``extra`` scores on top, for category cases)."""
    scores = {
        t: {**losing(100 - Decimal(str(total))), **(extra or {}).get(t, {})} for t, total in totals.items()
    }
    remarks = {t: {code: "扣分" for code in s} for t, s in scores.items()}
    return make_round(scores, counts={t: 100 for t in totals}, remarks=remarks)


def grades_of(outcome) -> dict[str, str]:
    assert outcome.exit_code == 0, [p.message for p in outcome.round.problems]
    return {r.township: r.final for r in outcome.results.townships}


def rows(*grades):
    """Grade rows as the 等级 sheet holds them: (name, {column: value})."""
    return [{C.G_NAME: name, **values} for name, values in grades]


def with_grades(*grades, **extra):
    def edit(draft):
        draft.grades = rows(*grades)
        for key, value in extra.items():
            setattr(draft, key, value)

    return edit


THRESHOLDS = (
    ("一等", {C.G_MIN_TOTAL: 90, C.G_BONUS: 5}),
    ("二等", {C.G_MIN_TOTAL: 80, C.G_BONUS: 3}),
    ("三等", {C.G_MIN_TOTAL: 70, C.G_BONUS: 2}),
)


def test_a_county_that_grades_by_score_thresholds(make_round, tmp_path):
    """90分以上为一等，80分以上为二等，70分以上为三等；各加5、3、2分。"""
    folder = round_of(
        make_round, {"甲镇": 95, "乙镇": 90, "丙镇": "89.9", "丁镇": 80, "戊镇": 70, "己镇": "69.9"}
    )
    write_rubric(folder, edit=with_grades(*THRESHOLDS))
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert grades_of(outcome) == {
        "甲镇": "一等",
        "乙镇": "一等",
        "丙镇": "二等",
        "丁镇": "二等",
        "戊镇": "三等",
        "己镇": "无等级",
    }
    assert [r.bonus for r in outcome.results.townships] == [5, 5, 3, 3, 2, 0]
    notice = (tmp_path / "out" / C.RESULTS_DIR / C.NOTICE_FILE).read_text(encoding="utf-8")
    assert "总分90分及以上的评为一等" in notice and "总分70分及以上的评为三等" in notice
    assert "按总分排名确定等级" not in notice and "按排名第" not in notice


def test_thresholds_with_a_minimum_for_every_category(make_round, tmp_path):
    """一级：得分90分以上，且各类得分不低于该类分值的80%。"""
    extra = {"甲镇": {"6.1": 0}}  # 工作创新 0 of 3: the total is high, one category is not
    folder = round_of(make_round, {"甲镇": 95, "乙镇": 92}, extra)
    write_rubric(
        folder,
        edit=with_grades(("一等", {C.G_MIN_TOTAL: 90, C.G_MIN_SHARE: 80, C.G_BONUS: 5}), *THRESHOLDS[1:]),
    )
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert grades_of(outcome) == {"甲镇": "二等", "乙镇": "一等"}
    assert {r.township: r.total for r in outcome.results.townships}["甲镇"] == 92  # 95 - 3
    assert "各类得分率均不低于80%" in (tmp_path / "out" / C.RESULTS_DIR / C.NOTICE_FILE).read_text(
        encoding="utf-8"
    )


def test_quotas_by_count_and_by_share_go_to_the_best_ranked(make_round, tmp_path):
    """优秀1个；良好不超过参评数的50%；其余60分以上为合格。"""
    totals = {"甲镇": 99, "乙镇": 98, "丙镇": 97, "丁镇": 96, "戊镇": 95, "己镇": 59}
    folder = round_of(make_round, totals)
    grades = (("优秀", {C.G_QUOTA: 1}), ("良好", {C.G_QUOTA_SHARE: 50}), ("合格", {C.G_MIN_TOTAL: 60}))
    write_rubric(folder, edit=with_grades(*grades))
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert grades_of(outcome) == {
        "甲镇": "优秀",
        "乙镇": "良好",
        "丙镇": "良好",
        "丁镇": "良好",
        "戊镇": "合格",
        "己镇": "无等级",
    }
    assert outcome.results.ties == ()


def test_a_tie_on_the_last_place_of_a_quota_shares_it_and_is_flagged(make_round, tmp_path):
    folder = round_of(make_round, {"甲镇": 99, "乙镇": 97, "丙镇": 97, "丁镇": 90})
    write_rubric(folder, edit=with_grades(("一等", {C.G_QUOTA: 2}), ("二等", {C.G_MIN_TOTAL: 80})))
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert grades_of(outcome) == {"甲镇": "一等", "乙镇": "一等", "丙镇": "一等", "丁镇": "二等"}
    (tie,) = outcome.results.ties
    assert (tie.rank, set(tie.townships), tie.upper, tie.quota) == (2, {"乙镇", "丙镇"}, "一等", True)
    assert codes(outcome.notes) == ["TIE_AT_BOUNDARY"]
    assert "超出一等的名额" in (tmp_path / "out" / C.RESULTS_DIR / C.NOTICE_FILE).read_text(encoding="utf-8")


def _require(code, minimum, cap):
    def edit(draft):
        row = next(r for r in draft.items if r[C.R_CODE] == code)
        row.update({C.R_REQUIRED: minimum, C.R_CAP: cap})

    return edit


def test_an_item_below_its_required_score_caps_the_grade_and_nobody_moves_up(make_round, tmp_path):
    """3.6 电子证照应用比率须达3分，未达的最高评为三等（名次段照旧：第1-2名一等…）。"""
    folder = round_of(make_round, {"甲镇": 99, "乙镇": 98, "丙镇": 97})
    write_rubric(folder, edit=_require("3.6", 5, "三等"))  # 甲镇 lost its 1 point on 3.6
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert grades_of(outcome) == {"甲镇": "三等", "乙镇": "三等", "丙镇": "三等"}  # all lost on 3.6
    folder2 = make_round({"甲镇": {"3.6": 4}, "乙镇": {"3.11": 4}, "丙镇": {"3.11": 3}}, counts={t: 1 for t in ("甲镇", "乙镇", "丙镇")},
                         remarks={t: {"3.6": "x", "3.11": "x"} for t in ("甲镇", "乙镇", "丙镇")}, folder=tmp_path / "r2")  # fmt: skip
    write_rubric(folder2, edit=_require("3.6", 5, "三等"))
    outcome = run(folder2, tmp_path / "out2", pdf=False)
    result = {r.township: r for r in outcome.results.townships}
    assert (result["甲镇"].rank, result["甲镇"].final) == (1, "三等")
    assert (result["乙镇"].rank, result["乙镇"].final) == (1, "一等")  # tied first, not capped
    assert result["丙镇"].final == "二等"  # rank 3: no one moves up into 甲镇's place
    notice = (tmp_path / "out2" / C.RESULTS_DIR / C.NOTICE_FILE).read_text(encoding="utf-8")
    assert "未达必达分5.0分，最高评为三等" in notice


def test_a_category_below_its_required_subtotal_removes_the_grade(make_round, tmp_path):
    folder = round_of(make_round, {"甲镇": 80, "乙镇": 95})  # 甲镇 lost 20 points, mostly in 服务标准化

    def edit(draft):
        draft.categories[2].update({C.R_REQUIRED: 36, C.R_CAP: C.NO_GRADE})

    write_rubric(folder, edit=edit)
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert grades_of(outcome) == {"甲镇": C.NO_GRADE, "乙镇": "一等"}
    (capped,) = [r for r in outcome.results.townships if r.caps]
    assert capped.caps[0].what == "服务标准化" and capped.caps[0].cap == C.NO_GRADE


def test_a_capped_township_takes_no_place_of_a_quota(make_round, tmp_path):
    folder = make_round({"甲镇": {"3.6": 4}, "乙镇": {"3.11": 3}, "丙镇": {"3.11": 2}}, counts={t: 1 for t in ("甲镇", "乙镇", "丙镇")},
                        remarks={t: {"3.6": "x", "3.11": "x"} for t in ("甲镇", "乙镇", "丙镇")})  # fmt: skip

    def edit(draft):
        _require("3.6", 5, "二等")(draft)
        draft.grades = rows(("一等", {C.G_QUOTA: 1}), ("二等", {C.G_MIN_TOTAL: 60}))

    write_rubric(folder, edit=edit)
    assert grades_of(run(folder, tmp_path / "out", pdf=False)) == {
        "甲镇": "二等",
        "乙镇": "一等",
        "丙镇": "二等",
    }


def write_vetoes(folder, rubric_edit, records):
    """vetoes.xlsx from its template (the matters of the edited rubric), with ``records``."""
    from processor.inputs.rubric_book import read_rubric_book

    book = write_rubric(folder, edit=rubric_edit)
    rubric, problems = read_rubric_book(book.read_bytes(), book.name)
    assert not problems
    wb = build_vetoes(rubric)
    for record in records:
        wb[C.VETOES_SHEET].append(record)
    save_reproducibly(wb, folder / C.VETOES_FILE, dt.datetime(2022, 1, 1))


def listing_vetoes(draft):
    draft.vetoes = ["发生重大安全责任事故", "弄虚作假"]


def test_a_recorded_veto_removes_the_grade_and_says_why(make_round, tmp_path):
    folder = round_of(make_round, {"甲镇": 99, "乙镇": 98, "丙镇": 97})
    write_vetoes(folder, listing_vetoes, [["甲镇", "2022-06-01", "弄虚作假", "台账补记"]])
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert grades_of(outcome) == {"甲镇": C.NO_GRADE, "乙镇": "一等", "丙镇": "二等"}
    notice = (tmp_path / "out" / C.RESULTS_DIR / C.NOTICE_FILE).read_text(encoding="utf-8")
    assert "一票否决（弄虚作假：台账补记）" in notice
    summary = openpyxl.load_workbook(tmp_path / "out" / C.RESULTS_DIR / C.CONSOLIDATED_FILE)[C.OUT_SUMMARY]
    header = [c.value for c in summary[1]]
    assert "等级限制" in header


def test_veto_records_are_checked_like_the_other_tables(make_round, tmp_path):
    folder = round_of(make_round, {"甲镇": 99, "乙镇": 98})
    write_vetoes(
        folder,
        listing_vetoes,
        [["甲镇", "2022-06-01", "迟到", "x"], ["无名镇", "2022-06-01", "弄虚作假", "x"]],
    )
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert sorted(codes(outcome.round.problems)) == ["VETO_MATTER_INVALID", "VETO_UNKNOWN_TOWNSHIP"]
    (folder / C.VETOES_FILE).unlink()
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert codes(outcome.round.problems) == ["TABLE_MISSING"] and not outcome.published


def test_veto_records_without_veto_matters_in_the_rubric_are_refused(make_round, tmp_path):
    folder = round_of(make_round, {"甲镇": 99})
    write_vetoes(folder, listing_vetoes, [["甲镇", "2022-06-01", "弄虚作假", "x"]])
    write_rubric(folder)  # the rubric again, now without veto matters
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert codes(outcome.round.problems) == ["VETOES_WITHOUT_RULE"]


def test_a_table_without_a_ranked_item_needs_no_case_counts(make_round, tmp_path, rubric):
    """A county whose table has no item scored by case counts: 3.1 becomes an item judged on site."""

    def edit(draft):
        row = next(r for r in draft.items if r[C.R_CODE] == "3.1")
        row.update({C.R_KIND: "评分", C.R_FIRST: None, C.R_STEP: None, C.R_FLOOR: None})

    folder = make_round({"甲镇": {}, "乙镇": {}})
    write_rubric(folder, edit=edit)
    # the sheets were filled on the 2022 template: refill them on this table's own
    from processor.inputs.rubric_book import read_rubric_book
    from processor.testing import fill_sheet

    own, _ = read_rubric_book((folder / C.RUBRIC_FILE).read_bytes(), C.RUBRIC_FILE)
    for n, township in enumerate(("甲镇", "乙镇")):
        fill_sheet(
            folder / f"{n:03d}.xlsx",
            own,
            township=township,
            scores={"3.1": 3} if n else {},
            remarks={"3.1": "少"},
        )
    (folder / C.CASE_COUNTS_FILE).unlink()
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert grades_of(outcome) == {"甲镇": "一等", "乙镇": "一等"}
    assert [r.total for r in outcome.results.townships] == [100, 99]
