"""Input folder -> its entries by role (score sheets, companion tables, settings, roster, others),
every entry accounted for, and each file's bytes read once, hashed for the manifest.

An entry is a problem rather than silently nothing when it looks like an input but cannot be
one: an ``*.xlsx`` or companion name that is a broken link, a link loop, a folder, a pipe or a
device; two companion files whose names differ only in letter case or full/half width (which
one is meant?); a settings file under another name; a subfolder holding score sheets, which
are never read from there. A name that is not valid UTF-8 (an unzip of a Windows zip gives GBK
bytes) is read all the same and shown as GBK where it decodes so.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .. import constants as C
from ..oserrors import reason
from ..problems import Code, Problem, problem
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
    raw: str = ""  # the name as the file system has it (os.fsencode, in hex): for the register

    @property
    def real_name(self) -> str:
        return os.fsdecode(bytes.fromhex(self.raw)) if self.raw else self.name


UNUSED_FILE, UNUSED_FOLDER, UNUSED_SHEETS_FOLDER = "file", "folder", "folder with sheets"


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
    problems: list[Problem] = field(default_factory=list)  # entries that cannot be what they look like
    unusable: set[str] = field(default_factory=set)  # roles present but reported (not "missing")
    # what is there but not read, as (name, kind): its name alone is in the round's warnings,
    # so the register keeps the name to regenerate the round exactly (register.rounds.restore)
    unused: list[tuple[str, str]] = field(default_factory=list)


def shown(path: Path | str) -> str:
    """A file's name as the clerk can read it, and as every output can write it: a name that is
    not valid UTF-8 is decoded from its bytes as UTF-8 or GBK (GB18030), else with U+FFFD."""
    name = path if isinstance(path, str) else path.name
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    raw = os.fsencode(name)  # the bytes the file system holds (surrogate escapes undone)
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def hashed(path: Path, role: str, files: list[InputFile]) -> bytes:
    """The file's bytes (read once, refused when empty or too large), recorded in ``files``."""
    data = read_bytes(path)
    raw = os.fsencode(path.name).hex()
    files.append(InputFile(shown(path), role, hashlib.sha256(data).hexdigest(), len(data), raw))
    return data


def is_skipped(name: str) -> bool:
    """Office lock files (~$name.xlsx) and hidden files are never inputs."""
    return name.startswith(("~$", ".")) or name.lower() in ("thumbs.db", "desktop.ini")


def name_key(name: str) -> str:
    """Two names the clerk would take for one: equal after NFKC (full-width letters become
    half-width) and case folding. Windows folders ignore case; width they do not."""
    return unicodedata.normalize("NFKC", name).casefold()


_ROLES = {  # the key of a companion's name -> (role, what it is, its name)
    name_key(name): (role, title, name)
    for name, role, title in (
        (C.CASE_COUNTS_FILE, "case_counts", "办件数量表"),
        (C.CRITICISMS_FILE, "criticisms", "通报批评记录表"),
        (C.SETTINGS_FILE, "settings", "设置文件"),
        (C.ROSTER_FILE, "roster", "乡镇名单"),
        (C.RUBRIC_FILE, "rubric", "评分标准"),
        (C.VETOES_FILE, "vetoes", "一票否决记录表"),
        (C.PREVIOUS_FILE, "previous", "上轮汇总表"),
    )
}
MAX_LISTED = 10_000  # entries looked at in a subfolder for score sheets


