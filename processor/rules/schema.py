"""The settings' schema: each key declared once, on the field of the record it fills, with its
kind (type and range); what a settings file gives is checked against it and every violation is
collected with the key's path, what was found and what is allowed. A key the schema does not
know is a violation too, with the nearest valid key suggested.

    publication_date: dt.date = setting("round.publication_date", Day())

is the whole declaration of a key: the schema, the check, the conversion and the record's field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

_MISSING = object()


@dataclass(frozen=True)
class Violation:
    key: str  # as the clerk reads it: "[round] publication_date"
    found: str = ""  # what the file gives, in words
    allowed: str = ""  # what is allowed, in words
    suggestion: str = ""  # an unknown key: the nearest valid one, or the valid ones
    unknown: bool = False


class Invalid(Exception):
    """A value outside its kind; the message says what is allowed."""


def setting(key: str, kind: Kind, default: Any = _MISSING) -> Any:
    """A record's field that is the settings key ``key`` (dotted: "round.year") of ``kind``.
    ``default`` is taken when neither the packaged settings nor the round's name the key."""
    return dataclasses.field(metadata={"key": key, "kind": kind, "default": default})


class Kind:
    allowed = ""

    def convert(self, value: Any, key: str, out: list[Violation]) -> Any:
        """The value as the record holds it, or _MISSING after adding the violation to ``out``."""
        try:
            return self.check(value)
        except Invalid as exc:
            out.append(Violation(key, shown(value), str(exc) or self.allowed))
            return _MISSING

    def check(self, value: Any) -> Any:  # pragma: no cover - every kind has its own
        raise NotImplementedError


class Text(Kind):
    def __init__(self, blank: bool = False, longest: int = 200):
        self.blank, self.longest = blank, longest
        self.allowed = f"文字（加引号，{'可以为空' if blank else '不能为空'}，不超过{longest}字）"

    def check(self, value: Any) -> str:
        if type(value) is not str:
            raise Invalid(self.allowed)
        text = value.strip()
        if (not text and not self.blank) or len(text) > self.longest:
            raise Invalid(self.allowed)
        if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text):
            raise Invalid(f"{self.allowed}，不能含有控制字符或看不见的字符")
        return text


class Choice(Kind):
    """One of a few words (a grading mode, say)."""

    def __init__(self, *choices: str):
        self.choices = choices
        self.allowed = "以下之一（加引号）：" + "、".join(f'"{c}"' for c in choices)

    def check(self, value: Any) -> str:
        if type(value) is not str or value.strip() not in self.choices:
            raise Invalid(self.allowed)
        return value.strip()


class Whole(Kind):
    def __init__(self, low: int, high: int):
        self.low, self.high = low, high
        self.allowed = f"{low}至{high}之间的整数（不加引号，不带小数点）"

    def check(self, value: Any) -> int:
        if type(value) is not int or not self.low <= value <= self.high:
            raise Invalid(self.allowed)
        return value


