"""File bytes -> ``Workbook``: the package's parts found through its relationships, the sheets
asked for parsed into cells. Everything passes ``gate`` first; the fast path for repeated rows
is ``repeated``, the element parse ``cells``.

Where a process boundary would go: this reader is pure Python, so the worst a hostile file can
do is raise, and every exception is caught per file by the input stage. A native reader (for
example python-calamine) can crash or hang the interpreter on a malformed file. If one is
adopted, call it in a child process per file (``concurrent.futures.ProcessPoolExecutor`` with
``max_tasks_per_child=1`` or a ``subprocess`` with a timeout and ``resource.setrlimit`` on
memory), keep the gate's limits checked in the parent before the bytes are handed over, and
turn a dead or timed-out child into a FILE_CORRUPT / FILE_TOO_LARGE problem for that file.
"""

from __future__ import annotations

import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable

from ..problems import Code
from . import cells, gate, repeated
from .model import ReadError, Sheet, Workbook


def open_workbook(data: bytes, name: str, sheets: Iterable[str] | None = None) -> Workbook:
    """A workbook from the bytes of a file already read (so that it is hashed and parsed from
    one read); parse only the named sheets (all when ``sheets`` is None)."""
    gate.sniff(data)
    gate.check_directory(data)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except gate.ZIP_ERRORS as exc:
        raise ReadError(
            Code.FILE_CORRUPT, detail="文件不完整或压缩结构损坏，可能只复制或下载了一部分"
        ) from exc
    with zf:
        index = gate.check_members(zf, data)
        return _Package(index, data, name).workbook(None if sheets is None else set(sheets))


REL_OFFICE_DOCUMENT = "/officeDocument"
REL_WORKSHEET = "/worksheet"
REL_SHARED_STRINGS = "/sharedStrings"
REL_STYLES = "/styles"


class _Package:
    def __init__(self, index: gate.Members, data: bytes, name: str):
        self.index = index
        self.data = data
        self.name = name

    def has(self, part: str) -> bool:
        return gate.part_key(part) in self.index

    def raw(self, part: str) -> bytes:
        return gate.part_bytes(self.index, self.data, part)

    def xml(self, part: str) -> ET.Element:
        return cells.parse_cached(self.raw(part), part)

    def rels(self, part: str) -> dict[str, tuple[str, str]] | None:
        """Relationship id -> (type, target part) for ``part``; None when it has no
        relationships part."""
        folder, base = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", base + ".rels")
        if not self.has(rels_part):
            return None
        out = {}
        for rel in self.xml(rels_part):
            target = rel.get("Target", "").replace("\\", "/")
            if rel.get("TargetMode") == "External":
                continue
            resolved = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            out[rel.get("Id", "")] = (rel.get("Type", ""), posixpath.normpath(resolved))
        return out

    def workbook(self, wanted: set[str] | None) -> Workbook:
        main = next(
            (t for kind, t in (self.rels("") or {}).values() if kind.endswith(REL_OFFICE_DOCUMENT)),
            "xl/workbook.xml",
        )
        if main.endswith(".bin"):
            raise ReadError(Code.FILE_NOT_XLSX, kind="Excel二进制工作簿（.xlsb）")
        if not self.has(main):
            raise ReadError(Code.FILE_NOT_XLSX, kind="压缩包（不是Excel工作簿）")
        root = self.xml(main)
        ns = cells.namespace(root)
        rels = self.rels(main)
        if rels is None:  # every sheet is found through it: without it the workbook is no workbook
            folder, base = posixpath.split(main)
            raise ReadError(
                Code.FILE_CORRUPT,
                detail=f"缺少工作簿的关系部件{posixpath.join(folder, '_rels', base + '.rels')}",
            )
        pr = root.find(f"{ns}workbookPr")
        date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
        entries = _entries(root, ns, rels)
        strings = styles = None
        for kind, part in rels.values():
            if kind.endswith(REL_SHARED_STRINGS):
                strings = part
            elif kind.endswith(REL_STYLES):
                styles = part
        shared = _shared_strings(self.raw(strings), strings) if strings and self.has(strings) else []
        date_styles = (
            cells.derived(self.raw(styles), styles, _date_styles)
            if styles and self.has(styles)
            else frozenset()
        )
        sheets = {}
        for name, state, part, kind in entries:
            if wanted is not None and name not in wanted:
                continue
            sheet = Sheet(name=name, state=state)
            if kind.endswith(REL_WORKSHEET):
                _read_sheet(self.raw(part), part, sheet, shared, date_styles)
            sheets[name] = sheet
        return Workbook(
            name=self.name,
            sheet_names=[e[0] for e in entries],
            states={e[0]: e[1] for e in entries},
            date1904=date1904,
            sheets=sheets,
        )


