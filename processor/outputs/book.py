"""The xlsxwriter set-up every workbook we write shares: formats, widths measured from the text,
A4 print set-up, and text from the input always written as text.

Every text from the input is written with ``write_string`` and the workbook is opened with
string-to-formula and string-to-URL conversion off, so a remark starting with "=" stays text.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import xlsxwriter

OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
GRADE_COLOURS = {0: "#C6EFCE", 1: "#DDEBF7", 2: "#FFF2CC"}  # by band position; no grade stays white
MAX_WIDTH = 50  # characters; longer text wraps


def text_width(text: str) -> int:
    """Column width in Excel's units: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


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
        self.title = self.book.add_format({"bold": True, "font_size": 14})
        self.widths: dict[object, dict[int, int]] = {}  # sheet -> column -> widest text seen
        self.grades = {
            i: self.book.add_format({"border": 1, "align": "center", "bg_color": colour, "bold": True})
            for i, colour in GRADE_COLOURS.items()
        }

    def sheet(self, name: str, headers: list[tuple[str, float]], landscape: bool = True):
        ws = self.book.add_worksheet(name)
        self.widths[ws] = {}
        for col, (title, width) in enumerate(headers):
            ws.write_string(0, col, title, self.head)
            ws.set_column(col, col, width)
            self.widths[ws][col] = width
        ws.freeze_panes(1, 0)
        ws.set_paper(9)  # A4
        if landscape:
            ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
        ws.set_footer("&C第 &P 页，共 &N 页")
        return ws

    def cell(self, ws, row: int, col: int, value, fmt=None) -> None:
        # by exact type first: a large round writes a few hundred thousand cells, mostly these two
        kind = type(value)
        if kind is Decimal:
            ws.write_number(row, col, float(value), fmt or self.score)
        elif kind is str and value:
            ws.write_string(row, col, value, fmt or self.text)
            self._seen(ws, col, value)
        elif value is None or value == "":
            ws.write_blank(row, col, None, fmt or self.text)
        elif isinstance(value, Decimal):
            ws.write_number(row, col, float(value), fmt or self.score)
        elif isinstance(value, bool):
            ws.write_string(row, col, "是" if value else "", fmt or self.center)
        elif isinstance(value, int):
            ws.write_number(row, col, value, fmt or self.whole)
        else:
            text = str(value)
            ws.write_string(row, col, text, fmt or self.text)
            self._seen(ws, col, text)

    def _seen(self, ws, col: int, text: str) -> None:
        """Widen a column to its text (Chinese counts double), up to MAX_WIDTH; beyond, it wraps."""
        widths = self.widths.setdefault(ws, {})
        now = widths.get(col, 0)
        if 2 * len(text) + 2 <= now:
            return  # cannot be wider, even all Chinese: the common case, decided without measuring
        width = text_width(text) + 2
        if width > now:
            widths[col] = min(width, max(MAX_WIDTH, now))
            ws.set_column(col, col, widths[col])

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
        self.book.close()
