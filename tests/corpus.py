"""A corpus of broken and hostile files, made on the fly from the real template.

Every entry is a function returning the bytes of one file; ``FORMATS`` and ``RESOURCE_ATTACKS``
name the file and the one problem code the reader must give for it. Gigabyte zip bombs cost a
few megabytes here: their deflate streams are one compressed block of zeros repeated, and their
zip headers are written by hand so that the declared sizes can say anything.

Three small real-world files are committed beside this module in ``corpus/``: the same template
filled by ``fill_sheet`` and saved by LibreOffice (xlsx and xls) and by Gnumeric. They are
regenerated with ``python tests/corpus.py`` (needs ``soffice`` and ``ssconvert``) whenever the
rubric or the template changes.
"""

from __future__ import annotations

import io
import re
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
OFFICE = HERE / "corpus"
sys.path.insert(0, str(HERE.parent))

from processor import constants as C  # noqa: E402
from processor.rules.rubric import load_rubric  # noqa: E402
from processor.testing import fill_sheet  # noqa: E402

RUBRIC = load_rubric()
SHEET_PART = "xl/worksheets/sheet1.xml"  # the score sheet in files written by openpyxl
GB = 1 << 30


def good_sheet(township: str = "东山镇", **kwargs) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return fill_sheet(Path(folder) / "s.xlsx", RUBRIC, township=township, **kwargs).read_bytes()


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def rezip(data: bytes, change: dict[str, bytes | Callable[[bytes], bytes] | None]) -> bytes:
    """A copy of the zip ``data`` with members replaced (bytes), rewritten (callable), removed
    (None) or added."""
    parts = members(data)
    for name, new in change.items():
        if new is None:
            parts.pop(name, None)
        elif callable(new):
            parts[name] = new(parts[name])
        else:
            parts[name] = new
    return zip_of(parts)


def zip_of(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def raw_zip(entries: list[tuple[str, bytes, int, int]], stored: frozenset[str] = frozenset()) -> bytes:
    """A zip written by hand: (name, raw deflate data, declared size, crc) per member, so the
    declared size may be anything a hostile file claims; the members named in ``stored`` are
    declared stored rather than deflated (their bytes are what they are)."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, data, size, crc in entries:
        offset = out.tell()
        encoded = name.encode()
        method = 0 if name in stored else 8
        out.write(
            struct.pack(
                "<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 33, crc, len(data), size, len(encoded), 0
            )
        )
        out.write(encoded + data)
        central.write(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                method,
                0,
                33,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    out.write(central.getvalue())
    out.write(
        struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), central.tell(), start, 0)
    )
    return out.getvalue()


def deflated(data: bytes) -> tuple[bytes, int, int]:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), len(data), zlib.crc32(data)


def zeros_deflated(size: int) -> bytes:
    """A raw deflate stream of ``size`` zero bytes, built in milliseconds: one 16 MB block,
    fully flushed so that it stands alone, repeated."""
    chunk = 1 << 24
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(chunk)) + c.flush(zlib.Z_FULL_FLUSH)
    whole, rest = divmod(size, chunk)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15)
    return block * whole + tail.compress(bytes(rest)) + tail.flush()


def with_bomb(member: str, stream: bytes, declared: int) -> bytes:
    """The good sheet by hand, with ``member`` replaced by a deflate ``stream`` declared as
    ``declared`` bytes."""
    entries = []
    for name, data in members(good_sheet()).items():
        if name == member:
            entries.append((name, stream, declared, 0))
        else:
            entries.append((name, *deflated(data)))
    return raw_zip(entries)


# ---- formats -------------------------------------------------------------------------------


def truncated() -> bytes:
    data = good_sheet()
    return data[: len(data) // 2]


def bad_crc() -> bytes:
    """A member whose stored bytes were damaged in transit: the zip directory is intact."""
    entries = []
    for name, data in members(good_sheet()).items():
        raw, size, crc = deflated(data)
        entries.append((name, raw, size, crc ^ 0xFFFF if name == SHEET_PART else crc))
    return raw_zip(entries)


def deflate64() -> bytes:
    """Members marked with a compression method the standard library lacks (Deflate64)."""
    data = bytearray(good_sheet())
    for magic, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        for m in re.finditer(re.escape(magic), data):
            struct.pack_into("<H", data, m.start() + offset, 9)
    return bytes(data)


def garbage_after_magic() -> bytes:
    return b"PK\x03\x04" + bytes(range(256)) * 8


def csv_file() -> bytes:
    return "乡镇,得分\n东山镇,90\n".encode("gb18030")


def html_file() -> bytes:
    return b"<html><body><table><tr><td>1</td></tr></table></body></html>"


def xls_file() -> bytes:
    """A real .xls saved by LibreOffice."""
    return (OFFICE / "libreoffice.xls").read_bytes()


def et_file() -> bytes:
    """WPS .et is an OLE compound file like .xls; the reader only sees the container."""
    return xls_file()


def xlsm_file() -> bytes:
    def add_macro_type(types: bytes) -> bytes:
        return types.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")

    return rezip(
        good_sheet(), {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro", "[Content_Types].xml": add_macro_type}
    )


def encrypted_file() -> bytes:
    """A real password-encrypted workbook (ECMA-376 agile encryption, as Excel writes it)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(good_sheet())).encrypt("密码123", out)
    return out.getvalue()