SHEET_STATES = ("visible", "hidden", "veryHidden")  # ECMA-376 ST_SheetState


def _entries(root: ET.Element, ns: str, rels: dict[str, tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    """(name, state, part, relationship type) of each sheet the workbook lists. What readers
    would each settle differently is refused: two sheets of one name (Excel compares names
    without case), a state outside the schema, a sheet whose relationship is missing."""
    entries, seen = [], set()
    for sheet in root.iter(f"{ns}sheet"):
        if len(entries) >= gate.MAX_SHEETS:
            raise ReadError(Code.FILE_TOO_LARGE, detail=f"工作簿中有超过{gate.MAX_SHEETS}个工作表")
        name, state = sheet.get("name", ""), sheet.get("state", "visible")
        if name.casefold() in seen:
            raise ReadError(Code.FILE_CORRUPT, detail=f"工作簿中有两个名为“{name[:31]}”的工作表")
        seen.add(name.casefold())
        if state not in SHEET_STATES:
            raise ReadError(Code.FILE_CORRUPT, detail=f"工作表“{name[:31]}”的显示状态“{state[:20]}”无效")
        rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), "")
        if rid not in rels:
            raise ReadError(Code.FILE_CORRUPT, detail=f"工作表“{name[:31]}”在工作簿的关系部件中找不到")
        kind, part = rels[rid]
        entries.append((name, state, part, kind))
    return entries


def _shared_strings(raw: bytes, part: str) -> list[str]:
    strings = repeated.PARTS.strings(raw, part)
    if strings is None:
        root = cells.parse(raw, part)
        ns = cells.namespace(root)
        strings = [cells.text_of(si, ns) for si in root.iter(f"{ns}si")]
    return strings


# Built-in number formats that show dates or times, Chinese locale ones included.
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_DATE_TOKENS = re.compile(r"[ymdhs]", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"|\\.')  # literal text in a format: never a token
_ELAPSED = re.compile(r"\[(?:h+|m+|s+)\]", re.IGNORECASE)  # [h], [mm], [ss]: elapsed time
_BRACKETS = re.compile(r"\[[^\]]*\]")  # colours, locales, conditions: [Red], [$-804], [>=100]


def _date_styles(root: ET.Element) -> frozenset[int]:
    """Indexes of the cell formats (``s`` attribute) that display numbers as dates or times."""
    ns = cells.namespace(root)
    custom = {}
    numfmts = root.find(f"{ns}numFmts")
    if numfmts is not None:
        for fmt in numfmts:
            try:
                custom[int(fmt.get("numFmtId", "-1"))] = fmt.get("formatCode", "")
            except ValueError:
                continue
    xfs = root.find(f"{ns}cellXfs")
    out = set()
    if xfs is not None:
        for index, xf in enumerate(xfs):
            try:
                fmt_id = int(xf.get("numFmtId", "0"))
            except ValueError:
                continue
            if fmt_id in custom:
                code = _QUOTED.sub("", custom[fmt_id])
                if _ELAPSED.search(code) or _DATE_TOKENS.search(_BRACKETS.sub("", code)):
                    out.add(index)
            elif fmt_id in _DATE_FORMAT_IDS:
                out.add(index)
    return frozenset(out)


def _read_sheet(raw: bytes, part: str, sheet: Sheet, shared: list[str], date_styles: frozenset[int]) -> None:
    frame = repeated.PARTS.sheet_cells(raw, part, sheet, shared, date_styles)
    if frame is None:  # anything out of the ordinary is read by the full parse
        root = cells.parse(raw, part)
        cells.parse_cells(root, sheet, shared, date_styles)
        frame = cells.frame(root, sheet.name)
    sheet.protected, merged = frame
    sheet.merged = list(merged)
