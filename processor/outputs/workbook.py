"""Results -> the consolidated workbook (xlsxwriter): the summary, charts, every item of every
township, the deductions with their remarks and cells, the case-count ranking, the criticisms,
the problem list and the manifest of the files read."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from .. import constants as C
from ..inputs.round import Round
from ..inputs.values import plain
from ..problems import Problem
from ..results.records import Results
from .book import Writer
from .comparison import Comparison
from .details import DEDUCTION_COLUMNS, deduction_rows, item_rows
from .panel_sheets import write_panel_sheets
from .report import manifest, problems_sheet
from .wording import action_text, downgrade_text, limits_text

CHART_COLOURS = {0: "#2E7D32", 1: "#1F6FB2", 2: "#D4A017", -1: "#A6A6A6"}  # the grade bands, solid
TOTALS_WIDTH = 760  # pixels, the charts' width
PLOT_SHARE = 0.85  # of a chart's width left to its bars after the axis and its title
LABEL_WIDE, LABEL_TALL = 24, 12  # pixels a data label "95.0" of 8 points takes, lying and standing


def _column_labels(bars: int) -> dict | None:
    """Each bar's total above it where there is room: lying while the bars are wider than the
    label, standing while they are wider than its height, and none beyond (the table beside the
    chart has the numbers)."""
    slot = TOTALS_WIDTH * PLOT_SHARE / max(bars, 1)
    if slot >= LABEL_WIDE:
        return {"value": True, "num_format": "0.0", "font": {"size": 8}}
    if slot >= LABEL_TALL:
        return {"value": True, "num_format": "0.0", "font": {"size": 8, "rotation": -90}}
    return None


def write_consolidated(
    path: Path,
    round_: Round,
    results: Results,
    problems: list[Problem],
    details: bool = True,
    comparison: Comparison | None = None,
) -> None:
    """``details``: the per-item and deduction sheets in the workbook (a large round writes
    them as CSV beside it instead, see ``details.write_details_csv``). ``problems``: the
    round's problems and the run's notes for the leading group, as the 问题清单 lists them."""
    rubric, settings = round_.rubric, round_.settings
    w = Writer(path, settings.publication_date, large=not details)
    band_index = {grade: i for i, grade in enumerate(rubric.grading.names[:-1])}
    # a column for required scores and vetoes only where the rubric has them (not this county's)
    limits = bool(rubric.grading.vetoes) or any(x.required for x in (*rubric.items, *rubric.categories))

    categories = [(c.name, c.total) for c in rubric.categories]
    headers = (
        [("排名", 6), ("乡镇", 14)]
        + [(f"{name}（{plain(total)}）", 11) for name, total in categories]
        + [
            (f"总分（{plain(rubric.total)}）", 9),
            ("初评等级", 8),
            ("降级情况", 40),
            *((("等级限制", 40),) if limits else ()),
            ("等级", 8),
            ("绩效加分", 8),
            ("并列跨等级界线", 10),
            ("评定人员", 14),
            ("评定日期", 11),
            (C.LABEL_OPINION, 40),
            ("评分表文件", 24),
        ]
    )
    # printed over pages across when it must: the scores, the grading, the sheet's own facts,
    # each page with the rank and the township
    first_grading = 2 + len(categories) + 1
    groups = [
        list(range(2, first_grading)),
        list(range(first_grading, first_grading + 5)),
        list(range(first_grading + 5, len(headers))),
    ]
    ws = w.sheet(C.OUT_SUMMARY, headers, keep=2, groups=groups)
    grade_col = [title for title, _ in headers].index("等级")
    for i, result in enumerate(results.townships, start=1):
        sheet = result.sheet
        values = [
            result.rank,
            result.township,
            *result.subtotals,
            result.total,
            result.initial,
            downgrade_text(result) or "无",
            *((limits_text(result) or "无",) if limits else ()),
            result.final,
            result.bonus,
            result.boundary_tie,
            sheet.inspectors,
            sheet.date,
            sheet.opinion,
            sheet.file,
        ]
        for col, value in enumerate(values):
            # the final grade coloured by its band
            fmt = w.grades.get(band_index.get(result.final, -1), w.center) if col == grade_col else None
            w.cell(ws, i, col, value, fmt)
    ws.autofilter(0, 0, max(len(results.townships), 1), len(headers) - 1)

    _charts(w, round_, results)

    if details:
        # Per-item scores: a row per township, a column per item, maxima in the second header row.
        by_category = {}
        for col, item in enumerate(rubric.items, start=1):
            by_category.setdefault(item.category, []).append(col)
        ws = w.sheet(
            C.OUT_ITEMS,
            [("乡镇", 14)] + [(item.code, 6) for item in rubric.items],
            groups=list(by_category.values()),
        )
        ws.write_string(1, 0, "分值", w.head)
        for col, item in enumerate(rubric.items, start=1):
            ws.write_comment(0, col, f"{item.code} {item.label}")
            ws.write_number(1, col, float(item.maximum), w.score)
        ws.freeze_panes(2, 1)
        ws.repeat_rows(0, 1)
        write_number, score = ws.write_number, w.score
        for r, (township, *scores) in enumerate(item_rows(results), start=2):
            w.cell(ws, r, 0, township)
            for col, value in enumerate(scores, start=1):  # every one a Decimal
                write_number(r, col, float(value), score)
        ws = w.sheet(C.OUT_DEDUCTIONS, DEDUCTION_COLUMNS)
        # the province's longest sheet (five or more rows a township): its three numbers written
        # as the numbers they are, the texts through the writer, which fits their columns
        cell, write_number, last = w.cell, ws.write_number, 0
        for last, (township, code, label, *numbers, remark, where) in enumerate(
            deduction_rows(rubric, results), start=1
        ):
            cell(ws, last, 0, township)
            cell(ws, last, 1, code)
            cell(ws, last, 2, label)
            for col, value in enumerate(numbers, start=3):
                write_number(last, col, float(value), score)
            cell(ws, last, 6, remark)
            cell(ws, last, 7, where)
        if last:
            ws.autofilter(0, 0, last, len(DEDUCTION_COLUMNS) - 1)

    for computed in rubric.computed_items:
        ws = w.sheet(
            C.OUT_CASES,
            [("排名", 6), ("单位", 18), ("办件数量", 10), (f"{computed.code}得分", 8), ("参评乡镇", 14)],
            landscape=False,
            keep=2,
        )
        w.rows(ws, ([r.rank, r.unit, r.count, r.points, r.township] for r in results.cases))

    ws = w.sheet(
        C.OUT_CRITICISMS,
        [("乡镇", 14), ("日期", 11), ("来源", 14), ("事由", 40), ("处理", 14), ("通报批评记录表位置", 18)],
    )
    w.rows(
        ws,
        (
            [
                c.township,
                c.date,
                c.source,
                c.reason,
                action_text(c),
                f"{c.sheet}!{c.cell}",
            ]
            for c in sorted(round_.criticisms, key=lambda c: (c.date, c.township))
        ),
    )

    write_panel_sheets(w, rubric, results)
    if comparison is not None:
        _comparison(w, rubric, comparison, results)
    _rubric_items(w, rubric)
    problems_sheet(w, problems)
    manifest(w, round_)
    w.close()


def _rubric_items(w: Writer, rubric) -> None:
    """The table this round used, so that the next round compares item by item only where an
    item's code, name and maximum are unchanged."""
    ws = w.sheet(C.OUT_RUBRIC_ITEMS, [("编号", 6), ("类别", 12), ("项目", 30), ("分值", 6), ("计分方式", 10)])
    kinds = {kind: name for name, kind in C.KIND_NAMES.items()}
    w.rows(
        ws,
        (
            [item.code, rubric.category(item.category).name, item.name, item.maximum, kinds[item.kind]]
            for item in rubric.items
        ),
    )