def zip_encrypted_file() -> bytes:
    """A zip whose members carry the traditional encryption flag (what a zip tool produces)."""
    data = bytearray(good_sheet())
    for magic, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        for m in re.finditer(re.escape(magic), data):
            flags = struct.unpack_from("<H", data, m.start() + offset)[0]
            struct.pack_into("<H", data, m.start() + offset, flags | 1)
    return bytes(data)


def empty_file() -> bytes:
    return b""


def no_sheets() -> bytes:
    def drop(xml: bytes) -> bytes:
        return re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", xml, flags=re.S)

    return rezip(good_sheet(), {"xl/workbook.xml": drop})


def empty_zip() -> bytes:
    return zip_of({})


def overwritten_label() -> bytes:
    def edit(wb):
        ws = wb[C.SCORE_SHEET]
        for row in ws.iter_rows(max_row=5):
            for cell in row:
                if cell.value == C.LABEL_TOWNSHIP:
                    cell.value = "乡镇"

    return good_sheet("标签乡", edit=edit)


def ods_file() -> bytes:
    return zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})


def xlsb_file() -> bytes:
    rels = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>'
    )
    return zip_of(
        {"[Content_Types].xml": b"<Types/>", "_rels/.rels": rels, "xl/workbook.bin": b"\x83\x01\x00"}
    )


def rel_traversal() -> bytes:
    """The score sheet's relationship points out of the package (../../../etc/passwd): the
    reader only ever looks inside the zip, where no such member exists."""

    def point_out(rels: bytes) -> bytes:
        return rels.replace(b'Target="/xl/worksheets/sheet1.xml"', b'Target="../../../../etc/passwd"')

    return rezip(good_sheet(), {"xl/_rels/workbook.xml.rels": point_out})


def docx_like() -> bytes:
    return zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def renamed_sheet() -> bytes:
    def rename(wb):
        wb[C.SCORE_SHEET].title = "Sheet1"

    return good_sheet("改名乡", edit=rename)


def hidden_sheet() -> bytes:
    def hide(wb):
        wb.create_sheet("说明")
        wb[C.SCORE_SHEET].sheet_state = "hidden"

    return good_sheet("隐藏乡", edit=hide)


# file name -> (maker, code); the name's extension is what the clerk's folder would hold
FORMATS: dict[str, tuple[Callable[[], bytes], str]] = {
    "truncated.xlsx": (truncated, "FILE_CORRUPT"),
    "bad-crc.xlsx": (bad_crc, "FILE_CORRUPT"),
    "garbage.xlsx": (garbage_after_magic, "FILE_CORRUPT"),
    "deflate64.xlsx": (deflate64, "FILE_CORRUPT"),
    "csv.xlsx": (csv_file, "FILE_NOT_XLSX"),
    "html.xlsx": (html_file, "FILE_NOT_XLSX"),
    "docx.xlsx": (docx_like, "FILE_NOT_XLSX"),
    "rel-traversal.xlsx": (rel_traversal, "FILE_CORRUPT"),
    "ods.xlsx": (ods_file, "FILE_NOT_XLSX"),
    "xlsb.xlsx": (xlsb_file, "FILE_NOT_XLSX"),
    "xls.xlsx": (xls_file, "FILE_OLD_FORMAT"),
    "et.xlsx": (et_file, "FILE_OLD_FORMAT"),
    "xlsm.xlsx": (xlsm_file, "FILE_MACRO"),
    "encrypted.xlsx": (encrypted_file, "FILE_ENCRYPTED"),
    "zip-encrypted.xlsx": (zip_encrypted_file, "FILE_ENCRYPTED"),
    "empty.xlsx": (empty_file, "FILE_EMPTY"),
    "empty-zip.xlsx": (empty_zip, "FILE_CORRUPT"),
    "no-sheets.xlsx": (no_sheets, "SHEET_MISSING"),
    "renamed.xlsx": (renamed_sheet, "SHEET_MISSING"),
    "hidden.xlsx": (hidden_sheet, "SHEET_HIDDEN"),
}

