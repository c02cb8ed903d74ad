"""The rubric: the one home of items, maxima, rates and how the round grades (``grading``).

The packaged 2022 table is ``processor/rules/data/rubric-2022.toml``; a round folder may bring
its own as a workbook (``inputs.rubric_book``). Loading checks the rubric itself, so a broken
rubric stops the round before any sheet is read; ``check_rubric`` gives every fault with where
it is, for the reader of the file to name the cell or key.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from importlib.resources.abc import Traversable
from pathlib import Path

from ..constants import NO_GRADE
from ..resources import rules_file
from .grading import Grade, Grading, Requirement, check_grading
from .panel import PanelRule, check_panel

DEFAULT_RUBRIC = "rubric-2022.toml"  # packaged, in processor/rules/data

KINDS = ("judged", "computed", "award")


class RubricError(Exception):
    """The rubric file itself is broken: a program error, not a data problem."""


@dataclass(frozen=True)
class Ranking:
    """How a computed item turns a rank into points (item 3.1)."""

    first: Decimal
    step: Decimal
    floor: Decimal

    def points(self, rank: int) -> Decimal:
        return max(self.first - self.step * (rank - 1), self.floor)


@dataclass(frozen=True)
class Category:
    number: int
    numeral: str
    name: str
    total: Decimal
    required: Requirement | None = None  # a subtotal it must reach (必达分)


@dataclass(frozen=True)
class Item:
    code: str
    category: int
    name: str
    maximum: Decimal
    kind: str
    criteria: str
    group: str = ""
    ranking: Ranking | None = None
    required: Requirement | None = None  # a score it must reach (必达分)

    @property
    def entered(self) -> bool:
        """Scored by the inspector on the sheet (judged items and awards)."""
        return self.kind != "computed"

    @property
    def label(self) -> str:
        return f"{self.group}—{self.name}" if self.group else self.name


@dataclass(frozen=True)
class Rubric:
    title: str
    version: str
    year: int
    resolution: Decimal
    total: Decimal
    categories: tuple[Category, ...]
    items: tuple[Item, ...]
    fingerprint: str
    grading: Grading
    aliases: tuple[str, ...] = ()  # other fingerprints of the same table (legacy_fingerprint)
    panel: PanelRule = field(default_factory=PanelRule)  # how several evaluators' sheets combine

    def item(self, code: str) -> Item:
        return self._by_code[code]

    @cached_property
    def _by_code(self) -> dict[str, Item]:
        return {item.code: item for item in self.items}

    def index_of(self, item: Item) -> int:
        """The item's place in ``items`` (and in every per-item tuple of the results)."""
        return self._index[item.code]

    @cached_property
    def _index(self) -> dict[str, int]:
        return {item.code: n for n, item in enumerate(self.items)}

    def category(self, number: int) -> Category:
        return next(c for c in self.categories if c.number == number)

    def items_of(self, category: Category) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.category == category.number)

    @property
    def computed_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.kind == "computed")

    @property
    def short_fingerprint(self) -> str:
        return self.fingerprint[:12]


def load_rubric(path: Path | Traversable | None = None) -> Rubric:
    """The packaged rubric, or the one at ``path``."""
    path = rules_file(DEFAULT_RUBRIC) if path is None else path
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RubricError(f"评分标准文件 {path} 无法读取：{exc}") from exc
    try:
        rubric = _build(data)
    except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise RubricError(f"评分标准文件 {path} 格式有误：{exc!r}") from exc
    faults = check_rubric(rubric)
    if faults:
        raise RubricError(f"评分标准文件 {path} 有误：\n- " + "\n- ".join(text for _, text in faults))
    return rubric


def _decimal(text) -> Decimal:
    if isinstance(text, float):
        raise ValueError(f'{text!r}：分数应写成带引号的字符串（如 "0.5"），以保持精确')
    return Decimal(str(text))


def _required(raw: dict | None) -> Requirement | None:
    if raw is None:
        return None
    return Requirement(_decimal(raw["minimum"]), str(raw.get("cap", NO_GRADE)))


