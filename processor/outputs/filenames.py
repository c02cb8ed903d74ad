"""Names of the files we write that come from input (a township's feedback page, an issued sheet):
one plain, safe file name each, never a path, never a device name, unique in its folder."""

from __future__ import annotations

import re
import unicodedata

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
