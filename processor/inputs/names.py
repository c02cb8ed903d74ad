"""Texts as keys: what counts as the same label on a sheet, and "the same township" across the
sheets, the case-count table and the criticism record.

Two texts are the same when they are equal after Unicode NFKC normalisation
(full-width letters and digits become half-width) and the removal of all spaces and invisible
characters. A name that
differs further only by a trailing 乡/镇 or 便民服务中心 (东山 / 东山镇 / 东山镇便民服务中心) is matched
when exactly one township fits, and the match is reported as a warning so the clerk can align
the names. Anything else is a different township.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

_SPACE = re.compile(r"\s+")
_SUFFIX = re.compile(r"(?:综合便民服务中心|便民服务中心|人民政府)$")
_TOWNSHIP = re.compile(r"[乡镇]$")


@functools.lru_cache(maxsize=1 << 16)  # the same labels and criteria in every sheet
def text_key(name: str) -> str:
    """The comparison key of a label or a name: NFKC, without spaces and without invisible
    characters (zero-width space, BOM, soft hyphen, control characters), which a copy from a
    web page or chat brings along unseen."""
    normal = _SPACE.sub("", unicodedata.normalize("NFKC", name or ""))
    if normal.isprintable():
        return normal
    return "".join(ch for ch in normal if unicodedata.category(ch) not in ("Cc", "Cf"))


def loose_key(name: str) -> str:
    key = _SUFFIX.sub("", text_key(name))
    return _TOWNSHIP.sub("", key) if len(key) > 2 else key


class Matcher:
    """Finds the canonical township (as written on its score sheet) for a name from elsewhere."""

    def __init__(self, canonical: Iterable[str]):
        self._exact: dict[str, str] = {}
        loose: dict[str, list[str]] = {}
        for name in canonical:
            self._exact.setdefault(text_key(name), name)
            loose.setdefault(loose_key(name), []).append(name)
        self._loose = {k: v[0] for k, v in loose.items() if len(v) == 1}

    def match(self, name: str) -> tuple[str | None, bool]:
        """(canonical name or None, True when matched only loosely)."""
        exact = self._exact.get(text_key(name))
        if exact is not None:
            return exact, False
        loose = self._loose.get(loose_key(name))
        return loose, loose is not None


_INVISIBLE_NAMES = {
    0x09: "制表符",
    0x0A: "换行",
    0x0D: "回车",
    0x00AD: "软连字符",
    0x200B: "零宽空格",
    0x200C: "零宽不连字",
    0x200D: "零宽连字",
    0x200E: "从左到右标记",
    0x200F: "从右到左标记",
    0x2060: "词连接符",
    0xFEFF: "字节顺序标记",
    0x202A: "方向控制",
    0x202B: "方向控制",
    0x202C: "方向控制",
    0x202D: "方向控制",
    0x202E: "方向反转",
    0x2028: "行分隔符",
    0x2029: "段分隔符",
}


def is_invisible(ch: str) -> bool:
    """A character one cannot see in a cell: controls, format characters (zero-width space,
    BOM, direction marks), line and paragraph separators."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")


def invisible(text: str) -> str:
    """The invisible characters of ``text``, named for the clerk ("" when it has none):
    "U+200B（零宽空格）"."""
    if text.isprintable() and not any(is_invisible(ch) for ch in text):
        return ""
    seen = dict.fromkeys(ch for ch in text if is_invisible(ch))
    return "、".join(f"U+{ord(ch):04X}（{_INVISIBLE_NAMES.get(ord(ch), '控制字符')}）" for ch in seen)


def visible(text: str) -> str:
    """``text`` with each invisible character written as [U+XXXX], so a message shows it."""
    if not invisible(text):
        return text
    return "".join(f"[U+{ord(ch):04X}]" if is_invisible(ch) else ch for ch in text)
