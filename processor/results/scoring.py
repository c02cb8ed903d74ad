"""Validated round -> scores: item 3.1 from the case counts, category subtotals and totals.

Every score is a ``Decimal`` from the moment it is read, so equal totals are equal whatever the
order of addition; pandas holds them as objects and does the table work. The frames stay in
this stage: ``grading`` turns them into records.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from ..inputs.names import text_key
from ..inputs.round import Round
from ..inputs.sheet import ScoreSheet
from ..rules.rubric import Rubric


@dataclass(frozen=True)
class Scores:
    items: pd.DataFrame  # township x item code, Decimal (computed items included)
    categories: pd.DataFrame  # township x category name, Decimal
    totals: pd.Series  # township -> Decimal
    cases: pd.DataFrame  # every unit of the case counts: unit, count, rank, points, township


def rank_descending(values: pd.Series) -> pd.Series:
    """Rank 1 for the largest; equal values share the better rank (1, 1, 3)."""
    return values.rank(method="min", ascending=False).astype(int)


def case_points(round_: Round) -> pd.DataFrame:
    """Item 3.1: every unit of the case-count table ranked by its count, points by rank."""
    computed = round_.rubric.computed_items
    township_of = {unit: township for township, unit in round_.unit_of.items()}
    cases = pd.DataFrame(
        {
            "unit": [c.unit for c in round_.case_counts],
            "count": [c.count for c in round_.case_counts],
        },
        columns=["unit", "count"],
    )
    cases["rank"] = rank_descending(cases["count"]) if len(cases) else pd.Series(dtype=int)
    cases["points"] = [computed[0].ranking.points(int(r)) for r in cases["rank"]] if computed else []
    cases["township"] = [township_of.get(u, "") for u in cases["unit"]]
    return cases.sort_values(["rank", "unit"], key=_sort_key, kind="stable").reset_index(drop=True)


def _sort_key(column: pd.Series) -> pd.Series:
    return column.map(text_key) if column.dtype == object or str(column.dtype) == "str" else column


def score(round_: Round, graded: list[ScoreSheet]) -> Scores:
    """Scores of the ``graded`` sheets (one per township: a panel's combined sheet)."""
    rubric: Rubric = round_.rubric
    cases = case_points(round_)
    points_of_unit = dict(zip(cases["unit"], cases["points"], strict=True))
    codes = [item.code for item in rubric.items]
    get = operator.itemgetter(*codes)
    row_of = get if len(codes) > 1 else lambda scores: (get(scores),)
    computed = [item.code for item in rubric.computed_items]
    sheets = sorted(graded, key=lambda s: text_key(s.township))
    rows = []
    for sheet in sheets:
        if computed:
            points = points_of_unit[round_.unit_of[sheet.township]]
            rows.append(row_of({**sheet.scores, **dict.fromkeys(computed, points)}))
        else:
            rows.append(row_of(sheet.scores))
    items = pd.DataFrame(rows, index=[s.township for s in sheets], columns=codes, dtype=object)
    categories = pd.DataFrame(
        {
            category.name: _row_sums(items[[i.code for i in rubric.items_of(category)]])
            for category in rubric.categories
        },
        index=items.index,
        dtype=object,
    )
    totals = _row_sums(categories)
    return Scores(items=items, categories=categories, totals=totals, cases=cases)


def _row_sums(frame: pd.DataFrame) -> pd.Series:
    """Each row's exact sum: Decimal addition over the row's objects (a row-wise ``apply`` would
    build a Series per township, seconds at a national scale)."""
    return pd.Series(
        [exact_sum(row) for row in frame.to_numpy(dtype=object)], index=frame.index, dtype=object
    )


def exact_sum(values) -> Decimal:
    return sum(values, Decimal(0))


def category_means(scores: Scores) -> tuple[Decimal, ...]:
    """The county's mean subtotal of each category (exact to Decimal's 28 digits)."""
    categories = scores.categories
    count = max(len(categories), 1)
    return tuple(exact_sum(categories[name]) / count for name in categories.columns)
