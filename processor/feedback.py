"""Results -> one feedback page per township (feedback/<乡镇>.html): every item with its maximum,
score, deduction and the inspector's remark; the township's rank, grade, downgrade and bonus; its
categories against the county average, weakest first.

The township name comes from an input file, so it never decides where a file goes on its own:
``names.file_names`` turns it into one plain file name inside the feedback folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from . import constants as C
from .collect import Round
from .grading import Results
from .names import file_names
from .notice import environment
from .scoring import category_means

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

    @property
    def gap(self) -> Decimal:
        return self.percent - self.county


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole * 100).quantize(Decimal("0.1"))


def standings(round_: Round, results: Results) -> dict[str, list[CategoryStanding]]:
    """Each township's categories as a share of their maxima against the county mean share."""
    categories = results.scores.categories
    rubric = round_.rubric
    means = category_means(results.scores)
    county = {c.name: (means[c.name] / c.total * 100).quantize(Decimal("0.1")) for c in rubric.categories}
    out = {}
    for township, subtotals in categories.to_dict("index").items():
        rows = [
            CategoryStanding(
                c.name,
                subtotals[c.name],
                c.total,
                _percent(subtotals[c.name], c.total),
                county[c.name],
            )
            for c in rubric.categories
        ]
        below = sorted((r for r in rows if r.gap < 0), key=lambda r: (r.gap, r.name))[:WEAKEST_SHOWN]
        weak = {r.name for r in below}
        out[township] = sorted(
            (CategoryStanding(**{**r.__dict__, "weakest": r.name in weak}) for r in rows),
            key=lambda r: r.gap,
        )
    return out


def feedback_pages(round_: Round, results: Results) -> dict[str, str]:
    """file name -> HTML, one page per township."""
    rubric, settings = round_.rubric, round_.settings
    env = environment()
    template = env.get_template(C.FEEDBACK_TEMPLATE)
    sheets = {s.township: s for s in round_.sheets}
    items = results.scores.items.to_dict("index")  # township -> item code -> score: no .at per cell
    cases = {r.township: r for r in results.scores.cases.itertuples() if r.township}
    by_township = standings(round_, results)
    rows = results.table.to_dict("records")
    names = feedback_names([r["township"] for r in rows])
    pages = {}
    for row in rows:
        township = row["township"]
        sheet = sheets[township]
        lines = []
        for category in rubric.categories:
            for item in rubric.items_of(category):
                got = items[township][item.code]
                if item.entered:
                    remark = sheet.remarks.get(item.code, "")
                else:
                    case = cases[township]
                    remark = f"按办件数量排名计分：{int(case.count)}件，第{int(case.rank)}名"
                lines.append(
                    {
                        "category": category.name,
                        "item": item,
                        "score": got,
                        "deduction": item.maximum - got,
                        "remark": remark,
                        "cell": sheet.cells.get(item.code, ""),
                    }
                )
        standing = by_township[township]
        pages[names[township]] = template.render(
            township=township,
            row=row,
            sheet=sheet,
            settings=settings,
            rubric=rubric,
            lines=lines,
            standings=standing,
            weakest=[s for s in standing if s.weakest],
            center_count=len(rows),
            lost=rubric.total - row["total"],
        )
    return pages


def write_feedback(folder: Path, round_: Round, results: Results) -> None:
    for name, html in feedback_pages(round_, results).items():
        path = folder / name
        # The name was cleaned above; this guards the promise that nothing leaves the folder.
        if path.resolve().parent != folder.resolve():
            raise ValueError(f"feedback file outside its folder: {name!r}")
        path.write_text(html, encoding="utf-8")
