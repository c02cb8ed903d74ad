"""The gate: what a file must pass before any of it is inflated or parsed.

Every limit and every refusal of the reader is here, so that a security review reads one
module: the file's size before it is read; what it is (sniffed from its first bytes: an old
.xls, an encrypted package, a web page saved as .xlsx, an OpenDocument file); the zip's
central directory (member count) before ``zipfile`` builds an object per entry; every member's
declared size, compression ratio and encryption flag; each part inflated straight from the
file's bytes to at most its declared size, with its CRC checked; and each XML part refused when
it holds a DTD or entity declaration or is not UTF-8, before the parser sees it. A part of at
most 32 KB whose compressed bytes and declaration equal those of a part already inflated and
checked (the sheets of one template share most of theirs) is that part (``_remembered_part``).

The limits are far above any real score sheet (about 30 KB, 20 members) and far below harm.
"""

from __future__ import annotations

import functools
import os
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple

from ..oserrors import reason
from ..problems import Code
from .model import ReadError

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_MEMBERS = 1000
MAX_MEMBER_BYTES = 50 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # inflated / compressed, for members over 1 MB
MAX_XML_BYTES = 10 * 1024 * 1024  # one parsed part (the score sheet's is about 40 KB)
MAX_CELLS = 100_000  # the score sheet has about 400; a case count table a few hundred
MAX_SHEETS = 255  # a workbook.xml may list any number of <sheet> entries; ours has two
MAX_MERGED = 10_000  # merged ranges are searched linearly; ours has about 25

