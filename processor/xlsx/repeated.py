"""The fast path for the two big parts of a workbook, the worksheet and the shared strings:
sheets made from one template repeat most of their rows byte for byte, and each distinct row
is parsed once (see ``RepeatedParts``). It gives exactly what the full parse in ``cells`` gives,
or declines and leaves the part to it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import TypeVar

from .cells import Frame, derived, frame, namespace, row_cells, shared_cell, small_int, text_of
from .gate import MAX_CELLS, check_xml, declared_encoding, markup
from .model import Cell, ReadError, Sheet

T = TypeVar("T")


class RepeatedParts:
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
                    cells[position] = shared_cell(shared, index, cell, position)
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
            check_xml(skeleton, part)  # as every part that enters the parse cache
            return derived(skeleton, part, derive)
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
    if declared_encoding(raw) not in (None, b"utf-8"):
        return None  # the rows are parsed without the declaration, that is as UTF-8
    if markup(raw, b"!", 0, end) >= 0 or markup(raw, b"?", declaration.end() if declaration else 0, end) >= 0:
        return None
    if not many and (raw.find(open_tag[:-1], 0, start) >= 0 or raw.find(open_tag[:-1], end) >= 0):
        return None  # another element of the name before or after (one within is refused by row)
    body = raw[start + len(open_tag) : end]
    if b"xmlns" in body or b"\r" in body:  # a namespace change; line ends the parser would alter
        return None
    return raw[:start] + marker + raw[end + len(close_tag) :], body


_DECLARATION = re.compile(rb"<\?xml\s[^<>?]*\?>")


def _sheet_skeleton(root: ET.Element) -> Frame | None:
    return None if _skeleton_ok(root, "sheetData", ("row", "c")) is None else frame(root, "")


def _strings_skeleton(root: ET.Element) -> ET.Element | None:
    return _skeleton_ok(root, "si", ())


def _skeleton_ok(root: ET.Element, marker: str, absent: tuple[str, ...]) -> ET.Element | None:
    """``root`` if the marker put in the rows' place is the only element of its name, empty
    and in the part's own namespace (so the rows are too), and no row or cell stands
    elsewhere; else None."""
    ns = namespace(root)
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
        r = small_int(row.get("r"))
        if row.tag != "row" or r is None:
            return None
        if any(
            el.tag in ("row", "mergeCell", "sheetData", "sheetProtection")
            for el in row.iter()
            if el is not row
        ):
            return None
        try:
            n, cells = row_cells(row, "", r, date_styles)
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
    return text_of(si, "")


_UNSEEN = object()  # not in a cache (None is a remembered answer: the part was declined)
PARTS = RepeatedParts()  # one per process: the batch reads in worker processes, never threads
