"""The xlsx stage: file -> ``Workbook``. The only package that knows the xlsx format.

    gate       every limit and refusal, before anything is inflated or parsed (read this for
               a security review)
    reader     the package's parts -> Workbook (sheets asked for, parsed into cells)
    cells      XML elements -> cells, strings, a sheet's frame
    repeated   the fast path: each distinct row of sheets made from one template parsed once
    model      Workbook, Sheet, Cell, A1 addresses, ReadError
    save       writing a workbook reproducibly (the same workbook gives the same bytes)

Numbers are kept as the text written in the file, so no float rounding happens before the
scores become decimals. Everything above this package sees only ``Workbook``, ``Sheet`` and
``Cell``; a faster reader can replace it behind the same interface.

A cell far outside the score table (say XFD1048576) costs nothing because cells are kept in a
dict; such a sheet is read normally and the stray cell is ignored unless it sits where an item
or label is looked for.
"""

from .gate import read_bytes
from .model import Cell, ReadError, Sheet, Workbook, a1, column_letter, split_ref
from .reader import open_workbook

__all__ = [
    "Cell",
    "ReadError",
    "Sheet",
    "Workbook",
    "a1",
    "column_letter",
    "open_workbook",
    "read_bytes",
    "split_ref",
]
