"""This round against the last (previous.xlsx): each township's total, grade and categories, and
item by item only where the item's code, name and maximum are unchanged between the two tables;
a changed item is listed as not comparable with the reason, never compared. A category compares
when its name and maximum are unchanged."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..inputs.names import Matcher, text_key
from ..inputs.previous import PastTownship, Previous
from ..results.records import Results, TownshipResult
from ..rules.rubric import Rubric
from .wording import score_text


@dataclass(frozen=True)
class Row:
    """One compared figure: its name, last round's and this round's value."""

    name: str
    then: Decimal
    now: Decimal

    @property
    def change(self) -> Decimal:
        return self.now - self.then


@dataclass(frozen=True)
class TownshipComparison:
    township: str
    past: PastTownship | None  # None: not graded last round
    total: Row | None
    categories: tuple[Row, ...]
    items: tuple[Row, ...]  # comparable items whose score changed


@dataclass(frozen=True)
class Comparison:
    year: str  # last round's year, "" when its workbook does not say
    label: str  # 2019年 / 上一轮
    comparable_items: tuple[str, ...]  # codes
    not_comparable: tuple[tuple[str, str], ...]  # (code or category, why)
    townships: dict[str, TownshipComparison]


def _label(previous: Previous) -> str:
    return f"{previous.year}年" if previous.year else "上一轮"


def compare(rubric: Rubric, results: Results, previous: Previous) -> Comparison:
    comparable, not_comparable = [], []
    if not previous.items:
        not_comparable.append(
            ("逐项得分", "上轮汇总表没有“评分项目”工作表（由较早版本生成），只比较总分、等级和类别")
        )
    else:
        current = {item.code for item in rubric.items}
        for item in rubric.items:
            before = previous.items.get(item.code)
            if before is None:
                not_comparable.append((item.code, "上轮没有该项目"))
            elif text_key(before[0]) != text_key(item.name):
                not_comparable.append((item.code, f"项目名称由“{before[0]}”改为“{item.name}”"))
            elif before[1] != item.maximum:
                not_comparable.append(
                    (item.code, f"分值由{score_text(before[1])}分改为{score_text(item.maximum)}分")
                )
            else:
                comparable.append(item.code)
        for code, (name, _) in previous.items.items():
            if code not in current:
                not_comparable.append((code, f"本轮已删除（上轮为“{name}”）"))
    categories = []
    for category in rubric.categories:
        before = previous.categories.get(category.name)
        if before is None:
            not_comparable.append((category.name, "上轮没有该类别"))
        elif before != category.total:
            not_comparable.append(
                (category.name, f"类别分值由{score_text(before)}分改为{score_text(category.total)}分")
            )
        else:
            categories.append(category)
    past = {t.township: t for t in previous.townships}
    matcher = Matcher(past)
    townships = {}
    for result in results.townships:
        name = matcher.match(result.township)[0]
        townships[result.township] = _township(
            rubric, result, past.get(name) if name else None, categories, comparable
        )
    return Comparison(previous.year, _label(previous), tuple(comparable), tuple(not_comparable), townships)


def _township(
    rubric, result: TownshipResult, past: PastTownship | None, categories, comparable
) -> TownshipComparison:
    if past is None:
        return TownshipComparison(result.township, None, None, (), ())
    rows = []
    for category in categories:
        then = past.subtotals.get(category.name)
        if then is not None:
            rows.append(Row(category.name, then, result.subtotal(rubric, category)))
    items = []
    for code in comparable:
        then = past.scores.get(code)
        item = rubric.item(code)
        now = result.score(rubric, item)
        if then is not None and then != now:
            items.append(Row(f"{code} {item.label}", then, now))
    return TownshipComparison(
        result.township, past, Row("总分", past.total, result.total), tuple(rows), tuple(items)
    )
