"""A township's panel of sheets -> the one score sheet that is graded: the evaluators' scores
combined item by item by the round's rule (``rules.panel``), each mean rounded to the table's
resolution, remarks kept with who wrote them; and what the leading group should see: each
evaluator's score, the scores a trimmed mean dropped, items where evaluators differ by more than
the margin. Under the single rule the one sheet is graded as it is."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from ..inputs.panel import Panel
from ..inputs.sheet import ScoreSheet
from ..rules.rubric import Rubric


@dataclass(frozen=True)
class ItemScores:
    """One item of one township: every evaluator's score, and what was made of them."""

    code: str
    scores: tuple[Decimal | None, ...]  # in the panel's sheet order (None: not scored there)
    combined: Decimal
    dropped: tuple[int, ...] = ()  # sheet positions a trimmed mean left out
    differs: bool = False


@dataclass(frozen=True)
class Combined:
    sheet: ScoreSheet  # what is graded
    panel: Panel
    items: tuple[ItemScores, ...]  # entered items, in the rubric's order (empty under single)


def combine(panel: Panel, rubric: Rubric) -> Combined:
    rule = rubric.panel
    if rule.rule == "single":
        return Combined(panel.sheets[0], panel, ())
    sheets = panel.sheets
    items, scores, remarks, cells = [], {}, {}, {}
    for item in rubric.items:
        if not item.entered:
            continue
        given = tuple(s.scores.get(item.code) for s in sheets)
        present = [(n, v) for n, v in enumerate(given) if v is not None]
        dropped: tuple[int, ...] = ()
        if rule.rule == "categories":
            (n, value), *_ = present
            combined, used = value, [n]
        else:
            kept = sorted(present, key=lambda p: (p[1], p[0]))
            if rule.rule == "trimmed" and len(kept) > rule.trim_above:
                dropped = tuple(sorted((kept[0][0], kept[-1][0])))
                kept = kept[1:-1]
            total = sum((v for _, v in kept), Decimal(0))
            combined = rule.round(total / len(kept), rubric.resolution)
            used = [n for n, _ in kept]
        values = [v for _, v in present]
        differs = len(values) > 1 and rule.differs(min(values), max(values), item.maximum)
        items.append(ItemScores(item.code, given, combined, dropped, differs))
        scores[item.code] = combined
        written = [(sheets[n].inspectors, sheets[n].remarks.get(item.code, "")) for n in used]
        remarks[item.code] = "；".join(f"{who}：{text}" for who, text in written if text)
        cells[item.code] = sheets[used[0]].cells.get(item.code, "")
    first = sheets[0]
    sheet = replace(
        first,
        file="、".join(s.file for s in sheets),
        inspectors="、".join(dict.fromkeys(s.inspectors for s in sheets if s.inspectors)),
        date=max((s.date for s in sheets if s.date), default=None),
        scores=scores,
        remarks=remarks,
        cells=cells,
        complete=all(s.complete for s in sheets) or rule.rule == "categories",
        opinion="；".join(f"{s.inspectors}：{s.opinion}" for s in sheets if s.opinion),
        blank=frozenset(),
    )
    return Combined(sheet, panel, tuple(items))


def self_subtotals(
    combined: Combined, rubric: Rubric, computed: dict[str, Decimal]
) -> tuple[Decimal, ...] | None:
    """The township's self-assessment by category, with the computed items (not self-assessed)
    as the result has them, so that the gap compares like with like."""
    own = combined.panel.self_sheet
    if own is None:
        return None
    return tuple(
        sum(
            (
                computed[i.code] if not i.entered else own.scores.get(i.code, Decimal(0))
                for i in rubric.items_of(c)
            ),
            Decimal(0),
        )
        for c in rubric.categories
    )
