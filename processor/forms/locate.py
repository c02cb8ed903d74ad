"""Finding the parts of an openpyxl score sheet by their labels, as the batch does (never by
fixed positions): the row of each item, the column of a title, the input cell of a label."""

from __future__ import annotations

from .. import constants as C


def item_rows(ws) -> dict[str, int]:
    """Item code -> row, read from the 编号 column of the template's header row."""
    for row in ws.iter_rows(max_row=20):
        for cell in row:
            if cell.value == C.COL_CODE:
                code_col, header_row = cell.column, cell.row
                return {
                    str(ws.cell(r, code_col).value): r
                    for r in range(header_row + 1, ws.max_row + 1)
                    if ws.cell(r, code_col).value
                }
    raise ValueError("template has no 编号 column")


def column_of(ws, title: str) -> int:
    for row in ws.iter_rows(max_row=20):
        for cell in row:
            if cell.value == title:
                return cell.column
    raise ValueError(f"template has no {title} column")


def label_value_cell(ws, label: str):
    """The input cell right of a label (past the label's merged range)."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == label:
                end = cell.column
                for merged in ws.merged_cells.ranges:
                    if cell.coordinate in merged:
                        end = merged.max_col
                return ws.cell(cell.row, end + 1)
    raise ValueError(f"template has no label {label}")
