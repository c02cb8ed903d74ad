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

Speed: a national round is tens of thousands of sheets made from one template, so most of
their rows are the same bytes in every file; ``_RepeatedParts`` parses each distinct row once.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, TypeVar

from .problems import Code

T = TypeVar("T")

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
        if self._merges is None:
            merged = tuple(self.merged)
            # sheets from one template share their merged ranges (about 30): indexed once
            self._merges = _merge_index_shared(merged) if len(merged) <= 256 else _merge_index(merged)
        return self._merges

    def right_of(self, row: int, col: int) -> tuple[int, int]:
        """The cell immediately right of (row, col), past the merged range it belongs to."""
        r1, _, _, c2 = self.merged_range(row, col)
        return r1, c2 + 1


def _merge_index(merged: tuple[tuple[int, int, int, int], ...]) -> dict:
    """(row, col) -> its merged range. Large ranges, and all ranges once MERGE_INDEX_CELLS
    cells are indexed (a hostile sheet may merge millions), stay in a list under the key None
    and are scanned. Never changed once built (sheets may share it)."""
    index: dict = {None: []}
    budget = MERGE_INDEX_CELLS
    for ranged in merged:
        r1, c1, r2, c2 = ranged
        area = (r2 - r1 + 1) * (c2 - c1 + 1)
        if area > SMALL_MERGE or area > budget:
            index[None].append(ranged)
            continue
        budget -= area
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                index.setdefault((r, c), ranged)
    return index


_merge_index_shared = functools.lru_cache(maxsize=64)(_merge_index)


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
        _check_members(zf, data)
        return _Package(zf, data, name).workbook(None if sheets is None else set(sheets))


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


def _check_members(zf: zipfile.ZipFile, data: bytes) -> None:
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
                mimetype = _inflate(data, zf.getinfo("mimetype"), 100)
            except _ZIP_ERRORS as exc:
                raise ReadError(Code.FILE_CORRUPT, detail="部件mimetype的数据已损坏，无法解压") from exc
            if mimetype.startswith(b"application/vnd.oasis.opendocument"):
                raise ReadError(Code.FILE_NOT_XLSX, kind="OpenDocument表格（.ods）")
        raise ReadError(Code.FILE_NOT_XLSX, kind="压缩包（不是Excel工作簿）")


