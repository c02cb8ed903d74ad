"""Totals, ranks, grades, downgrades and bonus: table-driven, one rule at a time."""

from decimal import Decimal

import pytest

from processor.inputs.names import Matcher, text_key
from processor.inputs.round import collect
from processor.outputs.wording import downgrade_text
from processor.results.grading import grade


def results(folder, rubric):
    round_ = collect(folder, rubric)
    assert round_.ok, [p.message for p in round_.problems if p.is_error]
    return grade(round_), round_


def table(res):
    return {r.township: r for r in res.townships}


def test_item_3_1_ranks_every_unit_and_equal_counts_share_rank_and_points(make_round, rubric):
    counts = {"甲镇": 500, "乙镇": 500, "丙镇": 400, "城关派出所": 900}
    res, _ = results(make_round({"甲镇": {}, "乙镇": {}, "丙镇": {}}, counts=counts), rubric)
    cases = {r.unit: (r.rank, r.points) for r in res.cases}
    assert cases == {
        "城关派出所": (1, Decimal("4.0")),
        "甲镇": (2, Decimal("3.8")),
        "乙镇": (2, Decimal("3.8")),
        "丙镇": (4, Decimal("3.4")),
    }
    assert table(res)["甲镇"].score(rubric, rubric.item("3.1")) == Decimal("3.8")


def test_rank_20_and_later_all_get_the_floor(make_round, rubric):
    counts = {f"单位{n:02d}": 1000 - n for n in range(25)}
    counts["甲镇"] = 1
    res, _ = results(make_round({"甲镇": {}}, counts=counts), rubric)
    points = {case.unit: case.points for case in res.cases}
    assert points["单位00"] == Decimal("4.0")
    assert points["单位19"] == Decimal("0.2") and points["单位24"] == Decimal("0.2")
    assert points["甲镇"] == Decimal("0.2")


def test_totals_are_exact_decimals_whatever_the_order(make_round, rubric):
    # sums like 0.1 + 0.2: as floats, equal totals can differ in the last bit (99.39999999999999)
    a = {"1.1": 2.9, "1.2": 1.8, "1.3": 2.0, "1.4": 1.7}  # -0.1, -0.2, 0, -0.3 (loses 0.6)
    b = {"1.1": 2.4, "1.2": 2.0, "1.3": 2.0, "1.4": 2.0}  # loses 0.6 in one place
    remarks = {t: {k: "扣分" for k in ("1.1", "1.2", "1.4")} for t in ("甲镇", "乙镇")}
    folder = make_round({"甲镇": a, "乙镇": b}, counts={"甲镇": 10, "乙镇": 10}, remarks=remarks)
    res, _ = results(folder, rubric)
    rows = table(res)
    assert rows["甲镇"].total == rows["乙镇"].total == Decimal("99.4")
    assert rows["甲镇"].rank == rows["乙镇"].rank == 1


def _ranked(n, rubric, make_round, **kwargs):
    """n townships whose totals fall by 0.3 per place (乡01 first)."""
    names = [f"乡{i:02d}" for i in range(1, n + 1)]
    scores = {name: {"3.6": float(5 - Decimal("0.3") * i)} for i, name in enumerate(names)}
    remarks = {name: {"3.6": "扣分"} for name in names}
    counts = {name: 100 for name in names}  # equal counts: 3.1 adds the same to everyone
    folder = make_round(scores, counts=counts, remarks=remarks, **kwargs)
    return results(folder, rubric)


@pytest.mark.parametrize(
    ("rank", "grade_", "bonus"),
    [
        (1, "一等", 5),
        (2, "一等", 5),
        (3, "二等", 3),
        (6, "二等", 3),
        (7, "三等", 2),
        (11, "三等", 2),
        (12, "无等级", 0),
    ],
)
def test_grade_bands_and_bonus_by_rank(make_round, rubric, rank, grade_, bonus):
    res, _ = _ranked(12, rubric, make_round)
    row = res.townships[rank - 1]
    assert (row.rank, row.initial, row.final, row.bonus) == (rank, grade_, grade_, Decimal(bonus))


@pytest.mark.parametrize(
    ("place", "action", "initial", "final"),
    [
        (1, None, "一等", "二等"),
        (3, None, "二等", "三等"),
        (7, None, "三等", "无等级"),
        (12, None, "无等级", "无等级"),
        (1, "降低两个等级", "一等", "三等"),
        (1, "取消等级", "一等", "无等级"),
    ],
)
def test_downgrade_chain(make_round, rubric, place, action, initial, final):
    import datetime as dt

    criticism = [f"乡{place:02d}", dt.date(2022, 6, 1), "市行政服务中心", "大厅未正常办公", action]
    res, _ = _ranked(12, rubric, make_round, criticisms=[criticism])
    row = table(res)[f"乡{place:02d}"]
    assert (row.initial, row.final) == (initial, final)
    assert row.bonus == {"一等": 5, "二等": 3, "三等": 2, "无等级": 0}[final]
    assert "大厅未正常办公" in downgrade_text(row) and "市行政服务中心" in downgrade_text(row)


