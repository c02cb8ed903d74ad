"""The xlsxwriter set-up every workbook we write shares: formats, widths measured from the text,
A4 print set-up, and text from the input always written as text.

Every text from the input is written with ``write_string`` and the workbook is opened with
string-to-formula and string-to-URL conversion off, so a remark starting with "=" stays text.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from .printing import layout

OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
GRADE_COLOURS = {0: "#C6EFCE", 1: "#DDEBF7", 2: "#FFF2CC"}  # by band position; no grade stays white
MAX_WIDTH = 50  # characters; longer text wraps
PROSE = 40  # a column declared this wide is for running text: it wraps at its width, never widens
WIDE = 2.1  # Excel units of a Chinese character: 11 points (14.7 px) in units of 7 px
LINE_POINTS = 16.5  # a wrapped line of 11-point text (Chinese fonts stand taller than Calibri's 15)
ROW_PADDING = 3  # points above and below the lines of a wrapped row


@functools.lru_cache(maxsize=1 << 16)  # a round repeats its labels, names and remarks
def text_width(text: str) -> float:
    """The width of ``text`` in Excel's units (a Chinese character takes about two)."""
    return sum(WIDE if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@functools.lru_cache(maxsize=1 << 16)  # the same labels wrap in the same columns on every row
def lines_needed(text: str, width: float) -> int:
    """Lines a wrapping cell ``width`` units wide needs for ``text`` (each line break counts)."""
    usable = max(width - 1, 1)  # the cell's padding, and a little for breaks between words
    return sum(max(1, math.ceil(text_width(part) / usable)) for part in text.split("\n"))


def row_points(lines: int) -> float:
    return lines * LINE_POINTS + 2 * ROW_PADDING


class Writer:
    def __init__(self, path: Path, when: dt.date, large: bool = False):
        # constant_memory writes each row out as it is finished: memory stays flat however many
        # townships a round has (rows must then be written in order, which they are).
        self.book = xlsxwriter.Workbook(
            str(path), {**OPTIONS, "constant_memory": large, "in_memory": not large}
        )
        # A fixed document date makes the same inputs give the same bytes.
        self.book.set_properties(
            {"created": dt.datetime(when.year, when.month, when.day), "author": "processor"}
        )
        self.head = self.book.add_format(
            {
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
            }
        )
        self.text = self.book.add_format({"border": 1, "valign": "vcenter", "text_wrap": True})
        self.center = self.book.add_format({"border": 1, "align": "center", "valign": "vcenter"})
        self.score = self.book.add_format(
            {"border": 1, "num_format": "0.0", "align": "center", "valign": "vcenter"}
        )
        self.whole = self.book.add_format(
            {"border": 1, "num_format": "0", "align": "center", "valign": "vcenter"}
        )
        self.date = self.book.add_format(
            {"border": 1, "num_format": "yyyy-mm-dd", "align": "center", "valign": "vcenter"}
        )
        self.title = self.book.add_format({"bold": True, "font_size": 14})
        self.widths: dict[object, dict[int, float]] = {}  # sheet -> column -> widest text seen
        self.heights: dict[object, dict[int, float]] = {}  # sheet -> row -> points its text needs
        self.prints: dict[object, tuple] = {}  # sheet -> how it prints (see ``sheet``)
        self.grades = {
            i: self.book.add_format(
                {"border": 1, "align": "center", "valign": "vcenter", "bg_color": colour, "bold": True}
            )
            for i, colour in GRADE_COLOURS.items()
        }

    def sheet(
        self,
        name: str,
        headers: list[tuple[str, float]],
        landscape: bool = True,
        keep: int = 1,
        groups: list[list[int]] | None = None,
        fit_width: bool = False,
    ):
        """A sheet with its header row. Printed on A4 with the header on every page; the
        ``keep`` first columns say whose row it is and repeat on every page when the columns do
        not fit one page legibly; ``groups`` are runs of columns best printed together
        (``printing.layout``, decided on closing); ``fit_width``: fitted to the page's width instead
        (a sheet of charts, which are no columns the layout could measure)."""
        ws = self.book.add_worksheet(name)
        self.widths[ws], self.heights[ws] = {}, {}
        lines = 1
        for col, (title, width) in enumerate(headers):
            ws.write_string(0, col, title, self.head)
            ws.set_column(col, col, width)
            self.widths[ws][col] = width
            lines = max(lines, lines_needed(title, width))
        if lines > 1:
            ws.set_row(0, row_points(lines))
        ws.freeze_panes(1, 0)
        ws.set_paper(9)  # A4
        if landscape:
            ws.set_landscape()
        ws.set_margins(left=0.5, right=0.5)  # printing.SIDE_MARGIN
        ws.repeat_rows(0)
        ws.set_footer("&C第 &P 页，共 &N 页")
        self.prints[ws] = (landscape, keep, groups, fit_width)
        return ws

    def cell(self, ws, row: int, col: int, value, fmt=None) -> None:
        # by exact type first: a large round writes a few hundred thousand cells, mostly these two
        kind = type(value)
        if kind is Decimal:
            ws.write_number(row, col, float(value), fmt or self.score)
        elif kind is str and value:
            ws.write_string(row, col, value, fmt or self.text)
            self._fit(ws, row, col, value)
        elif value is None or value == "":
            ws.write_blank(row, col, None, fmt or self.text)
        elif isinstance(value, Decimal):
            ws.write_number(row, col, float(value), fmt or self.score)
        elif isinstance(value, bool):
            ws.write_string(row, col, "是" if value else "", fmt or self.center)
        elif isinstance(value, int):
            ws.write_number(row, col, value, fmt or self.whole)
        elif isinstance(value, dt.date):
            ws.write_datetime(row, col, value, fmt or self.date)  # a date, sortable and filterable
        else:
            text = str(value)
            ws.write_string(row, col, text, fmt or self.text)
            self._fit(ws, row, col, text)

    def _fit(self, ws, row: int, col: int, text: str) -> None:
        """Widen a column to its text, up to MAX_WIDTH; beyond, the text wraps, and its row is
        made as tall as its lines need: no program is trusted to fit rows on opening
        (LibreOffice prints the text over the rows below)."""
        widths = self.widths[ws]
        now = widths.get(col, 0)
        narrow = text.isascii()  # a file name, a hash, a number: as wide as it is long
        if (len(text) if narrow else WIDE * len(text)) + 2 <= now and "\n" not in text:
            return  # cannot be wider, even all Chinese: the common case, decided without measuring
        width = (len(text) if narrow else math.ceil(text_width(text))) + 2
        if width > now and now < PROSE:
            now = widths[col] = min(width, max(MAX_WIDTH, now))
            ws.set_column(col, col, now)
        if width <= now and "\n" not in text:
            return  # one line: lines_needed would say so
        lines = lines_needed(text, now)
        if lines > 1 and row_points(lines) > self.heights[ws].get(row, 0):
            self.heights[ws][row] = row_points(lines)
            ws.set_row(row, row_points(lines))

    def rows(self, ws, rows: Iterable[list], formats: list | None = None, start: int = 1) -> int:
        row = start - 1
        for row, values in enumerate(rows, start=start):
            for col, value in enumerate(values):
                self.cell(ws, row, col, value, formats[col] if formats else None)
        last = max(row, start - 1)
        if last >= start:
            ws.autofilter(0, 0, last, len(values) - 1)
        return last

    def close(self) -> None:
        for ws, (landscape, keep, groups, fit_width) in self.prints.items():
            if fit_width:
                ws.fit_to_pages(1, 0)
                continue
            widths = self.widths[ws]
            found = layout([widths.get(c, 8.43) for c in range(max(widths) + 1)], keep, groups, landscape)
            ws.set_print_scale(found.scale)
            if found.breaks:
                ws.set_v_pagebreaks(list(found.breaks))
            ws.repeat_columns(0, found.repeat - 1)
        self.book.close()