class Day(Kind):
    def __init__(self, blank: bool = False):
        self.blank = blank
        self.allowed = "日期，如 2022-08-31（不加引号）" + ('，或空字符串 ""' if blank else "")

    def check(self, value: Any) -> dt.date | None:
        if self.blank and value == "":
            return None
        if type(value) is not dt.date or not 2000 <= value.year <= 2100:
            if isinstance(value, str) and re.fullmatch(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*", value):
                raise Invalid(f"{self.allowed}；请去掉日期两边的引号")
            raise Invalid(self.allowed)
        return value


class Amount(Kind):
    """A number of points: exact (a quoted "2.5", or 2.5), finite, in range, at most ``places``
    decimals; never NaN, infinity or 1e400 (which TOML reads as infinity)."""

    _PLAIN = re.compile(r"[+-]?[0-9]{1,6}(?:\.[0-9]+)?")

    def __init__(self, low: int, high: int, places: int = 2):
        self.low, self.high, self.places = low, high, places
        self.allowed = f'{low}至{high}之间的数，最多{places}位小数（如 "5" 或 "2.5"）'

    def check(self, value: Any) -> Decimal:
        if type(value) is int:
            number = Decimal(value)
        elif type(value) is float and math.isfinite(value):
            number = Decimal(repr(value))
        elif type(value) is str and self._PLAIN.fullmatch(value.strip()):
            number = Decimal(value.strip())
        else:
            raise Invalid(self.allowed)
        try:
            fine = number != number.quantize(Decimal(1).scaleb(-self.places))
        except InvalidOperation as exc:
            raise Invalid(self.allowed) from exc
        if fine or not self.low <= number <= self.high:
            raise Invalid(self.allowed)
        return abs(number) if number.is_zero() else number  # -0 is 0


class Texts(Kind):
    def __init__(self, fewest: int, most: int, item: Text | None = None):
        self.fewest, self.most, self.item = fewest, most, item or Text(longest=40)
        self.allowed = f'{fewest}至{most}项不重复的文字组成的列表，如 ["甲", "乙"]'

    def convert(self, value: Any, key: str, out: list[Violation]) -> Any:
        if type(value) is not list or not self.fewest <= len(value) <= self.most:
            out.append(Violation(key, shown(value), self.allowed))
            return _MISSING
        items, before = [], len(out)
        for n, entry in enumerate(value, start=1):
            items.append(self.item.convert(entry, f"{key} 第{n}项", out))
        if len(out) > before:
            return _MISSING
        if len({unicodedata.normalize("NFKC", i) for i in items}) != len(items):
            out.append(Violation(key, shown(value), f"{self.allowed}（有重复的项）"))
            return _MISSING
        return tuple(items)


class Flag(Kind):
    allowed = "true 或 false（不加引号）"

    def check(self, value: Any) -> bool:
        if type(value) is not bool:
            raise Invalid(self.allowed)
        return value


class Days(Kind):
    """A list of dates (holidays, say), each a TOML date, none twice."""

    def __init__(self, most: int = 100):
        self.most = most
        self.allowed = f"日期组成的列表（不加引号，最多{most}个），如 [2022-10-01, 2022-10-02]，或空列表 []"

    def check(self, value: Any) -> tuple[dt.date, ...]:
        if type(value) is not list or len(value) > self.most:
            raise Invalid(self.allowed)
        if any(type(day) is not dt.date or not 2000 <= day.year <= 2100 for day in value):
            raise Invalid(self.allowed)
        if len(set(value)) != len(value):
            raise Invalid(f"{self.allowed}（有重复的日期）")
        return tuple(sorted(value))


class Rows(Kind):
    """An array of tables ([[grading.bands]]), each filling one ``record``."""

    def __init__(self, record: type, fewest: int, most: int):
        self.record, self.fewest, self.most = record, fewest, most
        self.allowed = f"{fewest}至{most}个 [[表]]"

    def convert(self, value: Any, key: str, out: list[Violation]) -> Any:
        if type(value) is not list or not self.fewest <= len(value) <= self.most:
            out.append(Violation(key, shown(value), self.allowed))
            return _MISSING
        rows, before = [], len(out)
        for n, entry in enumerate(value, start=1):
            where = f"{key} 第{n}个"
            if type(entry) is not dict:
                out.append(Violation(where, shown(entry), f"表（以 {key} 开头的一节）"))
                continue
            rows.append(build(self.record, entry, out, where))
        return _MISSING if len(out) > before else tuple(rows)


def build(record: type, data: dict, out: list[Violation], where: str = "") -> Any:
    """``record`` filled from ``data`` by its fields' keys; None when anything is violated (all
    violations, unknown keys included, are added to ``out``)."""
    values, before = {}, len(out)
    for f in dataclasses.fields(record):
        key, kind, default = f.metadata["key"], f.metadata["kind"], f.metadata["default"]
        value = _lookup(data, key)
        shown_key = f"{where} {key}" if where else f"[[{key}]]" if isinstance(kind, Rows) else display(key)
        if value is _BROKEN:
            continue  # its table is not a table: said once, by _unknown
        if value is _MISSING:
            if default is _MISSING:
                out.append(Violation(shown_key, "没有填写", kind.allowed))
            values[f.name] = default
            continue
        if type(value) is dict:
            out.append(Violation(shown_key, "表", kind.allowed))
            continue
        values[f.name] = kind.convert(value, shown_key, out)
    out += _unknown(record, data, where)
    return None if len(out) > before else record(**values)


_BROKEN = object()  # a key whose table is given as something else


def _lookup(data: dict, key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        if type(node) is not dict:
            return _BROKEN
        if part not in node:
            return _MISSING
        node = node[part]
    return node


def keys_of(record: type) -> list[str]:
    return [f.metadata["key"] for f in dataclasses.fields(record)]


def _unknown(record: type, data: dict, where: str) -> list[Violation]:
    """Every key in ``data`` that no field of ``record`` declares, with the nearest valid one."""
    known = keys_of(record)
    tables = {k.rsplit(".", 1)[0] for k in known if "." in k}
    rows = {f.metadata["key"] for f in dataclasses.fields(record) if isinstance(f.metadata["kind"], Rows)}
    found = []

    def walk(node: dict, prefix: str) -> None:
        for name, value in node.items():
            path = f"{prefix}.{name}" if prefix else name
            if path in known:
                continue
            if path in tables:
                if type(value) is dict:
                    walk(value, path)
                else:
                    found.append(Violation(f"[{path}]", shown(value), f"表（以 [{path}] 开头的一节）"))
                continue
            table = type(value) is dict
            shown_key = f"{where} {path}" if where else display(path, table=table)
            suggestion = _nearest(path, known, tables if table else set(), where, rows)
            found.append(Violation(shown_key, unknown=True, suggestion=suggestion))

    walk(data, "")
    return found


def _nearest(path: str, known: list[str], tables: set[str], where: str, rows: set[str]) -> str:
    """The valid key nearest to ``path`` (``tables`` when it is a table): the same name in
    another table, a close spelling of the whole path or of its last part; else the valid keys
    of its table."""

    import difflib  # only when a key is unknown: 5 ms of every run's start otherwise

    def show(key: str) -> str:
        if where:
            return f"{where} {key}"
        return f"[[{key}]]" if key in rows else display(key)

    if tables:
        close = difflib.get_close_matches(path, sorted(tables), n=1, cutoff=0.5)
        return f"[{close[0]}]" if close else "、".join(f"[{t}]" for t in sorted(tables)) + "之一"
    leaf = path.rsplit(".", 1)[-1]
    same = [k for k in known if k.rsplit(".", 1)[-1] == leaf]
    if same:
        return show(same[0])
    close = difflib.get_close_matches(path, known, n=1, cutoff=0.6)
    if close:
        return show(close[0])
    prefix = path.rsplit(".", 1)[0] if "." in path else ""
    close = difflib.get_close_matches(leaf, [k.rsplit(".", 1)[-1] for k in known], n=1, cutoff=0.6)
    if close:
        return show(next(k for k in known if k.rsplit(".", 1)[-1] == close[0]))
    siblings = [k for k in known if (k.rsplit(".", 1)[0] if "." in k else "") == prefix] or known
    return "、".join(show(k) for k in siblings) + "之一"


def display(key: str, table: bool = False) -> str:
    """ "round.publication_date" -> "[round] publication_date"; a table -> "[round]"."""
    if table:
        return f"[{key}]"
    if "." not in key:
        return f"{key}（不在任何 [表] 中）"
    table_name, name = key.rsplit(".", 1)
    return f"[{table_name}] {name}"


def shown(value: Any) -> str:
    """A value from the file in a few words (never its whole text, never a deep repr)."""
    if isinstance(value, bool):
        return f"{str(value).lower()}（是/否值）"
    if isinstance(value, str):
        text = value if len(value) <= 30 else value[:29] + "…"
        return f"文字“{text}”" if value else "空文字“”"
    if isinstance(value, int):
        digits = str(value) if abs(value) < 10**30 else "一个很大的整数"
        return f"整数 {digits}"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan（不是数）"
        if math.isinf(value):
            return "无穷大（inf，或超出范围的数如 1e400）"
        return f"小数 {value!r}"
    if isinstance(value, dt.datetime):
        return f"日期时间 {value.isoformat()}"
    if isinstance(value, dt.date):
        return f"日期 {value.isoformat()}"
    if isinstance(value, dt.time):
        return f"时间 {value.isoformat()}"
    if isinstance(value, list):
        if len(value) <= 4 and all(
            isinstance(v, str | int | float) and not isinstance(v, bool) for v in value
        ):
            return "列表 [" + ", ".join(repr(v)[:20] for v in value) + "]"
        return f"列表（{len(value)}项）"
    if isinstance(value, dict):
        return "表"
    return type(value).__name__
