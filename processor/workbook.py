"""Results -> the consolidated workbook and the validation report (xlsxwriter).

Every text from the input is written with ``write_string`` and the workbook is opened with
string-to-formula and string-to-URL conversion off, so a remark starting with "=" stays text.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from . import __version__
from . import constants as C
from .collect import Round
from .grading import Results
from .problems import Problem
from .scoring import category_means
from .values import plain

OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
GRADE_COLOURS = {0: "#C6EFCE", 1: "#DDEBF7", 2: "#FFF2CC"}  # by band position; no grade stays white
CHART_COLOURS = {0: "#2E7D32", 1: "#1F6FB2", 2: "#D4A017", -1: "#A6A6A6"}  # the same bands, solid
MAX_WIDTH = 50  # characters; longer text wraps


def text_width(text: str) -> int:
    """Column width in Excel's units: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class _Writer:
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
        if value is None or value == "":
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


def item_rows(round_: Round, results: Results):
    """Township, then its score for every item of the rubric, in rank order."""
    codes = [item.code for item in round_.rubric.items]
    # one reindex and plain rows: a cell-by-cell .at lookup costs seconds at a national scale
    ordered = results.scores.items.loc[list(results.table["township"]), codes]
    for township, values in zip(ordered.index, ordered.to_numpy(dtype=object), strict=True):
        yield [township, *values]


def deduction_rows(round_: Round, results: Results):
    """Every item scored below its maximum, or carrying a remark, with where it was read."""
    sheets = {s.township: s for s in round_.sheets}
    entered = [(item.code, item.label, item.maximum) for item in round_.rubric.items if item.entered]
    for township in results.table["township"]:
        sheet = sheets[township]
        scores, remarks = sheet.scores, sheet.remarks
        for code, label, maximum in entered:
            got = scores[code]
            remark = remarks.get(code, "")
            if got < maximum or remark:
                where = f"{sheet.file} {sheet.sheet}!{sheet.cells[code]}"
                yield [township, code, label, maximum, got, maximum - got, remark, where]


def write_details_csv(items_path: Path, deductions_path: Path, round_: Round, results: Results) -> None:
    """The per-item scores and the deductions of a large round, as CSV (UTF-8 with BOM, which
    Excel opens as Chinese). Text that a spreadsheet would take for a formula is prefixed with
    an apostrophe, the usual guard, so it is shown, never run."""
    header = ["乡镇", *(item.code for item in round_.rubric.items)]
    _csv(items_path, header, item_rows(round_, results))
    _csv(deductions_path, [title for title, _ in DEDUCTION_COLUMNS], deduction_rows(round_, results))


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


