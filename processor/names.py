"""Township names as keys: what counts as "the same township" across the sheets, the
case-count table and the criticism record.

Two names are the same township when they are equal after Unicode NFKC normalisation
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
def township_key(name: str) -> str:
    """NFKC, without spaces and without invisible characters (zero-width space, BOM, soft
    hyphen, control characters), which a copy from a web page or chat brings along unseen."""
    normal = _SPACE.sub("", unicodedata.normalize("NFKC", name or ""))
    if normal.isprintable():
        return normal
    return "".join(ch for ch in normal if unicodedata.category(ch) not in ("Cc", "Cf"))


def loose_key(name: str) -> str:
    key = _SUFFIX.sub("", township_key(name))
    return _TOWNSHIP.sub("", key) if len(key) > 2 else key


class Matcher:
    """Finds the canonical township (as written on its score sheet) for a name from elsewhere."""

    def __init__(self, canonical: Iterable[str]):
        self._exact: dict[str, str] = {}
        loose: dict[str, list[str]] = {}
        for name in canonical:
            self._exact.setdefault(township_key(name), name)
            loose.setdefault(loose_key(name), []).append(name)
        self._loose = {k: v[0] for k, v in loose.items() if len(v) == 1}

    def match(self, name: str) -> tuple[str | None, bool]:
        """(canonical name or None, True when matched only loosely)."""
        exact = self._exact.get(township_key(name))
        if exact is not None:
            return exact, False
        loose = self._loose.get(loose_key(name))
        return loose, loose is not None


_RESERVED = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)}
MAX_NAME = 80  # characters; well under every file system's 255-byte limit in UTF-8


def safe_file_name(township: str) -> str:
    """A township name as one safe file-name stem: no path separators, no reserved or control
    characters, no leading dot, no trailing dot or space, not a Windows device name."""
    name = unicodedata.normalize("NFC", township or "")
    name = _RESERVED.sub("_", name).strip().lstrip(".").rstrip(". ")
    name = name[:MAX_NAME] or "_"
    if name.split(".")[0].upper() in _WINDOWS_DEVICES:
        name = "_" + name
    return name


def file_names(townships: list[str], suffix: str) -> dict[str, str]:
    """township -> file name, unique even where two names clean up alike (a/b, a_b) or differ
    only in case on a case-insensitive file system."""
    names, taken = {}, set()
    for township in townships:
        stem = safe_file_name(township)
        candidate, n = stem, 1
        while candidate.casefold() in taken:
            n += 1
            candidate = f"{stem}-{n}"
        taken.add(candidate.casefold())
        names[township] = f"{candidate}{suffix}"
    return names