def classify(folder: Path) -> Folder:
    """The entries of ``folder`` by role; OSError when the folder itself cannot be listed."""
    found = Folder()
    with os.scandir(folder) as entries:
        listed = sorted(entries, key=lambda e: e.name)
    companions: dict[str, list[tuple[Path, str]]] = {}
    for entry in listed:
        if is_skipped(entry.name):
            if entry.name.startswith(".") and name_key(entry.name).endswith(".xlsx"):
                found.problems.append(problem(Code.FILE_HIDDEN, file=shown(entry.name)))
                found.unused.append((entry.name, UNUSED_FILE))
            continue
        path, label, key = Path(entry.path), shown(entry.name), name_key(entry.name)
        if label != entry.name:
            found.problems.append(problem(Code.FILE_NAME_ENCODING, file=label, value=label))
        kind = _kind(entry)
        if key in _ROLES:
            companions.setdefault(_ROLES[key][0], []).append((path, kind))
        elif key.endswith(".xlsx"):
            if kind == "file":
                found.sheets.append(path)
            else:
                found.problems.append(
                    problem(Code.FILE_NOT_REGULAR, file=label, kind=_words(kind), role="评分表")
                )
        elif key.endswith(".toml") or key.startswith("settings"):
            found.problems.append(problem(Code.SETTINGS_MISNAMED, file=label, expected=C.SETTINGS_FILE))
            found.unused.append((entry.name, UNUSED_FOLDER if kind == "folder" else UNUSED_FILE))
        elif kind in ("folder", "link to a folder"):
            holds = _holds_sheets(path)
            found.problems.append(
                problem(Code.SUBFOLDER_HAS_SHEETS if holds else Code.FOLDER_IGNORED, file=label)
            )
            found.unused.append((entry.name, UNUSED_SHEETS_FOLDER if holds else UNUSED_FOLDER))
        else:
            found.other.append(path)
            found.unused.append((entry.name, UNUSED_FILE))
    for role, paths in companions.items():
        title, expected = next((t, n) for r, t, n in _ROLES.values() if r == role)
        if len(paths) > 1:
            found.unusable.add(role)
            for path, _ in paths:
                others = "、".join(shown(p) for p, _ in paths if p != path)
                found.problems.append(
                    problem(
                        Code.COMPANION_AMBIGUOUS,
                        file=shown(path),
                        table=title,
                        others=others,
                        expected=expected,
                    )
                )
            continue
        ((path, kind),) = paths
        if kind == "file":
            getattr(found, role).append(path)
        else:
            found.unusable.add(role)
            found.problems.append(
                problem(Code.FILE_NOT_REGULAR, file=shown(path), kind=_words(kind), role=title)
            )
    return found


def _words(kind: str) -> str:
    return {"folder": "文件夹", "link to a folder": "指向文件夹的链接（快捷方式）"}.get(kind, kind)


def _kind(entry: os.DirEntry) -> str:
    """ "file" for a regular file (or a link to one), "folder", "link to a folder", or what else
    the entry is, in words for the clerk. From what the listing already says where it can (on
    Windows every fact; on Linux whether it is a link): a province's folder has 40,000 entries."""
    try:
        link = entry.is_symlink()
    except OSError:
        link = False  # as os.path.islink says of an entry it cannot look at
    try:
        mode = _mode(entry)
    except FileNotFoundError:
        return "指向不存在的文件的链接（快捷方式）" if link else "已不存在的文件"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "循环指向自身的链接"
        return f"无法访问的条目（{reason(exc)[0]}）"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "link to a folder" if link else "folder"
    if stat.S_ISFIFO(mode):
        return "管道（FIFO）"
    if stat.S_ISSOCK(mode):
        return "套接字"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    return "特殊文件"


WINDOWS = os.name == "nt"


def _mode(entry: os.DirEntry) -> int:
    """The entry's mode through a link to what it points at, as ``os.stat`` gives it. A Windows
    junction is no link to ``is_symlink``, and the listing describes the junction itself: it is
    looked up by its path, as before."""
    if WINDOWS and entry.stat(follow_symlinks=False).st_file_attributes & stat.FILE_ATTRIBUTE_REPARSE_POINT:
        return os.stat(entry.path).st_mode
    return entry.stat().st_mode


def _holds_sheets(folder: Path) -> bool:
    try:
        with os.scandir(folder) as entries:
            for n, entry in enumerate(entries):
                if n >= MAX_LISTED:
                    break
                if not is_skipped(entry.name) and name_key(entry.name).endswith(".xlsx"):
                    return True
    except OSError:
        return False
    return False