def write_consolidated(path: Path, round_: Round, results: Results, details: bool = True) -> None:
    """``details``: the per-item and deduction sheets in the workbook (a large round writes
    them as CSV beside it instead, see ``write_details_csv``)."""
    rubric, settings = round_.rubric, round_.settings
    w = _Writer(path, settings.publication_date, large=not details)
    table = results.table
    sheets = {s.township: s for s in round_.sheets}
    band_index = {grade: i for i, grade in enumerate(settings.grades[:-1])}

    categories = [(c.name, c.total) for c in rubric.categories]
    headers = (
        [("排名", 6), ("乡镇", 14)]
        + [(f"{name}（{plain(total)}）", 11) for name, total in categories]
        + [
            (f"总分（{plain(rubric.total)}）", 9),
            ("初评等级", 8),
            ("降级情况", 40),
            ("等级", 8),
            ("绩效加分", 8),
            ("并列跨等级界线", 10),
            ("评定人员", 14),
            ("评定日期", 11),
            (C.LABEL_OPINION, 40),
            ("评分表文件", 24),
        ]
    )
    ws = w.sheet(C.OUT_SUMMARY, headers)
    ws.set_row(0, 30)
    grade_col = [title for title, _ in headers].index("等级")
    for i, row in enumerate(table.to_dict("records"), start=1):
        sheet = sheets[row["township"]]
        values = [
            int(row["rank"]),
            row["township"],
            *(row[name] for name, _ in categories),
            row["total"],
            row["initial"],
            row["downgrade"] or "无",
            row["final"],
            row["bonus"],
            bool(row["boundary_tie"]),
            sheet.inspectors,
            sheet.date.isoformat() if sheet.date else "",
            sheet.opinion,
            sheet.file,
        ]
        for col, value in enumerate(values):
            # the final grade coloured by its band
            fmt = w.grades.get(band_index.get(row["final"], -1), w.center) if col == grade_col else None
            w.cell(ws, i, col, value, fmt)
    ws.autofilter(0, 0, max(len(table), 1), len(headers) - 1)

    _charts(w, round_, results)

    if details:
        # Per-item scores: a row per township, a column per item, maxima in the second header row.
        ws = w.sheet(C.OUT_ITEMS, [("乡镇", 14)] + [(item.code, 6) for item in rubric.items])
        ws.write_string(1, 0, "分值", w.head)
        for col, item in enumerate(rubric.items, start=1):
            ws.write_comment(0, col, f"{item.code} {item.label}")
            ws.write_number(1, col, float(item.maximum), w.score)
        ws.freeze_panes(2, 1)
        ws.repeat_rows(0, 1)
        for r, values in enumerate(item_rows(round_, results), start=2):
            for col, value in enumerate(values):
                w.cell(ws, r, col, value)
        ws = w.sheet(C.OUT_DEDUCTIONS, DEDUCTION_COLUMNS)
        w.rows(ws, deduction_rows(round_, results))

    (computed,) = rubric.computed_items
    ws = w.sheet(
        C.OUT_CASES,
        [("排名", 6), ("单位", 18), ("办件数量", 10), (f"{computed.code}得分", 8), ("参评乡镇", 14)],
        landscape=False,
    )
    w.rows(
        ws,
        (
            [int(r.rank), r.unit, int(r.count), r.points, r.township]
            for r in results.scores.cases.itertuples()
        ),
    )

    ws = w.sheet(
        C.OUT_CRITICISMS,
        [("乡镇", 14), ("日期", 11), ("来源", 14), ("事由", 40), ("处理", 14), ("通报批评记录表位置", 18)],
    )
    w.rows(
        ws,
        (
            [
                c.township,
                c.date.isoformat(),
                c.source,
                c.reason,
                c.action or "按方案降低一个等级",
                f"{c.sheet}!{c.cell}",
            ]
            for c in sorted(round_.criticisms, key=lambda c: (c.date, c.township))
        ),
    )

    _problems_sheet(w, round_.problems)
    _manifest(w, round_)
    w.close()