def _comparison(w: Writer, rubric, comparison: Comparison, results: Results) -> None:
    label = comparison.label
    names = [c.name for c in rubric.categories]
    headers = [
        ("乡镇", 14),
        (f"{label}总分", 9),
        ("本轮总分", 9),
        ("变化", 7),
        (f"{label}等级", 8),
        ("本轮等级", 8),
    ]
    headers += [(f"{name}变化", 9) for name in names]
    ws = w.sheet(C.OUT_COMPARISON, headers)
    grade_of = {r.township: r.final for r in results.townships}
    rows = []
    for township, found in comparison.townships.items():
        if found.past is None:
            rows.append(
                [township, None, None, None, "未参评", grade_of.get(township, "")] + [None] * len(names)
            )
            continue
        changes = {row.name: row.change for row in found.categories}
        rows.append(
            [
                township,
                found.total.then,
                found.total.now,
                found.total.change,
                found.past.grade,
                grade_of[township],
            ]
            + [changes.get(name) for name in names]
        )
    last = w.rows(ws, rows)
    notes = [f"不可比较：{what}（{why}）" for what, why in comparison.not_comparable]
    for i, note in enumerate(notes, start=last + 2):
        ws.write_string(i, 0, note)


def _charts(w: Writer, round_: Round, results: Results) -> None:
    """Native Excel charts over a small table on the same sheet (so the numbers are there to check):
    totals by township, one series per final grade; category averages against their maxima."""
    grades = list(round_.rubric.grading.names)
    # Beyond a hundred bars a chart is unreadable: show the first hundred and say so.
    rows = results.townships[: C.CHART_TOWNSHIPS]
    shown = "" if len(results.townships) <= C.CHART_TOWNSHIPS else f"（前{C.CHART_TOWNSHIPS}名）"
    ws = w.sheet(C.OUT_CHARTS, [("乡镇", 12), *((g, 8) for g in grades)], fit_width=True)
    for r, row in enumerate(rows, start=1):
        w.cell(ws, r, 0, row.township)
        for col, grade in enumerate(grades, start=1):
            w.cell(ws, r, col, row.total if row.final == grade else None, w.score)
    last = len(rows)

    totals = w.book.add_chart({"type": "column"})
    labels = _column_labels(len(rows))
    for col, grade in enumerate(grades, start=1):
        if grade not in {row.final for row in rows}:
            continue
        colour = CHART_COLOURS[-1] if col == len(grades) else CHART_COLOURS.get(col - 1, "#5B9BD5")
        series = {
            "name": [C.OUT_CHARTS, 0, col],
            "categories": [C.OUT_CHARTS, 1, 0, last, 0],
            "values": [C.OUT_CHARTS, 1, col, last, col],
            "fill": {"color": colour},
            "border": {"none": True},
            # Each township has a value in one grade's column only: full overlap keeps the
            # bars centred on their township.
            "overlap": 100,
            "gap": 50,
        }
        totals.add_series(series | ({"data_labels": labels} if labels else {}))
    totals.set_title({"name": f"各乡镇总分{shown}（按等级着色）", "name_font": {"size": 12}})
    totals.set_chartarea({"border": {"none": True}})
    totals.set_plotarea({"border": {"none": True}})
    low = min((float(row.total) for row in rows), default=0)
    totals.set_y_axis(
        {"name": "总分", "num_format": "0", "min": max(0, int(low) // 10 * 10 - 10), "max": 100}
    )
    totals.set_x_axis({"num_font": {"rotation": -45}})
    totals.set_legend({"position": "top"})
    totals.set_size({"width": TOTALS_WIDTH, "height": 360})
    ws.insert_chart(0, len(grades) + 2, totals)

    # Categories: county average against the maximum.
    rubric = round_.rubric
    top = last + 3
    for col, title in enumerate(("项目", "分值", "全县平均", "平均得分率")):
        w.cell(ws, top, col, title, w.head)  # its column as wide as the title: no line wraps
    percent = w.book.add_format({"border": 1, "num_format": "0.0%", "align": "center"})
    for r, (category, mean) in enumerate(
        zip(rubric.categories, results.category_means, strict=True), start=top + 1
    ):
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
                "data_labels": {
                    "value": True,
                    "num_format": "0.0",
                    "font": {"size": 8},
                    "position": "outside_end",
                },
                # Side by side, each bar with its number at its end: drawn over each other (a
                # gauge), an average close to its maximum put both numbers in one place.
                "overlap": 0,
                "gap": 50,
            }
        )
    bars.set_title({"name": "各类得分：全县平均与分值", "name_font": {"size": 12}})
    bars.set_y_axis({"reverse": True})
    bars.set_x_axis({"name": "分", "min": 0})
    bars.set_legend({"position": "top"})
    # tall enough that each bar is as thick as its label, however many categories
    bars.set_size({"width": TOTALS_WIDTH, "height": 110 + 44 * len(rubric.categories)})
    ws.insert_chart(20, len(grades) + 2, bars)
