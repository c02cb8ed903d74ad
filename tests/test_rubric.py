from decimal import Decimal

import pytest

from processor.resources import rules_file
from processor.rules.rubric import DEFAULT_RUBRIC, RubricError, load_rubric


def test_the_2022_table_has_37_items_in_six_categories(rubric):
    assert len(rubric.items) == 37
    totals = {c.name: sum(i.maximum for i in rubric.items_of(c)) for c in rubric.categories}
    assert totals == {
        "场所规范建设": 9,
        "硬件设施": 4,
        "服务标准化": 45,
        "服务规范化": 17,
        "日常管理": 22,
        "工作创新": 3,
    }
    assert sum(i.maximum for i in rubric.items) == Decimal(100)


def test_codes_are_unique_and_ordered_like_the_table(rubric):
    codes = [i.code for i in rubric.items]
    assert len(set(codes)) == 37
    assert codes[0] == "1.1" and codes[-1] == "6.1"
    assert [c for c in codes if c.startswith("3.")] == [f"3.{n}" for n in range(1, 16)]


def test_kinds_follow_the_seed(rubric):
    assert [i.code for i in rubric.items if i.kind == "computed"] == ["3.1"]
    assert [i.code for i in rubric.items if i.kind == "award"] == ["5.7", "6.1"]


def test_item_5_4_takes_the_score_column_not_its_sentence(rubric):
    item = rubric.item("5.4")
    assert item.maximum == 3
    assert "评价率100%得2分" in item.criteria


def test_scrape_errors_are_corrected(rubric):
    text = "".join(i.criteria + i.name for i in rubric.items)
    for wrong in ("1.ED", "100轧", "扣05分", "徐合", "扪2分", "1O0%"):
        assert wrong not in text
    assert "LED显示屏" in rubric.item("2.1").criteria


@pytest.mark.parametrize(
    ("rank", "points"),
    [(1, "4.0"), (2, "3.8"), (3, "3.6"), (10, "2.2"), (19, "0.4"), (20, "0.2"), (21, "0.2"), (40, "0.2")],
)
def test_item_3_1_points_by_rank(rubric, rank, points):
    assert rubric.item("3.1").ranking.points(rank) == Decimal(points)


def test_fingerprint_is_stable_and_ignores_criteria_wording(rubric, tmp_path):
    assert load_rubric().fingerprint == rubric.fingerprint
    text = rules_file(DEFAULT_RUBRIC).read_text(encoding="utf-8").replace("提供老花镜", "提供老花眼镜")
    (tmp_path / "r.toml").write_text(text, encoding="utf-8")
    assert load_rubric(tmp_path / "r.toml").fingerprint == rubric.fingerprint


def _broken(tmp_path, old, new):
    text = rules_file(DEFAULT_RUBRIC).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ('code = "1.2"', 'code = "1.1"', "重复"),
        ('maximum = "3"', 'maximum = "4"', "合计"),
        ('maximum = "3"', 'maximum = "3.05"', "整数倍"),
        ('kind = "judged"', 'kind = "guess"', "计分方式"),
        ('maximum = "3"', "maximum = 3.0", "字符串"),
    ],
)
def test_a_broken_rubric_is_refused_with_a_clear_message(tmp_path, old, new, says):
    with pytest.raises(RubricError) as info:
        load_rubric(_broken(tmp_path, old, new))
    assert "评分标准文件" in str(info.value)
    assert says in str(info.value) or "格式有误" in str(info.value)


def test_a_changed_maximum_changes_the_fingerprint(tmp_path, rubric):
    # 1.1 3 -> 2 and 1.2 2 -> 3 keeps every total but is a different rubric
    text = rules_file(DEFAULT_RUBRIC).read_text(encoding="utf-8")
    text = text.replace('code = "1.1"', 'code = "1.1"', 1)
    first = text.index('code = "1.1"')
    second = text.index('code = "1.2"')
    head, one, two = text[:first], text[first:second], text[second:]
    one = one.replace('maximum = "3"', 'maximum = "2"', 1)
    two = two.replace('maximum = "2"', 'maximum = "3"', 1)
    (tmp_path / "r.toml").write_text(head + one + two, encoding="utf-8")
    assert load_rubric(tmp_path / "r.toml").fingerprint != rubric.fingerprint
