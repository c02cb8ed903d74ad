"""The panel in the consolidated workbook: each evaluator's item scores beside the combined
score (评定人员打分), the items where evaluators differ by more than the margin (评定差异), and each
township's self-assessment against its result, category by category (自评对比)."""

from __future__ import annotations

from .. import constants as C
from ..results.records import Results
from ..rules.rubric import Rubric
from .book import Writer
from .wording import panel_scores_text


def write_panel_sheets(w: Writer, rubric: Rubric, results: Results) -> None:
    panelled = [r for r in results.townships if r.panel is not None]
    if any(r.panel.items for r in panelled):
        _scores(w, rubric, [r for r in panelled if r.panel.items])
        _disagreements(w, rubric, panelled)
    if any(r.panel.self_sheet is not None for r in panelled):
        _self(w, rubric, [r for r in panelled if r.panel.self_sheet is not None])


def _scores(w: Writer, rubric: Rubric, townships) -> None:
    widest = max(len(r.panel.sheets) for r in townships)
    headers = [("乡镇", 14), ("编号", 6), ("评选项目", 22), ("分值", 6)]
    headers += [(f"评定{n}", 10) for n in range(1, widest + 1)] + [
        ("合议得分", 8),
        ("去掉的评分", 14),
        ("差异较大", 8),
    ]
    ws = w.sheet(C.OUT_PANEL, headers)
    rows = []
    for result in townships:
        sheets = result.panel.sheets
        names = [s.inspectors or s.file for s in sheets]
        rows.append(
            [result.township, "", "评定人员", None, *names, *[None] * (widest - len(names)), None, "", False]
        )
        for item_scores in result.panel.items:
            item = rubric.item(item_scores.code)
            dropped = "、".join(names[n] for n in item_scores.dropped)
            padding = [None] * (widest - len(sheets))
            rows.append(
                [
                    result.township,
                    item.code,
                    item.label,
                    item.maximum,
                    *item_scores.scores,
                    *padding,
                    item_scores.combined,
                    dropped,
                    item_scores.differs,
                ]
            )
    w.rows(ws, rows)


def _disagreements(w: Writer, rubric: Rubric, townships) -> None:
    ws = w.sheet(
        C.OUT_DISAGREEMENTS,
        [
            ("乡镇", 14),
            ("编号", 6),
            ("评选项目", 22),
            ("分值", 6),
            ("相差", 6),
            ("合议得分", 8),
            ("各评定人员的评分和扣分说明", 60),
        ],
    )
    rows = []
    for result in townships:
        for item_scores in result.panel.items:
            if not item_scores.differs:
                continue
            given = [s for s in item_scores.scores if s is not None]
            item = rubric.item(item_scores.code)
            rows.append([result.township, item.code, item.label, item.maximum, max(given) - min(given),
                         item_scores.combined, panel_scores_text(result, item_scores)])  # fmt: skip
    if rows:
        w.rows(ws, rows)
    else:
        ws.write_string(1, 0, "评定人员的评分没有超过提示界限的差异")


def _self(w: Writer, rubric: Rubric, townships) -> None:
    headers = [("乡镇", 14), ("自评表", 24)]
    for category in rubric.categories:
        headers += [(f"{category.name}自评", 9), (f"{category.name}评定", 9), (f"{category.name}差距", 9)]
    headers += [("自评总分", 9), ("评定总分", 9), ("差距", 8)]
    ws = w.sheet(C.OUT_SELF, headers)
    rows = []
    for result in townships:
        own = result.panel.self_subtotals
        row = [result.township, result.panel.self_sheet.file]
        for mine, theirs in zip(own, result.subtotals, strict=True):
            row += [mine, theirs, mine - theirs]
        total = sum(own, type(result.total)(0))
        rows.append([*row, total, result.total, total - result.total])
    w.rows(ws, rows)
