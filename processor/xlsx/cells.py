"""XML elements -> cells: the parse of a worksheet's rows and cells, of string items and of a
sheet's frame (protection, merged ranges), with the caches for parts that sheets from one
template share byte for byte. Parts reach this module only after ``gate.check_xml``."""

from __future__ import annotations

import collections
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import TypeVar

from ..problems import Code
from .gate import MAX_CELLS, MAX_MERGED
from .model import MAX_COL, MAX_ROW, Cell, ReadError, Sheet, a1, split_ref

T = TypeVar("T")

_PARSED: collections.OrderedDict[bytes, ET.Element] = collections.OrderedDict()
_PARSED_MAX, _PARSED_PART_BYTES = 32, 32 * 1024


def parse_cached(raw: bytes, part: str) -> ET.Element:
    """Sheets made from one template share their workbook, relationship, style and hidden
    parts byte for byte: parse each distinct small part once. The elements are never changed,
    and a part is only ever taken from here if identical bytes passed ``gate.check_xml`` before."""
    if len(raw) > _PARSED_PART_BYTES:
        return parse(raw, part)
    root = _PARSED.get(raw)
    if root is None:
        root = parse(raw, part)
        _PARSED[raw] = root
        if len(_PARSED) > _PARSED_MAX:
            _PARSED.popitem(last=False)
    return root


_DERIVED: collections.OrderedDict[tuple[Callable, bytes], object] = collections.OrderedDict()


def derived(raw: bytes, part: str, derive: Callable[[ET.Element], T]) -> T:
    """``derive`` of the parsed part, remembered by the part's bytes like the parse itself."""
    if len(raw) > _PARSED_PART_BYTES:
        return derive(parse(raw, part))
    key = (derive, raw)
    if key in _DERIVED:
        return _DERIVED[key]  # type: ignore[return-value]
    value = _DERIVED[key] = derive(parse_cached(raw, part))
    if len(_DERIVED) > _PARSED_MAX:
        _DERIVED.popitem(last=False)
    return value


def parse(raw: bytes, part: str) -> ET.Element:
    """Parse a part that passed ``gate.check_xml``."""
    try:
        return ET.fromstring(raw)
    except ET.ParseError as exc:
        raise ReadError(
            Code.FILE_CORRUPT, detail=f"{part}第{exc.position[0]}行第{exc.position[1] + 1}列不是有效的XML"
        ) from exc


def namespace(root: ET.Element) -> str:
    tag = root.tag
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""


# A surrogate pair first (a character beyond the BMP written as two escapes), then one escape.
_ESCAPE = re.compile(r"_x(D[89AB][0-9A-F]{2})__x(D[C-F][0-9A-F]{2})_|_x([0-9A-F]{4})_", re.IGNORECASE)


def unescape(text: str) -> str:
    """OOXML writes control characters as _xHHHH_ (ECMA-376 Part 1, 22.4.2.4), and a character
    beyond the BMP as the escapes of its UTF-16 surrogate pair."""
    return _ESCAPE.sub(_unescaped, text) if "_x" in text else text


def _unescaped(m: re.Match) -> str:
    if m.group(1):
        high, low = int(m.group(1), 16), int(m.group(2), 16)
        return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
    code = int(m.group(3), 16)
    # a lone surrogate (_xD800_) is no character: it would fail every UTF-8 output later
    return "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)


_SMALL_INT = re.compile(r"[0-9]{1,9}")


def small_int(text: str | None) -> int | None:
    """An attribute such as r="12" or s="3"; None for anything else ("²".isdigit() is True,
    and int() of a 5,000-digit string raises)."""
    return int(text) if text and _SMALL_INT.fullmatch(text) else None


def text_of(element: ET.Element, ns: str) -> str:
    """The text of a string item: its own <t>, or the <t> of its rich-text runs; never the
    phonetic guide (<rPh>), whose <t> is not part of the value."""
    parts = []
    for child in element:
        if child.tag == f"{ns}t":
            parts.append(child.text or "")
        elif child.tag == f"{ns}r":
            for t in child.iter(f"{ns}t"):
                parts.append(t.text or "")
    return unescape("".join(parts))


