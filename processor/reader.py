"""File -> raw workbook. The only module that knows the xlsx format.

It reads the parts it needs straight from the zip with the standard library: sizes and member
counts are checked before anything is inflated, XML with a DTD or entity declarations is refused
before it is parsed, and numbers are kept as the text written in the file so that no float
rounding happens before the scores become decimals. Everything above this module sees only
``Workbook``, ``Sheet`` and ``Cell``; a faster reader can replace it behind the same interface.

Where a process boundary would go: this reader is pure Python, so the worst a hostile file can
do is raise, and every exception is caught per file by ``collect``. A native reader (for example
python-calamine) can crash or hang the interpreter on a malformed file. If one is adopted, call
it in a child process per file (``concurrent.futures.ProcessPoolExecutor`` with
``max_tasks_per_child=1`` or a ``subprocess`` with a timeout and ``resource.setrlimit`` on
memory), keep the limits below checked here in the parent before the bytes are handed over, and
turn a dead or timed-out child into a FILE_CORRUPT / FILE_TOO_LARGE problem for that file.

A cell far outside the score table (say XFD1048576) costs nothing here because cells are kept in
a dict; such a sheet is read normally and the stray cell is ignored unless it sits where an item
or label is looked for.
"""

from __future__ import annotations

import collections
import functools
import os
import posixpath
import re
import struct
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .problems import Code

# Limits far above any real score sheet (about 30 KB, 20 members) and far below harm.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_MEMBERS = 1000
MAX_MEMBER_BYTES = 50 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # inflated / compressed, for members over 1 MB
MAX_XML_BYTES = 10 * 1024 * 1024  # one parsed part (the score sheet's is about 40 KB)
MAX_CELLS = 100_000  # the score sheet has about 400; a case count table a few hundred
MAX_SHEETS = 255  # a workbook.xml may list any number of <sheet> entries; ours has two
MAX_MERGED = 10_000  # merged ranges are searched linearly; ours has about 25
MAX_ROW, MAX_COL = 1_048_576, 16_384
SMALL_MERGE = 4096  # merged ranges up to this many cells are indexed cell by cell,
MERGE_INDEX_CELLS = 100_000  # up to this many cells in all

# What the standard library raises on damaged zip data: a bad header or CRC (BadZipFile), a
# damaged deflate stream (zlib.error), a compression method it lacks such as Deflate64
# (NotImplementedError), a member that says it is encrypted (RuntimeError), short data.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    NotImplementedError,
    RuntimeError,
    OSError,
    ValueError,
    EOFError,
    struct.error,
)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class ReadError(Exception):
    """The file cannot be read as a workbook; ``code`` and ``params`` fill the problem message."""

    def __init__(self, code: Code, **params: str):
        super().__init__(code, params)
        self.code = code
        self.params = params


class Cell(NamedTuple):
    """One cell as stored: ``kind`` is "n" number, "s" text, "b" boolean, "e" error value,
    "d" ISO date text, or "" when the cell holds no value (a formula never calculated).
    A named tuple: a sheet has hundreds and tens of thousands of sheets are read."""

    kind: str
    text: str
    formula: str | None = None  # the formula text when the cell holds a formula
    date_style: bool = False  # a number displayed as a date or time


@dataclass
class Sheet:
    name: str
    state: str = "visible"  # visible, hidden or veryHidden
    protected: bool = False
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    _merges: dict | None = field(default=None, repr=False, compare=False)

    def get(self, row: int, col: int) -> Cell | None:
        return self.cells.get((row, col))

    def merged_range(self, row: int, col: int) -> tuple[int, int, int, int]:
        index = self._merge_index()
        found = index.get((row, col))
        if found is not None:
            return found
        for r1, c1, r2, c2 in index.get(None, ()):  # the few ranges too large to index cell by cell
            if r1 <= row <= r2 and c1 <= col <= c2:
                return r1, c1, r2, c2
        return row, col, row, col

    def _merge_index(self) -> dict:
        """(row, col) -> its merged range; built once, on first use. Large ranges, and all
        ranges once MERGE_INDEX_CELLS cells are indexed (a hostile sheet may merge millions),
        stay in a list under the key None and are scanned."""
        if self._merges is None:
            index: dict = {None: []}
            budget = MERGE_INDEX_CELLS
            for merged in self.merged:
                r1, c1, r2, c2 = merged
                area = (r2 - r1 + 1) * (c2 - c1 + 1)
                if area > SMALL_MERGE or area > budget:
                    index[None].append(merged)
                    continue
                budget -= area
                for r in range(r1, r2 + 1):
                    for c in range(c1, c2 + 1):
                        index.setdefault((r, c), merged)
            self._merges = index
        return self._merges

    def right_of(self, row: int, col: int) -> tuple[int, int]:
        """The cell immediately right of (row, col), past the merged range it belongs to."""
        r1, _, _, c2 = self.merged_range(row, col)
        return r1, c2 + 1


