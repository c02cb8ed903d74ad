"""Results -> one feedback page per township (feedback/<乡镇>.html): every item with its maximum,
score, deduction and the inspector's remark; the township's rank, grade, downgrade and bonus; its
categories against the county average, weakest first.

The township name comes from an input file, so it never decides where a file goes on its own:
``filenames.file_names`` turns it into one plain file name inside the feedback folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from .. import constants as C
from ..inputs.round import Round
from ..results.records import Results, TownshipResult
from ..rules.rubric import Rubric
from .comparison import Comparison
from .filenames import file_names
from .html import each, environment
from .wording import score_text

WEAKEST_SHOWN = 2  # categories named as the ones to work on (those below the county average)


def feedback_names(townships: list[str]) -> dict[str, str]:
    return file_names(townships, ".html")


@dataclass(frozen=True)
class CategoryStanding:
    name: str
    subtotal: Decimal
    maximum: Decimal
    percent: Decimal  # subtotal / maximum, as a percentage
    county: Decimal  # the county mean of the same percentage
    weakest: bool = False
    self_score: Decimal | None = None  # the township's own assessment of the category

    @property
    def gap(self) -> Decimal:
        return self.percent - self.county


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole * 100).quantize(Decimal("0.1"))


def standings(rubric: Rubric, results: Results) -> dict[str, list[CategoryStanding]]:
    """Each township's categories as a share of their maxima against the county mean share."""
    county = [
        (mean / c.total * 100).quantize(Decimal("0.1"))
        for c, mean in zip(rubric.categories, results.category_means, strict=True)
    ]
    out = {}
    for result in results.townships:
        own = result.panel.self_subtotals if result.panel else None
        rows = [
            CategoryStanding(
                c.name, subtotal, c.total, _percent(subtotal, c.total), mean, False, own[n] if own else None
            )
            for n, (c, subtotal, mean) in enumerate(
                zip(rubric.categories, result.subtotals, county, strict=True)
            )
        ]
        below = sorted((r for r in rows if r.gap < 0), key=lambda r: (r.gap, r.name))[:WEAKEST_SHOWN]
        weak = {r.name for r in below}
        out[result.township] = sorted(
            (CategoryStanding(**{**r.__dict__, "weakest": r.name in weak}) for r in rows),
            key=lambda r: r.gap,
        )
    return out


class Line(NamedTuple):
    """One item row of a feedback page, its numbers already worded. An object with attributes
    rather than a dict: jinja2 reads an attribute directly but a dict key only after a failed
    attribute look-up, and a round's pages read these some two million times (a tuple: made
    and compared fast, some seventy thousand of them a province's round)."""

    heading: str  # the category's name on its first item, else ""
    code: str
    label: str
    maximum: str
    score: str
    deduction: str  # "" when nothing was lost
    remark: str
    award: bool

    @property
    def lost(self) -> bool:
        return bool(self.deduction)


class _Items:
    """What every township's lines of one round share: each item's place in the results, its
    heading (on a category's first item) and its maximum as worded."""

    def __init__(self, rubric: Rubric):
        self.items = []  # (place in the results, item, heading, maximum worded)
        for category in rubric.categories:
            heading = category.name
            for item in rubric.items_of(category):
                self.items.append((rubric.index_of(item), item, heading, score_text(item.maximum)))
                heading = ""

    def lines(self, result: TownshipResult) -> list[Line]:
        lines = []
        scores, remarks, case = result.scores, result.sheet.remarks, result.case
        for index, item, heading, maximum in self.items:
            got = scores[index]
            if item.entered:
                remark = remarks.get(item.code, "")
            else:
                remark = f"按办件数量排名计分：{case.count}件，第{case.rank}名"
            lost = item.maximum - got
            lines.append(
                Line(
                    heading,
                    item.code,
                    item.label,
                    maximum,
                    score_text(got),
                    score_text(lost) if lost > 0 else "",
                    remark,
                    item.kind == "award",
                )
            )
        return lines


def feedback_pages(round_: Round, results: Results, comparison: Comparison | None = None) -> dict[str, str]:
    """file name -> HTML, one page per township."""
    rubric, settings = round_.rubric, round_.settings
    template = environment().get_template(C.FEEDBACK_TEMPLATE)
    by_township = standings(rubric, results)
    names = feedback_names([r.township for r in results.townships])
    pages, rows, items = {}, each(), _Items(rubric)
    for result in results.townships:
        standing = by_township[result.township]
        pages[names[result.township]] = template.render(
            township=result.township,
            row=result,
            sheet=result.sheet,
            settings=settings,
            rubric=rubric,
            lines=items.lines(result),
            each=rows,
            standings=standing,
            weakest=[s for s in standing if s.weakest],
            center_count=len(results.townships),
            lost=rubric.total - result.total,
            comparison=comparison,
            compared=comparison.townships.get(result.township) if comparison else None,
        )
    return pages


def write_feedback(
    folder: Path, round_: Round, results: Results, comparison: Comparison | None = None
) -> None:
    folder = folder.resolve()  # once: a province's round writes two thousand pages
    for name, html in feedback_pages(round_, results, comparison).items():
        path = folder / name
        # The name was cleaned above; this guards the promise that nothing leaves the folder
        # (the folder is new, so a plain name cannot lead out of it through a link).
        if path.parent != folder or name in ("", ".", "..") or path.name != name:
            raise ValueError(f"feedback file outside its folder: {name!r}")
        path.write_text(html, encoding="utf-8")
