"""Names of the files we write that come from input (a township's feedback page, an issued sheet):
one plain, safe file name each, never a path, never a device name, unique in its folder, and
short enough for every file system the clerk's folders may be on.

Limits: ext4 and most Linux file systems allow 255 bytes of UTF-8 per name, NTFS 255 UTF-16 code
units; a Chinese character is 3 bytes, an emoji or a rare character (𠀀) 4, so a name is cut by
its bytes, never by its characters. Windows reserves CON, PRN, AUX, NUL, COM0-9, LPT0-9, their
superscript-digit forms (COM¹, LPT³), CONIN$ and CONOUT$, with any extension and trailing spaces.
"""

from __future__ import annotations

import re
import unicodedata

_RESERVED = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_DIGITS = "0123456789¹²³"
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {f"{p}{d}" for p in ("COM", "LPT") for d in _DIGITS}
)
MAX_NAME_BYTES = 255  # per name, in UTF-8: the strictest of the usual file systems
ROOM_FOR_NUMBER = 8  # bytes kept for "-2", "-17", ... when two names clean up alike


def is_reserved(name: str) -> bool:
    """Whether Windows takes ``name`` for a device (CON.html, com¹.xlsx, "NUL .txt")."""
    return name.split(".")[0].rstrip(" ").upper() in _WINDOWS_DEVICES


def fits(name: str) -> bool:
    return len(name.encode("utf-8")) <= MAX_NAME_BYTES


def _cut(text: str, limit: int) -> str:
    """The longest start of ``text`` of at most ``limit`` UTF-8 bytes, cut between characters."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", "ignore")


def safe_file_name(township: str, suffix: str = "") -> str:
    """A township name as one safe file-name stem for ``suffix``: no path separators, no reserved
    or control characters, no invisible ones, no leading dot, no trailing dot or space, not a
    Windows device name, and with the suffix and a number within 255 bytes."""
    name = unicodedata.normalize("NFC", township or "")
    # invisible characters (zero-width space, direction overrides that disguise an extension)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cf", "Cs", "Zl", "Zp"))
    name = _RESERVED.sub("_", name).strip().lstrip(".")
    budget = MAX_NAME_BYTES - len(suffix.encode("utf-8")) - ROOM_FOR_NUMBER
    name = _cut(name, budget).rstrip(". ") or "_"
    if is_reserved(name + suffix):
        name = "_" + _cut(name, budget - 1)
    return name


def file_names(townships: list[str], suffix: str) -> dict[str, str]:
    """township -> file name, unique even where two names clean up alike (a/b, a_b) or differ
    only in case on a case-insensitive file system."""
    names, taken = {}, set()
    for township in townships:
        stem = safe_file_name(township, suffix)
        candidate, n = stem, 1
        while candidate.casefold() in taken:
            n += 1
            candidate = f"{stem}-{n}"
        taken.add(candidate.casefold())
        names[township] = f"{candidate}{suffix}"
    return names