def _inflate(data: bytes, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The member's bytes, inflated straight from the file's bytes: at most the declared size
    (and one byte more, to catch a lie) is inflated, then size and CRC are checked.
    ``ZipFile.read`` would inflate all the compressed data first (a gigabyte from a member
    that declares 20 KB), and opening each member through ``ZipFile`` costs more than
    inflating a score sheet's parts."""
    if info.file_size > limit:
        raise ReadError(Code.FILE_TOO_LARGE, detail=f"部件{info.filename}解压后超过{limit // 2**20} MB")
    offset = info.header_offset
    if data[offset : offset + 4] != ZIP_MAGIC:
        raise zipfile.BadZipFile("no local header")
    name_length, extra_length = struct.unpack_from("<HH", data, offset + 26)
    name = data[offset + 30 : offset + 30 + name_length]
    if name.decode("utf-8" if info.flag_bits & 0x800 else "cp437") != info.orig_filename:
        raise zipfile.BadZipFile("names in the directory and the local header differ")
    start = offset + 30 + name_length + extra_length
    compressed = data[start : start + info.compress_size]
    if len(compressed) != info.compress_size:
        raise EOFError("member cut short")
    if info.compress_type == zipfile.ZIP_STORED:
        out = compressed
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        out = zlib.decompressobj(-15).decompress(compressed, info.file_size + 1)
    else:
        raise NotImplementedError(f"compression method {info.compress_type}")
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise zipfile.BadZipFile("size or CRC differs from the directory")
    return out


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
    def __init__(self, zf: zipfile.ZipFile, data: bytes, name: str):
        self.zf = zf
        self.data = data
        self.name = name
        self.names = set(zf.namelist())

    def raw(self, part: str) -> bytes:
        """The part's bytes, inflated within the limits and checked to be plain UTF-8 XML."""
        if part not in self.names:
            raise ReadError(Code.FILE_CORRUPT, detail=f"缺少部件{part}")
        info = self.zf.getinfo(part)
        if info.file_size > MAX_XML_BYTES:
            raise ReadError(Code.FILE_TOO_LARGE, detail=f"部件{part}解压后{info.file_size // 2**20} MB")
        try:
            raw = _inflate(self.data, info, MAX_XML_BYTES)
        except _ZIP_ERRORS as exc:
            raise ReadError(Code.FILE_CORRUPT, detail=f"部件{part}的数据已损坏，无法解压") from exc
        _check_xml(raw, part)
        return raw

    def xml(self, part: str) -> ET.Element:
        return _parse_cached(self.raw(part), part)

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
        shared = _shared_strings(self.raw(strings), strings) if strings and strings in self.names else []
        date_styles = (
            _derived(self.raw(styles), styles, _date_styles)
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


_PARSED: collections.OrderedDict[bytes, ET.Element] = collections.OrderedDict()
_PARSED_MAX, _PARSED_PART_BYTES = 32, 32 * 1024


def _parse_cached(raw: bytes, part: str) -> ET.Element:
    """Sheets made from one template share their workbook, relationship, style and hidden
    parts byte for byte: parse each distinct small part once. The elements are never changed,
    and a part is only ever taken from here if identical bytes passed ``_check_xml`` before."""
    if len(raw) > _PARSED_PART_BYTES:
        return _parse(raw, part)
    root = _PARSED.get(raw)
    if root is None:
        root = _parse(raw, part)
        _PARSED[raw] = root
        if len(_PARSED) > _PARSED_MAX:
            _PARSED.popitem(last=False)
    return root


_DERIVED: collections.OrderedDict[tuple[Callable, bytes], object] = collections.OrderedDict()


def _derived(raw: bytes, part: str, derive: Callable[[ET.Element], T]) -> T:
    """``derive`` of the parsed part, remembered by the part's bytes like the parse itself."""
    if len(raw) > _PARSED_PART_BYTES:
        return derive(_parse(raw, part))
    key = (derive, raw)
    if key in _DERIVED:
        return _DERIVED[key]  # type: ignore[return-value]
    value = _DERIVED[key] = derive(_parse_cached(raw, part))
    if len(_DERIVED) > _PARSED_MAX:
        _DERIVED.popitem(last=False)
    return value


_XML_DECLARATION = re.compile(rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_UTF8_NAMES = (b"utf-8", b"utf8", b"us-ascii", b"ascii")


def _parse(raw: bytes, part: str) -> ET.Element:
    """Parse a part that passed ``_check_xml``."""
    try:
        return ET.fromstring(raw)
    except ET.ParseError as exc:
        raise ReadError(
            Code.FILE_CORRUPT, detail=f"{part}第{exc.position[0]}行第{exc.position[1] + 1}列不是有效的XML"
        ) from exc


def _declared_encoding(raw: bytes) -> bytes | None:
    """The encoding named in the part's XML declaration, in lower case (None if it names none)."""
    declared = _XML_DECLARATION.match(raw.removeprefix(b"\xef\xbb\xbf"))
    return declared.group(1).lower() if declared else None


def _check_xml(raw: bytes, part: str) -> None:
    """Refuse what a score sheet never holds: DTDs and entity declarations (entity expansion,
    external entities) and encodings other than UTF-8."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:200]:
        raise ReadError(Code.FILE_UNSAFE, detail=f"{part}不是UTF-8编码")
    encoding = _declared_encoding(raw)
    if encoding is not None and encoding not in _UTF8_NAMES:
        # Only in UTF-8 (or its ASCII subset) does the byte check below see every declaration.
        raise ReadError(Code.FILE_UNSAFE, detail=f"{part}不是UTF-8编码")
    at = _markup(raw, b"!")
    while at >= 0:
        if raw.startswith((b"DOCTYPE", b"ENTITY"), at + 2):
            raise ReadError(Code.FILE_UNSAFE, detail=f"{part}含有DTD或实体声明")
        at = _markup(raw, b"!", at + 2)


def _markup(raw: bytes, mark: bytes, start: int = 0, end: int | None = None) -> int:
    """Where the next "<" followed by ``mark`` ("!" or "?") stands, or -1. Searched through the
    mark, which is rare in a part, rather than through "<", which opens every tag."""
    end = len(raw) if end is None else end
    at = raw.find(mark, start + 1, end)
    while at >= 0:
        if raw[at - 1] == 0x3C:  # "<"
            return at - 1
        at = raw.find(mark, at + 1, end)
    return -1


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


def _shared_strings(raw: bytes, part: str) -> list[str]:
    strings = _repeated.strings(raw, part)
    if strings is None:
        root = _parse(raw, part)
        ns = _namespace(root)
        strings = [_text_of(si, ns) for si in root.iter(f"{ns}si")]
    return strings


# Built-in number formats that show dates or times, Chinese locale ones included.
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_DATE_TOKENS = re.compile(r"[ymdhs]", re.IGNORECASE)
_NOT_TOKENS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


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


def _read_sheet(raw: bytes, part: str, sheet: Sheet, shared: list[str], date_styles: frozenset[int]) -> None:
    frame = _repeated.sheet_cells(raw, part, sheet, shared, date_styles)
    if frame is None:  # anything out of the ordinary is read by the full parse
        root = _parse(raw, part)
        _parse_cells(root, sheet, shared, date_styles)
        frame = _frame(root, sheet.name)
    sheet.protected, merged = frame
    sheet.merged = list(merged)


Frame = tuple[bool, tuple[tuple[int, int, int, int], ...]]  # protected, merged ranges


def _frame(root: ET.Element, name: str) -> Frame:
    """What a worksheet says besides its cells: protection and merged ranges."""
    ns = _namespace(root)
    protection = root.find(f"{ns}sheetProtection")
    protected = protection is not None and protection.get("sheet", "0").lower() in ("1", "true")
    merged = []
    for merge in root.iter(f"{ns}mergeCell"):
        if len(merged) >= MAX_MERGED:
            raise ReadError(Code.FILE_TOO_LARGE, detail=f"工作表“{name}”超过{MAX_MERGED}个合并单元格")
        ref = merge.get("ref", "")
        if ":" in ref:
            a, b = ref.split(":", 1)
            (r1, c1), (r2, c2) = split_ref(a), split_ref(b)
            merged.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    return protected, tuple(merged)


def _parse_cells(root: ET.Element, sheet: Sheet, shared: list[str], date_styles: frozenset[int]) -> None:
    ns = _namespace(root)
    if len(root.findall(f".//{ns}c")) > MAX_CELLS:  # counted in C before any cell is built
        raise ReadError(Code.FILE_TOO_LARGE, detail=f"工作表“{sheet.name}”超过{MAX_CELLS}个单元格")
    cells = sheet.cells
    row_number = 0
    for row in root.iter(f"{ns}row"):
        r = _small_int(row.get("r"))
        row_number = r if r is not None else row_number + 1
        for position, cell, index in _row_cells(row, ns, row_number, date_styles)[1]:
            cells[position] = cell if index is None else _shared_cell(shared, index, cell, position)
            if len(cells) > MAX_CELLS:
                raise ReadError(Code.FILE_TOO_LARGE, detail=f"工作表“{sheet.name}”超过{MAX_CELLS}个单元格")


Found = tuple[tuple[int, int], Cell, "str | None"]  # position, cell, shared string index (or None)


def _row_cells(
    row: ET.Element, ns: str, row_number: int, date_styles: frozenset[int]
) -> tuple[int, list[Found]]:
    """The <c> elements of one <row> (how many there are) and the cells that hold a value. A
    shared string's cell is returned with its index, for the caller to look up."""
    if not 1 <= row_number <= MAX_ROW:
        raise ReadError(Code.FILE_CORRUPT, detail=f"行号{row_number}超出工作表范围")
    tag_c, tag_v, tag_f, tag_is = f"{ns}c", f"{ns}v", f"{ns}f", f"{ns}is"
    found: list[Found] = []
    col_number = count = 0
    for c in row.iter(tag_c):
        count += 1
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
        index = None
        if kind == "inlineStr":
            cell = Cell("s", _text_of(inline, ns) if inline is not None else "", f)
        elif v is None:
            if f is None:
                continue  # a styled but empty cell
            cell = Cell("", "", f)
        elif kind == "s":
            cell, index = Cell("s", "", f), v
        elif kind == "str":
            cell = Cell("s", _unescape(v), f)
        elif kind in ("b", "e", "d"):
            cell = Cell(kind, v.strip(), f)
        else:
            cell = Cell("n", v.strip(), f, _small_int(c.get("s")) in date_styles)
        found.append(((row_number_c, col_number), cell, index))
    return count, found


def _shared_cell(shared: list[str], index: str, cell: Cell, position: tuple[int, int]) -> Cell:
    try:
        return Cell("s", shared[int(index)], cell.formula)
    except (ValueError, IndexError) as exc:
        raise ReadError(Code.FILE_CORRUPT, detail=f"单元格{a1(*position)}的共享字符串编号无效") from exc


class _RepeatedParts:
    """The fast path for the two big parts, the worksheet and the shared strings.

    Sheets made from one template repeat most of their rows (and their shared strings) byte
    for byte: the labels, the criteria, every item scored in full. Each ``<row>`` (each
    ``<si>``) is parsed once, by the same XML parser and the same code as the full parse, and
    remembered by its bytes; the rest of the part (everything but the rows) is parsed whole,
    so it is checked as usual. This path either gives exactly what the full parse gives or
    declines (None), and then the full parse reads the part: it declines on comments, CDATA,
    processing instructions, namespace declarations or carriage returns among the rows, a row
    without a number, a cell given twice in one row, elements other than rows between rows,
    parts of more than MAX_PART_ROWS rows, and anything it cannot cut cleanly into rows.
    ``tests/test_reader_repeated.py`` reads real and edited files both ways. One instance per
    process (the batch reads in worker processes, never threads): the caches take no lock.
    """

    MAX_BYTES = 8 * 2**20  # of remembered rows and strings (a row is about 1 KB); emptied when full
    MAX_CHUNK = 16 * 1024  # longer rows and strings are parsed but not remembered
    # A score sheet has about 55 rows and 160 strings. A long table (a province's case
    # counts) rarely repeats a row: parsed row by row it would cost a third more than whole.
    MAX_PART_ROWS = 2000

    def __init__(self) -> None:
        self.rows: dict[tuple[bytes, frozenset[int]], tuple[int, dict | None, tuple] | None] = {}
        self.texts: dict[bytes, str | None] = {}
        self.size = 0

    def _recall(self, cache: dict, key, chunk: bytes, make: Callable[..., T], *args) -> T:
        """``cache[key]``; the first time, ``make(*args)``, remembered unless ``chunk`` is long.
        The caches are emptied together when their chunks pass MAX_BYTES."""
        value = cache.get(key, _UNSEEN)
        if value is _UNSEEN:
            value = make(*args)
            if len(chunk) <= self.MAX_CHUNK:
                self.size += len(chunk)
                if self.size > self.MAX_BYTES:
                    self.rows.clear()
                    self.texts.clear()
                    self.size = len(chunk)
                cache[key] = value
        return value

    def sheet_cells(
        self, raw: bytes, part: str, sheet: Sheet, shared: list[str], date_styles: frozenset[int]
    ) -> Frame | None:
        """Fill ``sheet.cells`` and return the rest of the sheet, or None (declined)."""
        found = _cut(raw, b"<sheetData>", b"</sheetData>", b"<sheetData/>")
        if found is None:
            return None
        skeleton, body = found
        if len(body) > 4 * MAX_CELLS and body.count(b"<c") > MAX_CELLS:  # "<c/>" is 4 bytes
            return None  # an upper bound on the cells: the full parse counts them and refuses
        frame = self._skeleton(skeleton, part, _sheet_skeleton)
        if frame is None:
            return None
        chunks = body.split(b"</row>")
        if len(chunks) > self.MAX_PART_ROWS:
            return None
        last = chunks.pop()  # what follows the last close tag: nothing, or empty rows
        rows = self.rows
        entries = [self._recall(rows, (c, date_styles), c, _row_entry, c, date_styles) for c in chunks]
        if last.strip(b" \t\n"):
            entries.append(_row_entry(last, date_styles, closed=False))
        cells: dict[tuple[int, int], Cell] = {}
        count = 0
        for entry in entries:
            if entry is None:
                return None
            n, fixed, ordered = entry
            count += n
            if count > MAX_CELLS:
                return None
            if fixed is not None:
                cells.update(fixed)
                continue
            # cells in the order the row gives them, as the full parse stores them (a reader of
            # a table keeps the first column of a title)
            for position, cell, index in ordered:
                if index is None:
                    cells[position] = cell
                    continue
                try:
                    cells[position] = _shared_cell(shared, index, cell, position)
                except ReadError:
                    return None
        sheet.cells = cells
        return frame

    def strings(self, raw: bytes, part: str) -> list[str] | None:
        """The shared strings in order, or None (declined)."""
        found = _cut(raw, b"<si>", b"</si>", b"<si/>", many=True)
        if found is None:
            return None
        skeleton, body = found
        if self._skeleton(skeleton, part, _strings_skeleton) is None:
            return None
        chunks = (b"<si>" + body + b"</si>").split(b"</si>")
        if len(chunks) > self.MAX_PART_ROWS:
            return None
        chunks.pop()  # what follows the last close tag: nothing
        texts = self.texts
        out = [self._recall(texts, chunk, chunk, _string_entry, chunk) for chunk in chunks]
        return None if None in out else out

    @staticmethod
    def _skeleton(skeleton: bytes, part: str, derive: Callable[[ET.Element], T | None]) -> T | None:
        """What ``derive`` reads from the part without its rows (remembered by its bytes), or
        None when the part cannot be read that way."""
        try:
            _check_xml(skeleton, part)  # as every part that enters the parse cache
            return _derived(skeleton, part, derive)
        except ReadError:
            return None


def _cut(raw: bytes, open_tag: bytes, close_tag: bytes, marker: bytes, many: bool = False):
    """(the part with its body replaced by ``marker``, the body), or None. Only a part of
    plain markup is cut: with no comment, CDATA, DTD or processing instruction, every "<"
    opens or closes an element, so tags found by their bytes are real ones. The body runs
    from the first open tag to the first close tag, which must be the only ones, or to the
    last close tag when the body holds ``many`` elements of that name."""
    start = raw.find(open_tag)
    end = raw.rfind(close_tag) if many else raw.find(close_tag)
    if start < 0 or end < start:
        return None
    # Before the close tag: no comment, CDATA or DTD, no processing instruction but the
    # declaration. After it, the parse of the rest sees them as what they are.
    declaration = _DECLARATION.match(raw, 3 if raw.startswith(b"\xef\xbb\xbf") else 0)
    if _declared_encoding(raw) not in (None, b"utf-8"):
        return None  # the rows are parsed without the declaration, that is as UTF-8
    if (
        _markup(raw, b"!", 0, end) >= 0
        or _markup(raw, b"?", declaration.end() if declaration else 0, end) >= 0
    ):
        return None
    if not many and (raw.find(open_tag[:-1], 0, start) >= 0 or raw.find(open_tag[:-1], end) >= 0):
        return None  # another element of the name before or after (one within is refused by row)
    body = raw[start + len(open_tag) : end]
    if b"xmlns" in body or b"\r" in body:  # a namespace change; line ends the parser would alter
        return None
    return raw[:start] + marker + raw[end + len(close_tag) :], body


_DECLARATION = re.compile(rb"<\?xml\s[^<>?]*\?>")


def _sheet_skeleton(root: ET.Element) -> Frame | None:
    return None if _skeleton_ok(root, "sheetData", ("row", "c")) is None else _frame(root, "")


def _strings_skeleton(root: ET.Element) -> ET.Element | None:
    return _skeleton_ok(root, "si", ())


def _skeleton_ok(root: ET.Element, marker: str, absent: tuple[str, ...]) -> ET.Element | None:
    """``root`` if the marker put in the rows' place is the only element of its name, empty
    and in the part's own namespace (so the rows are too), and no row or cell stands
    elsewhere; else None."""
    ns = _namespace(root)
    markers = [el for el in root.iter() if el.tag.rpartition("}")[2] == marker]
    if len(markers) != 1 or markers[0].tag != f"{ns}{marker}" or len(markers[0]) or markers[0].text:
        return None
    if any(True for name in absent for _ in root.iter(f"{ns}{name}")):
        return None
    return root


def _row_entry(
    chunk: bytes, date_styles: frozenset[int], closed: bool = True
) -> tuple[int, dict | None, tuple] | None:
    """(how many <c>, the cells as a dict when none needs a shared string, else None and the
    cells in order with their shared string indexes) of the rows in ``chunk``: rows up to a
    close tag, and any empty rows (``<row r="9"/>``) before it."""
    try:
        rows = ET.fromstring(b"<rows>" + chunk + (b"</row></rows>" if closed else b"</rows>"))
    except ET.ParseError:
        return None
    count, found = 0, []
    for row in rows:
        r = _small_int(row.get("r"))
        if row.tag != "row" or r is None:
            return None
        if any(
            el.tag in ("row", "mergeCell", "sheetData", "sheetProtection")
            for el in row.iter()
            if el is not row
        ):
            return None
        try:
            n, cells = _row_cells(row, "", r, date_styles)
        except ReadError:
            return None
        count += n
        found += cells
    if len({position for position, _, _ in found}) != len(found):
        return None  # a cell given twice: the full parse decides which one stands
    if all(index is None for _, _, index in found):
        return count, {position: cell for position, cell, _ in found}, ()
    return count, None, tuple(found)  # shared strings are looked up per file, in the row's order


def _string_entry(chunk: bytes) -> str | None:
    try:
        si = ET.fromstring(chunk + b"</si>")
    except ET.ParseError:
        return None
    if si.tag != "si" or any(el.tag == "si" for el in si.iter() if el is not si):
        return None
    return _text_of(si, "")


_UNSEEN = object()  # not in a cache (None is a remembered answer: the part was declined)
_repeated = _RepeatedParts()


def column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@functools.lru_cache(maxsize=4096)  # one string per position: every sheet's G12 is the same object
def a1(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"