def _grading(raw: dict) -> Grading:
    grades = []
    for entry in raw.get("grades", []):
        ranks = entry.get("ranks")
        grades.append(
            Grade(
                name=str(entry["name"]).strip(),
                bonus=_decimal(entry.get("bonus", "0")),
                ranks=(int(ranks[0]), int(ranks[1])) if ranks is not None else None,
                min_total=_decimal(entry["min_total"]) if "min_total" in entry else None,
                min_share=_decimal(entry["min_share"]) if "min_share" in entry else None,
                quota=int(entry["quota"]) if "quota" in entry else None,
                quota_share=_decimal(entry["quota_share"]) if "quota_share" in entry else None,
            )
        )
    return Grading(tuple(grades), tuple(str(v).strip() for v in raw.get("vetoes", [])))


def _panel(raw: dict) -> PanelRule:
    def decimal_or_none(key: str, default):
        return _decimal(raw[key]) if key in raw else default

    return PanelRule(
        rule=str(raw.get("rule", "single")),
        trim_above=int(raw.get("trim_above", 5)),
        min_evaluators=int(raw["min_evaluators"]) if "min_evaluators" in raw else None,
        rounding=str(raw.get("rounding", "half_up")),
        margin=decimal_or_none("margin", Decimal(1)),
        margin_share=decimal_or_none("margin_share", None),
    )


def _build(data: dict) -> Rubric:
    head = data["rubric"]
    categories = tuple(
        Category(
            int(c["number"]), c["numeral"], c["name"], _decimal(c["total"]), _required(c.get("required"))
        )
        for c in data["categories"]
    )
    items = []
    for raw in data["items"]:
        ranking = raw.get("ranking")
        items.append(
            Item(
                code=str(raw["code"]),
                category=int(raw["category"]),
                name=raw["name"],
                maximum=_decimal(raw["maximum"]),
                kind=raw["kind"],
                criteria=raw.get("criteria", ""),
                group=raw.get("group", ""),
                ranking=Ranking(*(_decimal(ranking[k]) for k in ("first", "step", "floor")))
                if ranking
                else None,
                required=_required(raw.get("required")),
            )
        )
    items = tuple(items)
    return Rubric(
        title=head["title"],
        version=str(head["version"]),
        year=int(head["year"]),
        resolution=_decimal(head["resolution"]),
        total=_decimal(head["total"]),
        categories=categories,
        items=items,
        fingerprint=fingerprint(categories, items),
        grading=_grading(data.get("grading", {})),
        aliases=aliases_of(categories, items),
        panel=_panel(data.get("panel", {})),
    )


def aliases_of(categories, items) -> tuple[str, ...]:
    legacy = legacy_fingerprint(categories, items)
    return () if legacy == fingerprint(categories, items) else (legacy,)


def fingerprint(categories, items, text=None) -> str:
    """A hash of what scoring depends on: categories, codes, names, maxima, kinds and rates.

    The criteria wording is left out on purpose: correcting a typo in a criterion does not make
    the sheets already filled on that template wrong. Numbers are hashed as 3, never 3.0, so a
    table saved again by Excel keeps its fingerprint (``text`` is for the legacy form only).
    """
    text = text or _canonical
    content = {
        "categories": [[c.number, c.name, text(c.total)] for c in categories],
        "items": [
            [
                i.code,
                i.category,
                i.name,
                text(i.maximum),
                i.kind,
                [text(i.ranking.first), text(i.ranking.step), text(i.ranking.floor)] if i.ranking else None,
            ]
            for i in items
        ],
    }
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def legacy_fingerprint(categories, items) -> str:
    """The fingerprint as versions before 0.2 computed it (numbers as the TOML wrote them, so
    3.1's "4.0" as 4.0): sheets issued by them carry it, and are still recognised."""
    return fingerprint(categories, items, text=str)


def _canonical(value: Decimal) -> str:
    """3, 3.0 and 3.00 are one maximum: the same text in the fingerprint, whichever file wrote it."""
    return "0" if value.is_zero() else format(value.normalize(), "f")


# (where, what): where is "rubric:total", "category:2", "item#0:maximum" (the item's place in
# ``items`` and the field), "grade:1", "vetoes"; the reader of the file makes it a cell or key
Fault = tuple[str, str]


