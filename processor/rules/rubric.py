"""The rubric: the one home of items, maxima and rates (data in ``processor/rules/data/rubric-*.toml``).

Loading checks the rubric itself, so a broken rubric stops the program before any sheet is read.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property
from importlib.resources.abc import Traversable
from pathlib import Path

from ..resources import rules_file

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
        raise RubricError(f"评分标准文件 {path} 有误：\n- " + "\n- ".join(faults))
    return rubric


def _decimal(text) -> Decimal:
    if isinstance(text, float):
        raise ValueError(f'{text!r}：分数应写成带引号的字符串（如 "0.5"），以保持精确')
    return Decimal(str(text))


def _build(data: dict) -> Rubric:
    head = data["rubric"]
    categories = tuple(
        Category(int(c["number"]), c["numeral"], c["name"], _decimal(c["total"])) for c in data["categories"]
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
    )


def fingerprint(categories, items) -> str:
    """A hash of what scoring depends on: categories, codes, names, maxima, kinds and rates.

    The criteria wording is left out on purpose: correcting a typo in a criterion does not make
    the sheets already filled on that template wrong.
    """
    content = {
        "categories": [[c.number, c.name, str(c.total)] for c in categories],
        "items": [
            [
                i.code,
                i.category,
                i.name,
                str(i.maximum),
                i.kind,
                [str(i.ranking.first), str(i.ranking.step), str(i.ranking.floor)] if i.ranking else None,
            ]
            for i in items
        ],
    }
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_rubric(rubric: Rubric) -> list[str]:
    """Every fault of the rubric, in Chinese, for the person who edits the data file."""
    faults: list[str] = []
    res = rubric.resolution
    if res <= 0:
        faults.append(f"最小单位resolution应大于0，现为{res}")
        return faults

    def on_grid(value: Decimal) -> bool:
        return value % res == 0

    numbers = [c.number for c in rubric.categories]
    if len(set(numbers)) != len(numbers):
        faults.append(f"类别序号重复：{numbers}")
    seen: set[str] = set()
    for item in rubric.items:
        if item.code in seen:
            faults.append(f"项目编号{item.code}重复")
        seen.add(item.code)
        if item.category not in numbers:
            faults.append(f"项目{item.code}的类别{item.category}不存在")
        elif not item.code.startswith(f"{item.category}."):
            faults.append(f"项目编号{item.code}与所属类别{item.category}不符")
        if item.kind not in KINDS:
            faults.append(f"项目{item.code}的kind“{item.kind}”应为{'、'.join(KINDS)}之一")
        if item.maximum <= 0 or not on_grid(item.maximum):
            faults.append(f"项目{item.code}的分值{item.maximum}应为{res}的正整数倍")
        if (item.kind == "computed") != (item.ranking is not None):
            faults.append(f"项目{item.code}：只有computed项目需要且必须有ranking（计算规则）")
        if item.ranking:
            r = item.ranking
            if not (on_grid(r.first) and on_grid(r.step) and on_grid(r.floor)):
                faults.append(f"项目{item.code}的计算规则应为{res}的整数倍")
            if not (0 < r.floor <= r.first <= item.maximum) or r.step <= 0:
                faults.append(f"项目{item.code}的计算规则应满足 0 < floor ≤ first ≤ 分值，step > 0")
    for category in rubric.categories:
        total = sum((i.maximum for i in rubric.items_of(category)), Decimal(0))
        if total != category.total:
            faults.append(f"类别“{category.name}”的分值合计为{total}，应为{category.total}")
        if not rubric.items_of(category):
            faults.append(f"类别“{category.name}”没有任何项目")
    grand = sum((i.maximum for i in rubric.items), Decimal(0))
    if grand != rubric.total:
        faults.append(f"全部项目分值合计为{grand}，应为{rubric.total}")
    return faults
