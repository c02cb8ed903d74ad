"""Input folder -> its files by role (score sheets, companion tables, settings, roster, others),
and each file's bytes read once, hashed for the manifest."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .. import constants as C
from ..xlsx import read_bytes

SPREADSHEET_LIKE = {
    ".xls": "旧版Excel（.xls）",
    ".xlsm": "启用宏的Excel（.xlsm）",
    ".xlsb": "Excel二进制（.xlsb）",
    ".et": "WPS表格（.et）",
    ".ett": "WPS表格模板（.ett）",
    ".ods": "OpenDocument表格（.ods）",
    ".csv": "CSV文本（.csv）",
    ".xltx": "Excel模板（.xltx）",
}


@dataclass(frozen=True)
class InputFile:
    name: str
    role: str  # 评分表, 办件数量表, 通报批评记录表, 乡镇名单, 评分标准, 一票否决记录表, 上轮汇总表
    sha256: str
    size: int


@dataclass
class Folder:
    """The entries of an input folder, by role, each list in name order."""

    sheets: list[Path] = field(default_factory=list)
    case_counts: list[Path] = field(default_factory=list)
    criticisms: list[Path] = field(default_factory=list)
    settings: list[Path] = field(default_factory=list)
    roster: list[Path] = field(default_factory=list)
    rubric: list[Path] = field(default_factory=list)
    vetoes: list[Path] = field(default_factory=list)
    previous: list[Path] = field(default_factory=list)
    other: list[Path] = field(default_factory=list)


def hashed(path: Path, role: str, files: list[InputFile]) -> bytes:
    """The file's bytes (read once, refused when empty or too large), recorded in ``files``."""
    data = read_bytes(path)
    files.append(InputFile(path.name, role, hashlib.sha256(data).hexdigest(), len(data)))
    return data


def is_skipped(path: Path) -> bool:
    """Office lock files (~$name.xlsx) and hidden files are never inputs."""
    return path.name.startswith(("~$", ".")) or path.name.lower() in ("thumbs.db", "desktop.ini")


_ROLES = {
    C.CASE_COUNTS_FILE: "case_counts",
    C.CRITICISMS_FILE: "criticisms",
    C.SETTINGS_FILE: "settings",
    C.ROSTER_FILE: "roster",
    C.RUBRIC_FILE: "rubric",
    C.VETOES_FILE: "vetoes",
    C.PREVIOUS_FILE: "previous",
}


def classify(folder: Path) -> Folder:
    found = Folder()
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if is_skipped(path):
            continue
        role = _ROLES.get(path.name.lower())
        if role is not None:
            getattr(found, role).append(path)
        elif path.suffix.lower() == ".xlsx" and path.is_file():
            found.sheets.append(path)
        else:
            found.other.append(path)
    return found
