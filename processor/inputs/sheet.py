"""Raw workbook -> one validated score sheet, and every problem found in it.

Items are found by their code in the 编号 column, labels by their text, so a sheet whose rows
were moved is read correctly; scores are judged against the rubric whatever the sheet says.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from .. import constants as C
from ..problems import Code, Problem, problem
from ..rules.rubric import Item, Rubric
from ..xlsx import ReadError, Sheet, a1, open_workbook
from .names import text_key
from .scores import Plan
from .values import (
    formula_text,
    is_blank,
    plain,
    read_date,
    read_number,
    read_text,
    uncalculated,
)

HEADER_SEARCH_ROWS = 30
_NAMES = re.compile(
    r"[、，,;；/\s]+"
)  # between the names of a sheet's evaluators  # labels and the column header are looked for in the sheet's first rows


@dataclass
class ScoreSheet:
    file: str
    sheet: str
    township: str = ""
    township_cell: str = ""
    inspectors: str = ""
    date: dt.date | None = None
    scores: dict[str, Decimal] = field(default_factory=dict)  # entered items that read cleanly
    remarks: dict[str, str] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)  # item code -> A1 of its score cell
    inspectors_cell: str = ""
    complete: bool = False  # every entered item has a valid score
    opinion: str = ""  # the inspectors' 评定意见 from the sign-off block
    kind: str = C.KIND_PANEL  # 评定: an evaluators' sheet; 自评: the township's self-assessment
    blank: frozenset[str] = frozenset()  # entered items left blank (a panel may split categories)

    @property
    def evaluators(self) -> tuple[str, ...]:
        """The people the sheet names (李明、王芳 -> 李明, 王芳), as keys."""
        return tuple(text_key(n) for n in _NAMES.split(self.inspectors) if text_key(n))


def read_score_sheet(data: bytes, file: str, rubric: Rubric) -> tuple[ScoreSheet | None, list[Problem]]:
    try:
        wb = open_workbook(data, file, sheets=(C.SCORE_SHEET, C.META_SHEET))
    except ReadError as exc:
        return None, [exc.problem(file)]
    ws = wb.sheets.get(C.SCORE_SHEET)
    if ws is None:
        found = "、".join(n for n in wb.sheet_names if n != C.META_SHEET) or "无"
        return None, [problem(Code.SHEET_MISSING, file=file, expected=C.SCORE_SHEET, found=found)]
    return _SheetReader(ws, file, rubric, wb.date1904).read(wb.sheets.get(C.META_SHEET))


class _SheetReader:
    def __init__(self, ws: Sheet, file: str, rubric: Rubric, date1904: bool):
        self.ws, self.file, self.rubric, self.date1904 = ws, file, rubric, date1904
        self.plan = Plan.of(rubric)
        self.problems: list[Problem] = []
        self.result = ScoreSheet(file=file, sheet=ws.name)
        self._locked_reported: set[tuple[int, int]] = set()
        # One pass over the cells: where each text is (by its key) and which rows each column
        # holds, so that labels, columns and items are found without scanning again.
        self.text_at: dict[str, list[tuple[int, int]]] = {}
        self.rows_in: dict[int, list[int]] = {}
        for (row, col), cell in ws.cells.items():
            self.rows_in.setdefault(col, []).append(row)
            if cell.kind == "s":
                self.text_at.setdefault(text_key(cell.text), []).append((row, col))
        for positions in (*self.text_at.values(), *self.rows_in.values()):
            positions.sort()

    def first(self, label: str, max_row: int | None = None) -> tuple[int, int] | None:
        """Where ``label`` first stands (top to bottom, left to right), optionally above a row."""
        for row, col in self.text_at.get(text_key(label), ()):
            if max_row is None or row <= max_row:
                return row, col
            break
        return None

    def report(self, code: Code, row: int = 0, col: int = 0, **fields) -> None:
        cell = a1(row, col) if row and col else ""
        self.problems.append(problem(code, file=self.file, sheet=self.ws.name, cell=cell, **fields))

    def read(self, meta: Sheet | None) -> tuple[ScoreSheet | None, list[Problem]]:
        if self.ws.state != "visible":
            self.report(Code.SHEET_HIDDEN, expected=C.SCORE_SHEET)
        if not self._rubric_matches(meta):
            return None, self.problems
        labels = self._find_labels()
        self._header_fields(labels)
        columns = self._find_columns()
        if columns is None:
            return self.result, self.problems
        rows = self._item_rows(columns)
        self._items(rows, columns)
        self._total(columns)
        self.result.opinion = self._opinion()
        if not self.ws.protected:
            self.report(Code.PROTECTION_REMOVED)
        return self.result, self.problems

    def _rubric_matches(self, meta: Sheet | None) -> bool:
        if meta is None:
            self.report(Code.NOT_TEMPLATE)
            return True  # read on: the clerk learns everything else that is wrong too
        found = {}
        for (row, col), cell in meta.cells.items():
            if cell.kind == "s" and cell.text in (
                C.META_VERSION_LABEL,
                C.META_FINGERPRINT_LABEL,
                C.META_KIND_LABEL,
            ):
                found[cell.text] = read_text(meta.get(row, col + 1))
        if found.get(C.META_KIND_LABEL) == C.KIND_SELF:
            self.result.kind = C.KIND_SELF
        version = found.get(C.META_VERSION_LABEL, "")
        if found.get(C.META_FINGERPRINT_LABEL) in (self.rubric.fingerprint, *self.rubric.aliases):
            return True
        if not found:
            self.report(Code.NOT_TEMPLATE)
            return True
        shown = version or "未知"
        if version == self.rubric.version:
            shown = f"{version}（内容与本次评分标准不同）"
        self.problems.append(
            problem(Code.RUBRIC_MISMATCH, file=self.file, found=shown, expected=self.rubric.version)
        )
        return False

    @property
    def _people(self) -> str:
        """The label of the people who filled the sheet: 评定人员, or 自评人员 on a self-assessment."""
        return C.LABEL_SELF if self.result.kind == C.KIND_SELF else C.LABEL_INSPECTORS

    def _find_labels(self) -> dict[str, tuple[int, int]]:
        labels = {}
        for label in (C.LABEL_TOWNSHIP, self._people, C.LABEL_DATE):
            found = self.first(label, HEADER_SEARCH_ROWS)
            if found is not None:
                labels[label] = found
        return labels

    def _header_fields(self, labels: dict[str, tuple[int, int]]) -> None:
        def value(label: str):
            if label not in labels:
                self.report(Code.LABEL_MISSING, label=label)
                return None, 0, 0
            row, col = self.ws.right_of(*labels[label])
            return self.ws.get(row, col), row, col

        cell, row, col = value(C.LABEL_TOWNSHIP)
        township = self.text(cell, row, col)
        self.result.township = township
        self.result.township_cell = a1(row, col) if row else ""
        if uncalculated(cell):
            self.report(
                Code.CELL_NOT_CALCULATED, row, col, label=C.LABEL_TOWNSHIP, formula=formula_text(cell)
            )
        elif not text_key(township):
            self.report(Code.TOWNSHIP_MISSING, row, col)
        cell, row, col = value(self._people)
        self.result.inspectors = self.text(cell, row, col)
        self.result.inspectors_cell = a1(row, col) if row else ""
        if not self.result.inspectors:
            self.report(Code.INSPECTORS_MISSING, row, col, label=self._people)
        cell, row, col = value(C.LABEL_DATE)
        day, shown = read_date(cell, self.date1904)
        self.result.date = day
        if day is None:
            self.report(Code.DATE_INVALID if shown else Code.DATE_MISSING, row, col, value=shown)

    def _opinion(self) -> str:
        """The free text right of the 评定意见 label below the table (blank when absent)."""
        found = self.first(C.LABEL_OPINION)
        if not found:
            return ""
        row, col = self.ws.right_of(*found)
        return self.text(self.ws.get(row, col), row, col)

    def text(self, cell, row: int, col: int) -> str:
        """A text the outputs carry; one longer than a workbook cell holds is said, not cut."""
        text = read_text(cell)
        if len(text) > C.EXCEL_CELL_CHARS:
            self.report(Code.TEXT_TOO_LONG, row, col, length=len(text))
        return text

    def _find_columns(self) -> dict[str, int] | None:
        rows: dict[int, dict[str, int]] = {}
        for title in C.SHEET_COLUMNS:
            for row, col in self.text_at.get(text_key(title), ()):
                if row <= HEADER_SEARCH_ROWS:
                    rows.setdefault(row, {}).setdefault(title, col)
        required = (C.COL_CODE, C.COL_SCORE, C.COL_REMARK)
        for row in sorted(rows):
            if all(t in rows[row] for t in required):
                return {"_row": row, **rows[row]}
        self.report(Code.HEADER_MISSING, columns="”“".join(required))
        return None

    def _item_rows(self, columns: dict[str, int]) -> dict[str, int]:
        code_col, header_row = columns[C.COL_CODE], columns["_row"]
        known = self.plan.known
        rows: dict[str, int] = {}
        coded: set[int] = set()  # rows with a known code, duplicates included (reported as such)
        for row in self.rows_in.get(code_col, ()):
            if row <= header_row:
                continue
            code = text_key(read_text(self.ws.get(row, code_col)))
            if code not in known:
                continue
            coded.add(row)
            if code in rows:
                self.report(
                    Code.ITEM_DUPLICATE, row, code_col, item=code, other=a1(rows[code], code_col), value=code
                )
                continue
            rows[code] = row
        for item in self.rubric.items:
            if item.code not in rows:
                self.report(Code.ITEM_MISSING, item=item.code, name=item.name)
        self._stray_scores(coded, columns)
        return rows

    def _stray_scores(self, item_rows: set[int], columns: dict[str, int]) -> None:
        """A score typed in a row that is no item of the rubric (an inserted row, a code
        overwritten with something unknown) is never counted; say so rather than lose it."""
        score_col, code_col, header_row = columns[C.COL_SCORE], columns[C.COL_CODE], columns["_row"]
        for row in self.rows_in.get(score_col, ()):
            cell = self.ws.get(row, score_col)
            if row <= header_row or row in item_rows or cell.formula is not None:
                continue
            col = score_col
            shown = read_text(cell)
            if shown:
                code = read_text(self.ws.get(row, code_col))
                self.report(Code.ITEM_UNKNOWN, row, col, value=_short(shown), found=_short(code) or "空")

    def _items(self, rows: dict[str, int], columns: dict[str, int]) -> None:
        complete = True
        blank: set[str] = set()
        for item in self.rubric.items:
            row = rows.get(item.code)
            if row is None:
                complete = complete and not item.entered
                continue
            self._locked_cells(item, row, columns)
            score_col, remark_col = columns[C.COL_SCORE], columns[C.COL_REMARK]
            remark = read_text(self.ws.get(row, remark_col))
            if len(remark) > C.EXCEL_CELL_CHARS:
                self.report(Code.TEXT_TOO_LONG, row, remark_col, item=item.code, length=len(remark))
            if not item.entered:
                filled = read_text(self.ws.get(row, score_col))
                if filled and filled != C.COMPUTED_SCORE_TEXT:
                    self.report(Code.COMPUTED_ITEM_FILLED, row, score_col, item=item.code, value=filled)
                continue
            self.result.cells[item.code] = a1(row, score_col)
            self.result.remarks[item.code] = remark
            score = self._score(item, row, score_col)
            if score is None:
                complete = False
                if self.problems and self.problems[-1].code is Code.SCORE_BLANK:
                    blank.add(item.code)
                continue
            self.result.scores[item.code] = score
            # an award not earned (0) is no deduction: it needs no reason; a reason is blank as
            # the sheet's own formulas see it (values.is_blank)
            if score < item.maximum and item.kind != "award" and is_blank(self.ws.get(row, remark_col)):
                self.report(
                    Code.REMARK_MISSING,
                    row,
                    remark_col,
                    item=item.code,
                    value=plain(score),
                    maximum=plain(item.maximum),
                    deduction=plain(item.maximum - score),
                )
        self.result.complete = complete
        self.result.blank = frozenset(blank)

    def _score(self, item: Item, row: int, col: int) -> Decimal | None:
        score, found = self.plan.verdict(item, self.ws.cells.get((row, col)), self.date1904)
        for code, params in found:
            self.report(code, row, col, **params)
        return score

    def _locked_cells(self, item: Item, row: int, columns: dict[str, int]) -> None:
        """Compare the fixed cells of an item's row with the rubric and say what changed."""
        for column, want in self.plan.fixed[item.code].items():
            col = columns.get(column)
            if col is None:
                continue
            top, left, _, _ = self.ws.merged_range(row, col)
            cell = self.ws.get(top, left)
            if cell is not None and cell.kind == "s" and cell.text == want:
                continue  # as the template wrote it: the common case, decided without normalising
            found = read_text(cell)
            # a category cell is merged over its items' rows: one report, at the cell one sees
            unchanged = text_key(found) == text_key(want)
            if not unchanged and (top, left) not in self._locked_reported:
                self._locked_reported.add((top, left))
                self.report(
                    Code.LOCKED_CELL_EDITED,
                    top,
                    left,
                    item=item.code,
                    column=column,
                    expected=_short(want),
                    value=_short(found),
                )
        col = columns.get(C.COL_MAXIMUM)
        if col is not None:
            cell = self.ws.get(row, col)
            if cell is not None and cell.kind == "n" and cell.text == self.plan.fields[item.code]["maximum"]:
                return
            reading = read_number(cell, date1904=self.date1904)
            if reading.number != item.maximum:
                self.report(
                    Code.MAXIMUM_EDITED,
                    row,
                    col,
                    item=item.code,
                    value=reading.shown or "空",
                    expected=plain(item.maximum),
                )

    def _total(self, columns: dict[str, int]) -> None:
        """Compare the sheet's own total, where Excel has calculated it, with the cells' sum."""
        if not self.result.complete:
            return
        score_col = columns[C.COL_SCORE]
        total_key = text_key(C.TOTAL_LABEL)
        labels = sorted(p for key, at in self.text_at.items() if key.startswith(total_key) for p in at)
        for row, col in labels:
            if col >= score_col:
                continue
            shown = self.ws.get(row, score_col)
            if shown is None or shown.kind != "n":
                return  # never calculated (a sheet written by a program): nothing to compare
            total = read_number(shown).number
            expected = sum(self.result.scores.values(), Decimal(0))
            if total is not None and total != expected:
                computed = "、".join(f"{i.code}{i.name}" for i in self.rubric.computed_items)
                self.report(
                    Code.TOTAL_MISMATCH,
                    row,
                    score_col,
                    value=plain(total),
                    expected=plain(expected),
                    computed=computed,
                )
            return


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
