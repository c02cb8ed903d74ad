"""Results -> the details of every township, item by item: the rows of the workbook's 逐项得分
and 扣分明细 sheets, and the same as CSV for a round too large for a workbook to open."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from ..inputs.values import plain
from ..results.records import Results
from ..rules.rubric import Rubric

DEDUCTION_COLUMNS = [
    ("乡镇", 14),
    ("编号", 6),
    ("评选项目", 22),
    ("分值", 6),
    ("得分", 6),
    ("扣分", 6),
    ("扣分说明", 50),
    ("评分表位置", 24),
]


def item_rows(results: Results):
    """Township, then its score for every item of the rubric, in rank order."""
    for result in results.townships:
        yield [result.township, *result.scores]


def deduction_rows(rubric: Rubric, results: Results):
    """Every item scored below its maximum, or carrying a remark, with where it was read."""
    entered = [(item.code, item.label, item.maximum) for item in rubric.items if item.entered]
    for result in results.townships:
        township, sheet = result.township, result.sheet
        scores, remarks = sheet.scores, sheet.remarks
        for code, label, maximum in entered:
            got = scores[code]
            remark = remarks.get(code, "")
            if got < maximum or remark:
                where = f"{sheet.file} {sheet.sheet}!{sheet.cells[code]}"
                yield [township, code, label, maximum, got, maximum - got, remark, where]


def write_details_csv(items_path: Path, deductions_path: Path, rubric: Rubric, results: Results) -> None:
    """The per-item scores and the deductions of a large round, as CSV (UTF-8 with BOM, which
    Excel opens as Chinese). Text that a spreadsheet would take for a formula is prefixed with
    an apostrophe, the usual guard, so it is shown, never run."""
    header = ["乡镇", *(item.code for item in rubric.items)]
    _csv(items_path, header, item_rows(results))
    _csv(deductions_path, [title for title, _ in DEDUCTION_COLUMNS], deduction_rows(rubric, results))


def _csv(path: Path, header: list[str], rows) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        for row in rows:
            out.writerow([_csv_value(v) for v in row])


def _csv_value(value):
    if isinstance(value, Decimal):
        # scores are read from plain text (3, 2.5): str gives them back as such, and fast;
        # only an exponent (0E+1 from an odd file) needs spelling out
        text = str(value)
        return text if "E" not in text else plain(value)
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
