"""What the rest of the program sees of a workbook: ``Workbook``, ``Sheet`` and ``Cell``, cell
addresses (A1), and ``ReadError`` for a file that cannot be read as one."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from ..problems import Code, Problem, problem

MAX_ROW, MAX_COL = 1_048_576, 16_384
SMALL_MERGE = 4096  # merged ranges up to this many cells are indexed cell by cell,
MERGE_INDEX_CELLS = 100_000  # up to this many cells in all


class ReadError(Exception):
    """The file cannot be read as a workbook; ``code`` and ``params`` fill the problem message."""

    def __init__(self, code: Code, **params: str):
        super().__init__(code, params)
        self.code = code
        self.params = params

    def problem(self, file: str, **extra: str) -> Problem:
        """The problem the clerk sees for this file (``extra`` fills more of the message)."""
        return problem(self.code, file=file, **{**extra, **self.params})


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


def column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@functools.lru_cache(maxsize=4096)  # one string per position: every sheet's G12 is the same object
def a1(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"