@dataclass
class Workbook:
    name: str
    sheet_names: list[str]
    states: dict[str, str]
    date1904: bool
    sheets: dict[str, Sheet]  # the sheets that were asked for and exist


def read_workbook(path: Path, sheets: Iterable[str] | None = None) -> Workbook:
    """Read ``path``; parse only the named sheets (all when ``sheets`` is None)."""
    return open_workbook(read_bytes(path), path.name, sheets)


def open_workbook(data: bytes, name: str, sheets: Iterable[str] | None = None) -> Workbook:
    """A workbook from the bytes of a file already read (so that it is hashed and parsed from
    one read); parse only the named sheets (all when ``sheets`` is None)."""
    _sniff(data)
    _check_directory(data)
    try:
        zf = zipfile.ZipFile(_BytesReader(data))
    except _ZIP_ERRORS as exc:
        raise ReadError(
            Code.FILE_CORRUPT, detail="文件不完整或压缩结构损坏，可能只复制或下载了一部分"
        ) from exc
    with zf:
        _check_members(zf)
        return _Package(zf, name).workbook(None if sheets is None else set(sheets))


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing empty and oversized files before reading them."""
    try:
        size = os.stat(path).st_size
        if size == 0:
            raise ReadError(Code.FILE_EMPTY)
        if size > MAX_FILE_BYTES:
            raise ReadError(Code.FILE_TOO_LARGE, detail=f"文件大小{size // 1024 // 1024} MB")
        with open(path, "rb") as fh:  # read only: the input is never opened for writing
            return fh.read()
    except OSError as exc:
        raise ReadError(Code.FILE_UNREADABLE, detail=exc.strerror or str(exc)) from exc


def _sniff(data: bytes) -> None:
    if not data:
        raise ReadError(Code.FILE_EMPTY)
    if data.startswith(OLE_MAGIC):
        # Encrypted xlsx files are OLE containers holding an "EncryptedPackage" stream.
        if "EncryptedPackage".encode("utf-16-le") in data or b"EncryptionInfo" in data:
            raise ReadError(Code.FILE_ENCRYPTED)
        raise ReadError(Code.FILE_OLD_FORMAT)
    if data.startswith(ZIP_MAGIC):
        return
    if data.startswith(b"PK\x05\x06"):  # a zip with no members at all
        raise ReadError(Code.FILE_CORRUPT, detail="压缩包是空的")
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<")):
        kind = "网页（HTML/XML）"
    elif _looks_like_text(data[:4096]):
        kind = "文本或CSV表格"
    else:
        kind = "其他格式的文件"
    raise ReadError(Code.FILE_NOT_XLSX, kind=kind)


def _looks_like_text(sample: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


MAX_DIRECTORY_BYTES = 1024 * 1024  # the zip's central directory: about 1 KB per member


def _check_directory(data: bytes) -> None:
    """Refuse too many members from the zip's end record, before ZipFile builds an object for
    every entry of its central directory (a 20 MB file can list a quarter of a million)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return  # no end record: ZipFile reports the file as corrupt
    entries, size = struct.unpack_from("<HL", data, end + 10)
    locator = end - 20
    if locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":  # zip64: the real counts
        (record,) = struct.unpack_from("<Q", data, locator + 8)
        if record + 56 <= len(data) and data[record : record + 4] == b"PK\x06\x06":
            entries, size = struct.unpack_from("<QQ", data, record + 32)
    if entries > MAX_MEMBERS or size > MAX_DIRECTORY_BYTES:
        raise ReadError(Code.FILE_TOO_LARGE, detail=f"压缩包内有{entries}个部件")