Frame = tuple[bool, tuple[tuple[int, int, int, int], ...]]  # protected, merged ranges


def frame(root: ET.Element, name: str) -> Frame:
    """What a worksheet says besides its cells: protection and merged ranges."""
    ns = namespace(root)
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


def parse_cells(root: ET.Element, sheet: Sheet, shared: list[str], date_styles: frozenset[int]) -> None:
    ns = namespace(root)
    if len(root.findall(f".//{ns}c")) > MAX_CELLS:  # counted in C before any cell is built
        raise ReadError(Code.FILE_TOO_LARGE, detail=f"工作表“{sheet.name}”超过{MAX_CELLS}个单元格")
    cells = sheet.cells
    row_number = 0
    for row in root.iter(f"{ns}row"):
        r = small_int(row.get("r"))
        row_number = r if r is not None else row_number + 1
        for position, cell, index in row_cells(row, ns, row_number, date_styles)[1]:
            cells[position] = cell if index is None else shared_cell(shared, index, cell, position)
            if len(cells) > MAX_CELLS:
                raise ReadError(Code.FILE_TOO_LARGE, detail=f"工作表“{sheet.name}”超过{MAX_CELLS}个单元格")


Found = tuple[tuple[int, int], Cell, "str | None"]  # position, cell, shared string index (or None)


def row_cells(
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
        if kind not in CELL_TYPES:  # readers would each guess differently: refuse
            raise ReadError(
                Code.FILE_CORRUPT,
                detail=f"单元格{_where(ref, row_number_c, col_number)}的类型“{kind[:20]}”无效",
            )
        v = f = inline = None
        has_v = False
        for child in c:
            if child.tag == tag_v:
                v, has_v = child.text, True
            elif child.tag == tag_f:
                f = child.text or ""
            elif child.tag == tag_is:
                inline = child
        index = None
        if kind == "inlineStr":
            cell = Cell("s", text_of(inline, ns) if inline is not None else "", f)
        elif kind == "str" and has_v and v is None:
            cell = Cell("s", "", f)  # a formula whose result is the empty string: a value
        elif kind == "s" and has_v and v is None:  # a shared string without its index
            raise ReadError(
                Code.FILE_CORRUPT,
                detail=f"单元格{_where(ref, row_number_c, col_number)}的共享字符串编号“”无效",
            )
        elif v is None:
            if f is None:
                continue  # a styled but empty cell
            cell = Cell("", "", f)
        elif kind == "s":
            cell, index = Cell("s", "", f), v
        elif kind == "str":
            cell = Cell("s", unescape(v), f)
        elif kind in ("b", "e", "d"):
            cell = Cell(kind, v.strip(), f)
        else:
            cell = Cell("n", v.strip(), f, small_int(c.get("s")) in date_styles)
        found.append(((row_number_c, col_number), cell, index))
    return count, found


CELL_TYPES = frozenset(("n", "s", "str", "b", "e", "d", "inlineStr"))  # ECMA-376 ST_CellType
_INDEX = re.compile(r"[ \t\r\n]*([0-9]{1,9})[ \t\r\n]*")


def _where(ref: str | None, row: int, col: int) -> str:
    return ref[:12] if ref else a1(row, col)


def shared_cell(shared: list[str], index: str, cell: Cell, position: tuple[int, int]) -> Cell:
    """The cell's shared string. The index must be ASCII digits: int() would also take "-1"
    (the last string) and "١" (Arabic-Indic one), which readers disagree on."""
    found = _INDEX.fullmatch(index)
    if found is None or int(found.group(1)) >= len(shared):
        shown = index.strip()[:12]
        raise ReadError(Code.FILE_CORRUPT, detail=f"单元格{a1(*position)}的共享字符串编号“{shown}”无效")
    return Cell("s", shared[int(found.group(1))], cell.formula)