# Files that keep their own extension in the input folder: refused by name, never opened.
OTHER_EXTENSIONS: dict[str, Callable[[], bytes]] = {
    "旧表.xls": xls_file,
    "wps.et": et_file,
    "macro.xlsm": xlsm_file,
    "table.csv": csv_file,
    "calc.ods": ods_file,
    "binary.xlsb": xlsb_file,
}


# ---- resource attacks ----------------------------------------------------------------------


def bomb_declared() -> bytes:
    """A sheet member honestly declared as 1 GB (about 1 MB compressed)."""
    return with_bomb(SHEET_PART, zeros_deflated(GB), GB)


def bomb_ratio() -> bytes:
    """40 MB of zeros: under the per-member limit, but a compression ratio no sheet has."""
    return with_bomb(SHEET_PART, zeros_deflated(40 << 20), 40 << 20)


def bomb_lying() -> bytes:
    """1 GB of zeros declared as 20 KB: the reader inflates no more than it was told."""
    return with_bomb(SHEET_PART, zeros_deflated(GB), 20_000)


def bomb_mimetype() -> bytes:
    """An .ods-like zip whose 'mimetype' declares 50 bytes and inflates to 1 GB."""
    return raw_zip([("mimetype", zeros_deflated(GB), 50, 0)])


def bomb_total() -> bytes:
    """Many members, each under the limits, together far over them (declared sizes only)."""
    junk = bytes(range(256)) * 1200  # about 300 KB each, never inflated
    return raw_zip(
        [("[Content_Types].xml", *deflated(b"<Types/>"))]
        + [(f"xl/media/{n}.bin", junk, 45 << 20, 0) for n in range(6)]
    )


def many_members() -> bytes:
    parts = members(good_sheet())
    parts.update({f"xl/media/image{n}.png": b"" for n in range(5000)})
    return zip_of(parts)


def huge_directory() -> bytes:
    """65,000 members with long names: a 17 MB central directory, refused from the end record."""
    return raw_zip([(f"{n:0100d}", b"", 0, 0) for n in range(65_000)])


def zip64_directory() -> bytes:
    """The good sheet with a zip64 end record claiming 100,000 members (the plain end record
    says 0xFFFF, "see zip64", as it does in a real zip64 archive)."""
    data = good_sheet()
    end = data.rfind(b"PK\x05\x06")
    _, _, _, _, cd_size, cd_offset, _ = struct.unpack_from("<4HLLH", data, end + 4)
    record = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, 100_000, 100_000, cd_size, cd_offset)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, end, 1)
    plain = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, cd_size, cd_offset, 0)
    return data[:end] + record + locator + plain


RELS_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def many_sheets() -> bytes:
    """A workbook.xml listing 10,000 sheets (each pointing at the score sheet's part)."""

    def sheets(xml: bytes) -> bytes:
        entries = b"".join(
            b'<sheet xmlns:r="%s" name="s%d" sheetId="%d" r:id="rId1"/>' % (RELS_NS, n, n + 10)
            for n in range(10_000)
        )
        return xml.replace(b"</sheets>", entries + b"</sheets>")

    return rezip(good_sheet(), {"xl/workbook.xml": sheets})


def many_merges() -> bytes:
    def merges(xml: bytes) -> bytes:
        extra = b"".join(b'<mergeCell ref="J%d:K%d"/>' % (n, n) for n in range(1, 20_001))
        return re.sub(rb"(<mergeCells[^>]*>)", lambda m: m.group(1) + extra, xml, count=1)

    return rezip(good_sheet(), {SHEET_PART: merges})


def many_cells() -> bytes:
    def cells(xml: bytes) -> bytes:
        rows = b"".join(
            b'<row r="%d">' % r
            + b"".join(
                b'<c r="%s%d"><v>1</v></c>' % (col, r)
                for col in (b"AA", b"AB", b"AC", b"AD", b"AE", b"AF", b"AG", b"AH", b"AI", b"AJ")
            )
            + b"</row>"
            for r in range(100, 11_100)
        )
        return xml.replace(b"</sheetData>", rows + b"</sheetData>")

    return rezip(good_sheet(), {SHEET_PART: cells})


def stray_last_cell(data: bytes | None = None, part: str = SHEET_PART) -> bytes:
    """A single value at XFD1048576, the sheet's last column and row."""

    def stray(xml: bytes) -> bytes:
        cell = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        return xml.replace(b"</sheetData>", cell + b"</sheetData>")

    return rezip(data or good_sheet(), {part: stray})