def _check_members(zf: zipfile.ZipFile) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ReadError(Code.FILE_TOO_LARGE, detail=f"压缩包内有{len(infos)}个部件")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise ReadError(Code.FILE_ENCRYPTED)
        if info.file_size > MAX_MEMBER_BYTES:
            raise ReadError(
                Code.FILE_TOO_LARGE, detail=f"部件{info.filename}解压后{info.file_size // 2**20} MB"
            )
        if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ReadError(Code.FILE_TOO_LARGE, detail=f"部件{info.filename}压缩比异常（疑似压缩炸弹）")
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise ReadError(Code.FILE_TOO_LARGE, detail=f"解压后共{total // 2**20} MB")
    names = set(zf.namelist())
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise ReadError(Code.FILE_MACRO)
    if "[Content_Types].xml" not in names:
        if "mimetype" in names and zf.getinfo("mimetype").file_size < 100:
            try:
                mimetype = _inflate(zf, zf.getinfo("mimetype"), 100)
            except _ZIP_ERRORS as exc:
                raise ReadError(Code.FILE_CORRUPT, detail="部件mimetype的数据已损坏，无法解压") from exc
            if mimetype.startswith(b"application/vnd.oasis.opendocument"):
                raise ReadError(Code.FILE_NOT_XLSX, kind="OpenDocument表格（.ods）")
        raise ReadError(Code.FILE_NOT_XLSX, kind="压缩包（不是Excel工作簿）")


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The member's bytes, inflated a slice at a time. ``ZipFile.read`` would inflate all the
    compressed data in one call (a gigabyte from a member that declares 20 KB) and only then cut
    it to the declared size; reading in slices stops at the declared size, where the CRC check
    refuses the lie."""
    chunks, total = [], 0
    with zf.open(info) as member:
        while chunk := member.read(1 << 16):
            total += len(chunk)
            if total > limit:
                raise ReadError(
                    Code.FILE_TOO_LARGE, detail=f"部件{info.filename}解压后超过{limit // 2**20} MB"
                )
            chunks.append(chunk)
    return b"".join(chunks)


class _BytesReader:
    """A minimal seekable reader over bytes (io.BytesIO would copy the whole file once more)."""

    def __init__(self, data: bytes):
        self._view = memoryview(data)
        self._pos = 0

    def read(self, n: int = -1) -> bytes:
        end = len(self._view) if n is None or n < 0 else min(self._pos + n, len(self._view))
        chunk = self._view[self._pos : end].tobytes()
        self._pos = end
        return chunk

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._view))[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def seekable(self) -> bool:
        return True


REL_OFFICE_DOCUMENT = "/officeDocument"
REL_WORKSHEET = "/worksheet"
REL_SHARED_STRINGS = "/sharedStrings"
REL_STYLES = "/styles"


class _Package:
    def __init__(self, zf: zipfile.ZipFile, name: str):
        self.zf = zf
        self.name = name
        self.names = set(zf.namelist())

    def xml(self, part: str) -> ET.Element:
        if part not in self.names:
            raise ReadError(Code.FILE_CORRUPT, detail=f"缺少部件{part}")
        info = self.zf.getinfo(part)
        if info.file_size > MAX_XML_BYTES:
            raise ReadError(Code.FILE_TOO_LARGE, detail=f"部件{part}解压后{info.file_size // 2**20} MB")
        try:
            raw = _inflate(self.zf, info, MAX_XML_BYTES)
        except _ZIP_ERRORS as exc:
            raise ReadError(Code.FILE_CORRUPT, detail=f"部件{part}的数据已损坏，无法解压") from exc
        return _parse_cached(raw, part)

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
        ns = _namespace(root)
        rels = self.rels(main)
        pr = root.find(f"{ns}workbookPr")
        date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
        entries = []  # (name, state, part)
        for sheet in root.iter(f"{ns}sheet"):
            if len(entries) >= MAX_SHEETS:
                raise ReadError(Code.FILE_TOO_LARGE, detail=f"工作簿中有超过{MAX_SHEETS}个工作表")
            rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), "")
            kind, part = rels.get(rid, ("", ""))
            entries.append((sheet.get("name", ""), sheet.get("state", "visible"), part, kind))
        strings = styles = None
        for kind, part in rels.values():
            if kind.endswith(REL_SHARED_STRINGS):
                strings = part
            elif kind.endswith(REL_STYLES):
                styles = part
        shared = _shared_strings(self.xml(strings)) if strings and strings in self.names else []
        date_styles = _date_styles(self.xml(styles)) if styles and styles in self.names else frozenset()
        sheets = {}
        for name, state, part, kind in entries:
            if wanted is not None and name not in wanted:
                continue
            sheet = Sheet(name=name, state=state)
            if kind.endswith(REL_WORKSHEET):
                _parse_sheet(self.xml(part), sheet, shared, date_styles)
            sheets[name] = sheet
        return Workbook(
            name=self.name,
            sheet_names=[e[0] for e in entries],
            states={e[0]: e[1] for e in entries},
            date1904=date1904,
            sheets=sheets,
        )


_PARSED: collections.OrderedDict[bytes, ET.Element] = collections.OrderedDict()
_PARSED_MAX, _PARSED_PART_BYTES = 32, 32 * 1024


def _parse_cached(raw: bytes, part: str) -> ET.Element:
    """Sheets made from one template share their workbook, relationship, style and hidden
    parts byte for byte: parse each distinct small part once. The elements are never changed,
    and a part is only ever taken from here if identical bytes passed ``parse_xml`` before."""
    if len(raw) > _PARSED_PART_BYTES:
        return parse_xml(raw, part)
    root = _PARSED.get(raw)
    if root is None:
        root = parse_xml(raw, part)
        _PARSED[raw] = root
        if len(_PARSED) > _PARSED_MAX:
            _PARSED.popitem(last=False)
    return root


_XML_DECLARATION = re.compile(rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_UTF8_NAMES = (b"utf-8", b"utf8", b"us-ascii", b"ascii")


def parse_xml(raw: bytes, part: str = "") -> ET.Element:
    """Parse one XML part, refusing what a score sheet never holds: DTDs and entity
    declarations (entity expansion, external entities) and encodings other than UTF-8."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:200]:
        raise ReadError(Code.FILE_UNSAFE, detail=f"{part}不是UTF-8编码")
    declared = _XML_DECLARATION.match(raw.removeprefix(b"\xef\xbb\xbf"))
    if declared and declared.group(1).lower() not in _UTF8_NAMES:
        # Only in UTF-8 (or its ASCII subset) does the byte check below see every declaration.
        raise ReadError(Code.FILE_UNSAFE, detail=f"{part}不是UTF-8编码")
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise ReadError(Code.FILE_UNSAFE, detail=f"{part}含有DTD或实体声明")
    try:
        return ET.fromstring(raw)
    except ET.ParseError as exc:
        raise ReadError(
            Code.FILE_CORRUPT, detail=f"{part}第{exc.position[0]}行第{exc.position[1] + 1}列不是有效的XML"
        ) from exc