def check_rubric(rubric: Rubric) -> list[Fault]:
    """Every fault of the rubric, in Chinese, for the person who edits its file, with where it is."""
    faults: list[Fault] = []
    res = rubric.resolution
    if res <= 0:
        return [("rubric:resolution", f"最小单位应大于0，现为{res}")]

    def on_grid(value: Decimal) -> bool:
        return value % res == 0

    numbers = [c.number for c in rubric.categories]
    for category in rubric.categories:
        if numbers.count(category.number) > 1:
            faults.append((f"category:{category.number}", f"类别序号{category.number}重复"))
    seen: set[str] = set()
    for n, item in enumerate(rubric.items):
        at = f"item#{n}"  # + ":field" names the cell of the item's row a fault is about
        if item.code in seen:
            faults.append((f"{at}:code", f"项目编号{item.code}重复"))
        seen.add(item.code)
        if item.category not in numbers:
            faults.append((f"{at}:category", f"项目{item.code}的类别{item.category}不存在"))
        elif not item.code.startswith(f"{item.category}."):
            faults.append(
                (
                    f"{at}:code",
                    f"项目编号{item.code}与所属类别{item.category}不符（应以“{item.category}.”开头）",
                )
            )
        if item.kind not in KINDS:
            faults.append((f"{at}:kind", f"项目{item.code}的计分方式“{item.kind}”无法识别"))
        if item.maximum <= 0 or not on_grid(item.maximum):
            faults.append((f"{at}:maximum", f"项目{item.code}的分值{item.maximum}应为{res}的正整数倍"))
        if (item.kind == "computed") != (item.ranking is not None):
            faults.append(
                (
                    f"{at}:ranking",
                    f"项目{item.code}：按排名计算的项目必须写明排名得分（第一名、每名递减、保底），其他项目不写",
                )
            )
        if item.ranking:
            r = item.ranking
            if not (on_grid(r.first) and on_grid(r.step) and on_grid(r.floor)):
                faults.append((f"{at}:ranking", f"项目{item.code}的排名得分应为{res}的整数倍"))
            if not (0 < r.floor <= r.first <= item.maximum) or r.step <= 0:
                faults.append(
                    (
                        f"{at}:ranking",
                        f"项目{item.code}的排名得分应满足 0 < 保底 ≤ 第一名 ≤ 分值，每名递减 > 0",
                    )
                )
        if item.required is not None:
            faults += _requirement(f"{at}:required", f"项目{item.code}", item.required, item.maximum, rubric)
    if len(rubric.computed_items) > 1:
        codes = "、".join(i.code for i in rubric.computed_items)
        second = rubric.items.index(rubric.computed_items[1])
        faults.append((f"item#{second}:kind", f"只能有一个按办件数量排名计算的项目，现有{codes}"))
    for category in rubric.categories:
        where = f"category:{category.number}"
        total = sum((i.maximum for i in rubric.items_of(category)), Decimal(0))
        if not rubric.items_of(category):
            faults.append((where, f"类别“{category.name}”没有任何项目"))
        elif total != category.total:
            faults.append(
                (where, f"类别“{category.name}”的项目分值合计为{total}，但类别分值写的是{category.total}")
            )
        if category.required is not None:
            faults += _requirement(where, f"类别“{category.name}”", category.required, category.total, rubric)
    grand = sum((i.maximum for i in rubric.items), Decimal(0))
    if grand != rubric.total:
        faults.append(("rubric:total", f"全部项目分值合计为{grand}，但总分写的是{rubric.total}"))
    faults += check_grading(rubric.grading, tuple(c.name for c in rubric.categories))
    faults += check_panel(rubric.panel)
    return faults


def _requirement(where: str, what: str, required: Requirement, top: Decimal, rubric: Rubric) -> list[Fault]:
    faults = []
    if not 0 < required.minimum <= top:
        faults.append((where, f"{what}的必达分{required.minimum}应大于0且不超过其分值{top}"))
    if required.cap not in rubric.grading.names:
        allowed = "、".join(rubric.grading.names)
        faults.append((where, f"{what}未达必达分时的最高等级“{required.cap}”应为{allowed}之一"))
    return faults