BILLION_LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b"]>"
)
EXTERNAL_ENTITY = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
PARAMETER_ENTITY = b'<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:1/evil.dtd"> %p;]>'


def with_doctype(part: str, doctype: bytes, data: bytes | None = None) -> bytes:
    """``part`` with ``doctype`` after its XML declaration, and the entity used in its root."""

    def inject(xml: bytes) -> bytes:
        xml = re.sub(rb"^(<\?xml[^>]*\?>)?", lambda m: (m.group(1) or b"") + doctype, xml, count=1)
        return xml

    return rezip(data or good_sheet(), {part: inject})


def utf16_part(part: str) -> bytes:
    def recode(xml: bytes) -> bytes:
        text = (
            xml.decode("utf-8")
            .replace('encoding="UTF-8"', 'encoding="UTF-16"')
            .replace("encoding='UTF-8'", "encoding='UTF-16'")
        )
        return text.encode("utf-16")

    return rezip(good_sheet(), {part: recode})


def other_encoding(part: str) -> bytes:
    def recode(xml: bytes) -> bytes:
        body = re.sub(rb"^<\?xml[^>]*\?>", b"", xml)
        return b'<?xml version="1.0" encoding="cp037"?>' + body

    return rezip(good_sheet(), {part: recode})


# the parts our reader parses, in files written by openpyxl and by office software
PARSED_PARTS = (
    "_rels/.rels",
    "xl/_rels/workbook.xml.rels",
    "xl/workbook.xml",
    "xl/styles.xml",
    SHEET_PART,
    "xl/worksheets/sheet2.xml",
)
OFFICE_SHARED_STRINGS = "xl/sharedStrings.xml"

RESOURCE_ATTACKS: dict[str, tuple[Callable[[], bytes], str]] = {
    "bomb-declared.xlsx": (bomb_declared, "FILE_TOO_LARGE"),
    "bomb-ratio.xlsx": (bomb_ratio, "FILE_TOO_LARGE"),
    "bomb-lying.xlsx": (bomb_lying, "FILE_CORRUPT"),
    "bomb-total.xlsx": (bomb_total, "FILE_TOO_LARGE"),
    "bomb-mimetype.xlsx": (bomb_mimetype, "FILE_CORRUPT"),
    "many-members.xlsx": (many_members, "FILE_TOO_LARGE"),
    "huge-directory.xlsx": (huge_directory, "FILE_TOO_LARGE"),
    "zip64-directory.xlsx": (zip64_directory, "FILE_TOO_LARGE"),
    "many-sheets.xlsx": (many_sheets, "FILE_TOO_LARGE"),
    "many-merges.xlsx": (many_merges, "FILE_TOO_LARGE"),
    "many-cells.xlsx": (many_cells, "FILE_TOO_LARGE"),
    "laughs.xlsx": (lambda: with_doctype(SHEET_PART, BILLION_LAUGHS), "FILE_UNSAFE"),
    "xxe.xlsx": (lambda: with_doctype("xl/workbook.xml", EXTERNAL_ENTITY), "FILE_UNSAFE"),
    "utf16.xlsx": (lambda: utf16_part("xl/styles.xml"), "FILE_UNSAFE"),
    "cp037.xlsx": (lambda: other_encoding("xl/workbook.xml"), "FILE_UNSAFE"),
}


def make_office_copies(folder: Path = OFFICE) -> None:
    """Regenerate the committed real-world files (LibreOffice xlsx and xls, Gnumeric xlsx)."""
    folder.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        lo = fill_sheet(
            tmp / "libreoffice.xlsx",
            RUBRIC,
            township="南岭乡",
            scores={"1.1": 2.5, "3.6": 4.5},
            remarks={"1.1": "缺填单区", "3.6": "两件未调用电子证照"},
        )
        gn = fill_sheet(
            tmp / "gnumeric.xlsx",
            RUBRIC,
            township="北坪镇",
            scores={"2.2": 1.5},
            remarks={"2.2": "制度未上墙"},
        )
        profile = f"-env:UserInstallation=file://{tmp}/profile"
        for fmt in ("xlsx", "xls"):
            subprocess.run(
                ["soffice", profile, "--headless", "--convert-to", fmt, "--outdir", str(folder), str(lo)],
                check=True,
                capture_output=True,
            )
        subprocess.run(["ssconvert", str(gn), str(folder / "gnumeric.xlsx")], check=True, capture_output=True)


if __name__ == "__main__":
    make_office_copies()
    print(f"written to {OFFICE}")