def _namespace(root: ET.Element) -> str:
    tag = root.tag
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """OOXML writes control characters as _xHHHH_."""
    return _ESCAPE.sub(_unescaped, text) if "_x" in text else text


def _unescaped(m: re.Match) -> str:
    code = int(m.group(1), 16)
    # a lone surrogate (_xD800_) is no character: it would fail every UTF-8 output later
    return "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)


_SMALL_INT = re.compile(r"[0-9]{1,9}")


def _small_int(text: str | None) -> int | None:
    """An attribute such as r="12" or s="3"; None for anything else ("²".isdigit() is True,
    and int() of a 5,000-digit string raises)."""
    return int(text) if text and _SMALL_INT.fullmatch(text) else None


def _text_of(element: ET.Element, ns: str) -> str:
    """The text of a string item: its own <t>, or the <t> of its rich-text runs; never the
    phonetic guide (<rPh>), whose <t> is not part of the value."""
    parts = []
    for child in element:
        if child.tag == f"{ns}t":
            parts.append(child.text or "")
        elif child.tag == f"{ns}r":
            for t in child.iter(f"{ns}t"):
                parts.append(t.text or "")
    return _unescape("".join(parts))


def _shared_strings(root: ET.Element) -> list[str]:
    ns = _namespace(root)
    return [_text_of(si, ns) for si in root.iter(f"{ns}si")]