def test_several_plain_criticisms_lower_one_grade_together(make_round, rubric):
    import datetime as dt

    rows = [
        ["乡01", dt.date(2022, 3, 1), "媒体曝光", "a", None],
        ["乡01", dt.date(2022, 4, 1), "市效能办", "b", None],
    ]
    res, _ = _ranked(3, rubric, make_round, criticisms=rows)
    assert table(res)["乡01"].final == "二等"


def test_nobody_moves_up_into_a_freed_place(make_round, rubric):
    import datetime as dt

    res, _ = _ranked(3, rubric, make_round, criticisms=[["乡01", dt.date(2022, 3, 1), "媒体曝光", "a", None]])
    rows = table(res)
    assert [rows[t].final for t in ("乡01", "乡02", "乡03")] == ["二等", "一等", "二等"]


def test_equal_totals_share_the_better_rank_and_a_straddling_tie_is_flagged(make_round, rubric):
    scores = {"甲镇": {}, "乙镇": {"3.6": 4.5}, "丙镇": {"3.6": 4.5}, "丁镇": {"3.6": 4}}
    remarks = {t: {"3.6": "扣分"} for t in scores}
    folder = make_round(scores, counts={t: 100 for t in scores}, remarks=remarks)
    res, _ = results(folder, rubric)
    rows = table(res)
    assert [rows[t].rank for t in ("甲镇", "乙镇", "丙镇", "丁镇")] == [1, 2, 2, 4]
    assert rows["乙镇"].initial == rows["丙镇"].initial == "一等"
    (tie,) = res.ties
    assert (tie.rank, set(tie.townships), tie.upper, tie.lower) == (2, {"乙镇", "丙镇"}, "一等", "二等")
    assert rows["乙镇"].boundary_tie and not rows["甲镇"].boundary_tie


def test_a_tie_inside_a_band_is_not_flagged(make_round, rubric):
    scores = {"甲镇": {}, "乙镇": {}, "丙镇": {"3.6": 4}}
    folder = make_round(scores, counts={t: 100 for t in scores}, remarks={"丙镇": {"3.6": "x"}})
    res, _ = results(folder, rubric)
    assert res.ties == () and [r.rank for r in res.townships] == [1, 1, 3]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("东山镇", "东山镇", True),
        ("东山镇", " 东 山 镇 ", True),
        ("东山镇", "东山镇\u3000", True),
        ("ＡＢ镇", "AB镇", True),
        ("东山镇", "西山镇", False),
    ],
)
def test_what_counts_as_the_same_township(a, b, same):
    assert (text_key(a) == text_key(b)) is same


def test_loose_matches_are_unique_or_none():
    matcher = Matcher(["东山镇", "西河乡", "南岭镇", "南岭乡"])
    assert matcher.match("东山镇") == ("东山镇", False)
    assert matcher.match("东山") == ("东山镇", True)
    assert matcher.match("东山镇便民服务中心") == ("东山镇", True)
    assert matcher.match("南岭") == (None, False)  # two townships would fit: no guess
    assert matcher.match("东山派出所") == (None, False)


def test_a_written_action_adds_to_the_plain_criticism(make_round, rubric):
    import datetime as dt

    rows = [
        ["乡01", dt.date(2022, 3, 1), "媒体曝光", "a", None],
        ["乡01", dt.date(2022, 8, 20), "市效能办", "b", "降低一个等级"],
    ]
    res, _ = _ranked(3, rubric, make_round, criticisms=rows)
    row = table(res)["乡01"]
    assert (row.initial, row.final) == ("一等", "三等")
    assert "被媒体曝光（a）" in downgrade_text(row) and "被市效能办通报批评（b）" in downgrade_text(row)


def test_cancellation_wins_over_any_number_of_steps(make_round, rubric):
    import datetime as dt

    rows = [
        ["乡02", dt.date(2022, 3, 1), "媒体曝光", "a", None],
        ["乡02", dt.date(2022, 8, 20), "市效能办", "b", "取消等级"],
    ]
    res, _ = _ranked(3, rubric, make_round, criticisms=rows)
    assert table(res)["乡02"].final == "无等级" and table(res)["乡02"].bonus == 0


def test_a_fourth_grade_from_the_rounds_rubric_is_graded_and_charted(make_round, rubric, tmp_path):
    from helpers import write_rubric

    from processor.batch import run

    folder = make_round({f"乡{n:02d}": {"3.6": float(5 - Decimal("0.3") * n)} for n in range(14)},
                        remarks={f"乡{n:02d}": {"3.6": "x"} for n in range(14)})  # fmt: skip
    write_rubric(
        folder, grades=[("一等", 1, 2, "5"), ("二等", 3, 6, "3"), ("三等", 7, 11, "2"), ("四等", 12, 13, "1")]
    )
    outcome = run(folder, tmp_path / "out", pdf=False)
    assert outcome.exit_code == 0, [p.message for p in outcome.round.problems]
    finals = [r.final for r in outcome.results.townships]
    assert finals[11:] == ["四等", "四等", "无等级"]
    assert [r.bonus for r in outcome.results.townships][11:] == [1, 1, 0]