def _charts(w: _Writer, round_: Round, results: Results) -> None:
    """Native Excel charts over a small table on the same sheet (so the numbers are there to check):
    totals by township, one series per final grade; category averages against their maxima."""
    grades = list(round_.settings.grades)
    table = results.table
    # Beyond a hundred bars a chart is unreadable: show the first hundred and say so.
    rows = table.head(C.CHART_TOWNSHIPS).to_dict("records")
    shown = "" if len(table) <= C.CHART_TOWNSHIPS else f"（前{C.CHART_TOWNSHIPS}名）"
    ws = w.sheet(C.OUT_CHARTS, [("乡镇", 12), *((g, 8) for g in grades)])
    for r, row in enumerate(rows, start=1):
        w.cell(ws, r, 0, row["township"])
        for col, grade in enumerate(grades, start=1):
            w.cell(ws, r, col, row["total"] if row["final"] == grade else None, w.score)
    last = len(rows)

    totals = w.book.add_chart({"type": "column"})
    for col, grade in enumerate(grades, start=1):
        if grade not in {row["final"] for row in rows}:
            continue
        colour = CHART_COLOURS[-1] if col == len(grades) else CHART_COLOURS.get(col - 1, "#5B9BD5")
        totals.add_series(
            {
                "name": [C.OUT_CHARTS, 0, col],
                "categories": [C.OUT_CHARTS, 1, 0, last, 0],
                "values": [C.OUT_CHARTS, 1, col, last, col],
                "fill": {"color": colour},
                "border": {"none": True},
                "data_labels": {"value": True, "num_format": "0.0", "font": {"size": 8}},
                # Each township has a value in one grade's column only: full overlap keeps the
                # bars centred on their township.
                "overlap": 100,
                "gap": 50,
            }
        )
    totals.set_title({"name": f"各乡镇总分{shown}（按等级着色）", "name_font": {"size": 12}})
    totals.set_chartarea({"border": {"none": True}})
    totals.set_plotarea({"border": {"none": True}})
    low = min((float(row["total"]) for row in rows), default=0)
    totals.set_y_axis(
        {"name": "总分", "num_format": "0", "min": max(0, int(low) // 10 * 10 - 10), "max": 100}
    )
    totals.set_x_axis({"num_font": {"rotation": -45}})
    totals.set_legend({"position": "top"})
    totals.set_size({"width": 760, "height": 360})
    ws.insert_chart(0, len(grades) + 2, totals)

    # Categories: county average against the maximum.
    rubric = round_.rubric
    means = category_means(results.scores)
    top = last + 3
    for col, title in enumerate(("项目", "分值", "全县平均", "平均得分率")):
        ws.write_string(top, col, title, w.head)
    percent = w.book.add_format({"border": 1, "num_format": "0.0%", "align": "center"})
    for r, category in enumerate(rubric.categories, start=top + 1):
        mean = means[category.name]
        w.cell(ws, r, 0, category.name)
        w.cell(ws, r, 1, category.total)
        w.cell(ws, r, 2, mean.quantize(Decimal("0.1")))
        ws.write_number(r, 3, float(mean / category.total), percent)
    end = top + len(rubric.categories)
    bars = w.book.add_chart({"type": "bar"})
    for col, colour in ((1, "#D9D9D9"), (2, "#1F6FB2")):
        bars.add_series(
            {
                "name": [C.OUT_CHARTS, top, col],
                "categories": [C.OUT_CHARTS, top + 1, 0, end, 0],
                "values": [C.OUT_CHARTS, top + 1, col, end, col],
                "fill": {"color": colour},
                "data_labels": {"value": True, "num_format": "0.0", "font": {"size": 8}},
                "overlap": 100,  # the average drawn over its maximum, like a filled gauge
                "gap": 60,
            }
        )
    bars.set_title({"name": "各类得分：全县平均与分值", "name_font": {"size": 12}})
    bars.set_y_axis({"reverse": True})
    bars.set_x_axis({"name": "分", "min": 0})
    bars.set_legend({"position": "top"})
    bars.set_size({"width": 760, "height": 320})
    ws.insert_chart(20, len(grades) + 2, bars)
    ws.fit_to_pages(1, 1)


def write_validation_report(path: Path, round_: Round, when: dt.date) -> None:
    w = _Writer(path, when)
    _problems_sheet(w, round_.problems)
    _manifest(w, round_)
    w.close()


PROBLEM_COLUMNS = [
    ("级别", 6),
    ("文件", 24),
    ("工作表", 10),
    ("单元格", 8),
    ("编号", 6),
    ("表中的值", 14),
    ("问题", 50),
    ("处理办法", 40),
    ("代码", 22),
]


def problem_row(p: Problem) -> list[str]:
    return [p.severity.value, p.file, p.sheet, p.cell, p.item, p.value, p.message, p.fix, p.code.value]


def _problems_sheet(w: _Writer, problems: list[Problem]) -> None:
    ws = w.sheet(C.OUT_PROBLEMS, PROBLEM_COLUMNS)
    if not problems:
        ws.write_string(1, 0, "未发现问题")
        return
    w.rows(ws, (problem_row(p) for p in problems))


def _manifest(w: _Writer, round_: Round) -> None:
    ws = w.sheet(C.OUT_MANIFEST, [("文件", 30), ("类型", 14), ("大小（字节）", 12), ("SHA-256", 70)])
    last = w.rows(ws, ([f.name, f.role, f.size, f.sha256] for f in round_.files))
    facts = [
        ("评分标准", round_.rubric.title),
        ("评分标准版本", round_.rubric.version),
        ("评分标准指纹", round_.rubric.fingerprint),
        ("程序版本", __version__),
    ]
    for i, (label, value) in enumerate(facts, start=last + 2):
        ws.write_string(i, 0, label, w.head)
        ws.write_string(i, 1, value)
