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
        gate.check_members(zf, data)
        return _Package(zf, data, name).workbook(None if sheets is None else set(sheets))


REL_OFFICE_DOCUMENT = "/officeDocument"
REL_WORKSHEET = "/worksheet"
REL_SHARED_STRINGS = "/sharedStrings"
REL_STYLES = "/styles"


class _Package:
    def __init__(self, zf: zipfile.ZipFile, data: bytes, name: str):
        self.zf = zf
        self.data = data
        self.name = name
        self.names = set(zf.namelist())

    def raw(self, part: str) -> bytes:
        return gate.part_bytes(self.zf, self.data, part)

    def xml(self, part: str) -> ET.Element:
        return cells.parse_cached(self.raw(part), part)

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, target part) for ``part``."""
        folder, base = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", base + ".rels")
        if rels_part not in self.names:
            return {}
        out = {}
        for rel in self.xml(rels_part):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                continue
            resolved = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            out[rel.get("Id", "")] = (rel.get("Type", ""), posixpath.normpath(resolved))
        return out

    def workbook(self, wanted: set[str] | None) -> Workbook:
        main = next(
            (t for kind, t in self.rels("").values() if kind.endswith(REL_OFFICE_DOCUMENT)),
            "xl/workbook.xml",
        )
        if main.endswith(".bin"):
            raise ReadError(Code.FILE_NOT_XLSX, kind="Excel二进制工作簿（.xlsb）")
        if main not in self.names:
            raise ReadError(Code.FILE_NOT_XLSX, kind="压缩包（不是Excel工作簿）")
        root = self.xml(main)
        ns = cells.namespace(root)
        rels = self.rels(main)
        pr = root.find(f"{ns}workbookPr")
        date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
        entries = []  # (name, state, part)
        for sheet in root.iter(f"{ns}sheet"):
            if len(entries) >= gate.MAX_SHEETS:
                raise ReadError(Code.FILE_TOO_LARGE, detail=f"工作簿中有超过{gate.MAX_SHEETS}个工作表")
            rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), "")
            kind, part = rels.get(rid, ("", ""))
            entries.append((sheet.get("name", ""), sheet.get("state", "visible"), part, kind))
        strings = styles = None
        for kind, part in rels.values():
            if kind.endswith(REL_SHARED_STRINGS):
                strings = part
            elif kind.endswith(REL_STYLES):
                styles = part
        shared = _shared_strings(self.raw(strings), strings) if strings and strings in self.names else []
        date_styles = (
            cells.derived(self.raw(styles), styles, _date_styles)
            if styles and styles in self.names
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
_NOT_TOKENS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


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
                if _DATE_TOKENS.search(_NOT_TOKENS.sub("", custom[fmt_id])):
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