# What the standard library raises on damaged zip data: a bad header or CRC (BadZipFile), a
# damaged deflate stream (zlib.error), a compression method it lacks such as Deflate64
# (NotImplementedError), a member that says it is encrypted (RuntimeError), short data.
ZIP_ERRORS = (
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
        raise ReadError(Code.FILE_UNREADABLE, detail=reason(exc)[0]) from exc


def sniff(data: bytes) -> None:
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


def check_directory(data: bytes) -> None:
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


def part_key(name: str) -> str:
    """A part name as it is compared: ECMA-376 Part 2 §6.2.2.3 makes part names
    case-insensitive (ASCII), and Excel opens members written with "\\" or a leading "/"."""
    return name.replace("\\", "/").lstrip("/").lower()


Members = dict  # part_key -> ZipInfo


def member_index(zf: zipfile.ZipFile) -> Members:
    """Every member by its part name; two members that are one part (the same name twice, or
    names equal but for case or separators) are refused: readers disagree on which one counts."""
    index: Members = {}
    for info in zf.infolist():
        key = part_key(info.filename)
        if key in index:
            raise ReadError(
                Code.FILE_CORRUPT,
                detail=f"压缩包中有两个同名部件“{info.filename[:80]}”，无法确定以哪一个为准",
            )
        index[key] = info
    return index


def check_members(zf: zipfile.ZipFile, data: bytes) -> Members:
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
    index = member_index(zf)
    if any(key.endswith("vbaproject.bin") for key in index):
        raise ReadError(Code.FILE_MACRO)
    if part_key("[Content_Types].xml") not in index:
        mimetype = index.get("mimetype")
        if mimetype is not None and mimetype.file_size < 100:
            try:
                kind = inflate(data, mimetype, 100)
            except ZIP_ERRORS as exc:
                raise ReadError(Code.FILE_CORRUPT, detail="部件mimetype的数据已损坏，无法解压") from exc
            if kind.startswith(b"application/vnd.oasis.opendocument"):
                raise ReadError(Code.FILE_NOT_XLSX, kind="OpenDocument表格（.ods）")
        raise ReadError(Code.FILE_NOT_XLSX, kind="压缩包（不是Excel工作簿）")
    return index


def inflate(data: bytes, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The member's bytes, inflated straight from the file's bytes: at most the declared size
    (and one byte more, to catch a lie) is inflated, then size and CRC are checked.
    ``ZipFile.read`` would inflate all the compressed data first (a gigabyte from a member
    that declares 20 KB), and opening each member through ``ZipFile`` costs more than
    inflating a score sheet's parts."""
    if info.file_size > limit:
        raise ReadError(Code.FILE_TOO_LARGE, detail=f"部件{info.filename}解压后超过{limit // 2**20} MB")
    return _inflated(_compressed(data, info), info)


def _compressed(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """The member's compressed bytes, where its local header says they start."""
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
    return compressed


def _inflated(compressed: bytes, info: zipfile.ZipInfo | _Declared) -> bytes:
    """The compressed bytes inflated to at most the declared size, then size and CRC checked."""
    if info.compress_type == zipfile.ZIP_STORED:
        out = compressed
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        out = zlib.decompressobj(-15).decompress(compressed, info.file_size + 1)
    else:
        raise NotImplementedError(f"compression method {info.compress_type}")
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise zipfile.BadZipFile("size or CRC differs from the directory")
    return out


_XML_DECLARATION = re.compile(rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_UTF8_NAMES = (b"utf-8", b"utf8", b"us-ascii", b"ascii")


def declared_encoding(raw: bytes) -> bytes | None:
    """The encoding named in the part's XML declaration, in lower case (None if it names none)."""
    declared = _XML_DECLARATION.match(raw.removeprefix(b"\xef\xbb\xbf"))
    return declared.group(1).lower() if declared else None


def check_xml(raw: bytes, part: str) -> None:
    """Refuse what a score sheet never holds: DTDs and entity declarations (entity expansion,
    external entities) and encodings other than UTF-8."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:200]:
        raise ReadError(Code.FILE_UNSAFE, detail=f"{part}不是UTF-8编码")
    encoding = declared_encoding(raw)
    if encoding is not None and encoding not in _UTF8_NAMES:
        # Only in UTF-8 (or its ASCII subset) does the byte check below see every declaration.
        raise ReadError(Code.FILE_UNSAFE, detail=f"{part}不是UTF-8编码")
    at = markup(raw, b"!")
    while at >= 0:
        if raw.startswith((b"DOCTYPE", b"ENTITY"), at + 2):
            raise ReadError(Code.FILE_UNSAFE, detail=f"{part}含有DTD或实体声明")
        at = markup(raw, b"!", at + 2)


def markup(raw: bytes, mark: bytes, start: int = 0, end: int | None = None) -> int:
    """Where the next "<" followed by ``mark`` ("!" or "?") stands, or -1. Searched through the
    mark, which is rare in a part, rather than through "<", which opens every tag."""
    end = len(raw) if end is None else end
    at = raw.find(mark, start + 1, end)
    while at >= 0:
        if raw[at - 1] == 0x3C:  # "<"
            return at - 1
        at = raw.find(mark, at + 1, end)
    return -1


def part_bytes(index: Members, data: bytes, part: str) -> bytes:
    """A part's bytes, inflated within the limits and checked to be plain UTF-8 XML: the only
    way a part reaches the XML parser."""
    info = index.get(part_key(part))
    if info is None:
        raise ReadError(Code.FILE_CORRUPT, detail=f"缺少部件{part}")
    if info.file_size > MAX_XML_BYTES:
        raise ReadError(Code.FILE_TOO_LARGE, detail=f"部件{part}解压后{info.file_size // 2**20} MB")
    try:
        compressed = _compressed(data, info)
        declared = _Declared(info.filename, info.compress_type, info.CRC, info.file_size)
        if max(info.file_size, info.compress_size) <= REMEMBERED_PART_BYTES:
            return _remembered_part(declared, compressed, part)
        return _checked_part(declared, compressed, part)
    except ZIP_ERRORS as exc:
        raise ReadError(Code.FILE_CORRUPT, detail=f"部件{part}的数据已损坏，无法解压") from exc


class _Declared(NamedTuple):
    """What the zip's directory says of a member, as ``_inflated`` checks it (hashable, unlike
    a ZipInfo)."""

    filename: str
    compress_type: int
    CRC: int
    file_size: int


def _checked_part(declared: _Declared, compressed: bytes, part: str) -> bytes:
    raw = _inflated(compressed, declared)
    check_xml(raw, part)
    return raw


# Sheets made from one template share their small parts (relationships, workbook, styles, the
# hidden sheet) byte for byte, compressed as well: each distinct one is inflated and checked
# once. The key holds the compressed bytes and what the directory declares of them: the same
# bytes inflate to the same part, whose size and CRC were checked against the same
# declaration, and which passed check_xml (a part refused raises, and nothing is remembered).
# At most 64 parts of at most 32 KB, compressed and inflated, are kept: a few megabytes.
REMEMBERED_PART_BYTES = 32 * 1024
_remembered_part = functools.lru_cache(maxsize=64)(_checked_part)