# Built-in number formats that show dates or times, Chinese locale ones included.
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_DATE_TOKENS = re.compile(r"[ymdhs]", re.IGNORECASE)
_NOT_TOKENS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


@functools.lru_cache(maxsize=_PARSED_MAX)  # by element identity: a cached part gives the same one
def _date_styles(root: ET.Element) -> frozenset[int]:
    """Indexes of the cell formats (``s`` attribute) that display numbers as dates or times."""
    ns = _namespace(root)
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


_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})$")


@functools.lru_cache(maxsize=1 << 14)  # the same few hundred references in every sheet
def split_ref(ref: str) -> tuple[int, int]:
    """ "C12" -> (12, 3)."""
    m = _REF.match(ref)
    if not m:
        raise ReadError(Code.FILE_CORRUPT, detail=f"单元格地址“{ref[:20]}”无效")
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    row = int(m.group(2))
    if not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COL):
        raise ReadError(Code.FILE_CORRUPT, detail=f"单元格地址“{ref}”超出工作表范围")
    return row, col


def _parse_sheet(root: ET.Element, sheet: Sheet, shared: list[str], date_styles: frozenset[int]) -> None:
    ns = _namespace(root)
    tag_c, tag_v, tag_f, tag_is = f"{ns}c", f"{ns}v", f"{ns}f", f"{ns}is"
    if len(root.findall(f".//{tag_c}")) > MAX_CELLS:  # counted in C before any cell is built
        raise ReadError(Code.FILE_TOO_LARGE, detail=f"工作表“{sheet.name}”超过{MAX_CELLS}个单元格")
    cells = sheet.cells
    protection = root.find(f"{ns}sheetProtection")
    sheet.protected = protection is not None and protection.get("sheet", "0").lower() in ("1", "true")
    row_number = 0
    for row in root.iter(f"{ns}row"):
        r = _small_int(row.get("r"))
        row_number = r if r is not None else row_number + 1
        if not 1 <= row_number <= MAX_ROW:
            raise ReadError(Code.FILE_CORRUPT, detail=f"行号{row_number}超出工作表范围")
        col_number = 0
        for c in row.iter(tag_c):
            ref = c.get("r")
            if ref:
                row_number_c, col_number = split_ref(ref)
            else:
                row_number_c, col_number = row_number, col_number + 1
                if col_number > MAX_COL:
                    raise ReadError(Code.FILE_CORRUPT, detail=f"第{row_number}行超出工作表的最后一列")
            kind = c.get("t", "n")
            v = f = inline = None
            for child in c:
                if child.tag == tag_v:
                    v = child.text
                elif child.tag == tag_f:
                    f = child.text or ""
                elif child.tag == tag_is:
                    inline = child
            if kind == "inlineStr":
                cell = Cell("s", _text_of(inline, ns) if inline is not None else "", f)
            elif v is None:
                if f is None:
                    continue  # a styled but empty cell
                cell = Cell("", "", f)
            elif kind == "s":
                try:
                    cell = Cell("s", shared[int(v)], f)
                except (ValueError, IndexError) as exc:
                    raise ReadError(Code.FILE_CORRUPT, detail=f"单元格{ref}的共享字符串编号无效") from exc
            elif kind == "str":
                cell = Cell("s", _unescape(v), f)
            elif kind in ("b", "e", "d"):
                cell = Cell(kind, v.strip(), f)
            else:
                is_date = _small_int(c.get("s")) in date_styles
                cell = Cell("n", v.strip(), f, is_date)
            cells[(row_number_c, col_number)] = cell
            if len(cells) > MAX_CELLS:
                raise ReadError(Code.FILE_TOO_LARGE, detail=f"工作表“{sheet.name}”超过{MAX_CELLS}个单元格")
    for merge in root.iter(f"{ns}mergeCell"):
        if len(sheet.merged) >= MAX_MERGED:
            raise ReadError(Code.FILE_TOO_LARGE, detail=f"工作表“{sheet.name}”超过{MAX_MERGED}个合并单元格")
        ref = merge.get("ref", "")
        if ":" in ref:
            a, b = ref.split(":", 1)
            (r1, c1), (r2, c2) = split_ref(a), split_ref(b)
            sheet.merged.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))


def column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"
