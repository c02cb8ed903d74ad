"""Scores -> results: ranks by total, grades by rank band, downgrades from the criticism
record, bonus points. The rules' numbers come from the settings; what leaves this stage is one
``TownshipResult`` per township (``records``), worded by the outputs."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from ..inputs.names import text_key
from ..inputs.round import Round
from ..inputs.tables import Criticism
from ..rules.settings import Settings
from .records import BoundaryTie, CaseRank, Downgrade, Results, TownshipResult
from .scoring import category_means, rank_descending, score


def grade(round_: Round) -> Results:
    """The results of a round without errors: scored, ranked, graded, downgraded."""
    settings: Settings = round_.settings
    scores = score(round_)
    totals = scores.totals
    # Totals are exact multiples of the resolution; ranking them as whole numbers of that unit
    # keeps pandas away from comparing Decimal objects.
    resolution = round_.rubric.resolution
    units = totals.map(lambda t: int((t / resolution).to_integral_value()))
    table = pd.DataFrame(
        {"township": totals.index, "total": totals.values, "rank": rank_descending(units).values}
    )
    table = table.sort_values(
        ["rank", "township"], key=lambda c: c.map(text_key) if c.name == "township" else c, kind="stable"
    )
    cases = tuple(
        CaseRank(r.unit, int(r.count), int(r.rank), r.points, r.township) for r in scores.cases.itertuples()
    )
    case_of = {case.township: case for case in cases if case.township}
    by_township: dict[str, list[Criticism]] = {}
    for record in sorted(round_.criticisms, key=lambda c: (c.date, c.source)):
        by_township.setdefault(record.township, []).append(record)
    sheets = {s.township: s for s in round_.sheets}
    item_rows = dict(zip(scores.items.index, scores.items.to_numpy(dtype=object), strict=True))
    subtotal_rows = dict(zip(scores.categories.index, scores.categories.to_numpy(dtype=object), strict=True))
    ranked = []
    for township, total, rank in zip(table["township"], table["total"], table["rank"], strict=True):
        rank = int(rank)
        initial = settings.grade_for_rank(rank)
        downgrade = _downgrade(by_township.get(township, []))
        final = _lowered(initial, downgrade, settings)
        ranked.append(
            TownshipResult(
                township=township,
                sheet=sheets[township],
                scores=tuple(item_rows[township]),
                subtotals=tuple(subtotal_rows[township]),
                total=total,
                rank=rank,
                initial=initial,
                final=final,
                downgrade=downgrade,
                bonus=settings.bonus(final),
                boundary_tie=False,
                case=case_of[township],
            )
        )
    ties = _boundary_ties(ranked, settings)
    tied = {t for tie in ties for t in tie.townships}
    if tied:
        ranked = [replace(r, boundary_tie=True) if r.township in tied else r for r in ranked]
    return Results(townships=tuple(ranked), cases=cases, ties=ties, category_means=category_means(scores))


def _downgrade(records: list[Criticism]) -> Downgrade | None:
    """Records whose 处理 is blank apply the seed's rule together: the township was criticised,
    so it drops one grade, however many such records there are. A record whose 处理 is written
    (the leading group's decision, usually after publication) lowers by what it says, or cancels.
    """
    if not records:
        return None
    blank = any(r.steps == 0 and not r.cancel for r in records)
    steps = (1 if blank else 0) + sum(r.steps for r in records)
    return Downgrade(tuple(records), steps, any(r.cancel for r in records))


def _lowered(initial: str, downgrade: Downgrade | None, settings: Settings) -> str:
    if downgrade is None:
        return initial
    return settings.grades[-1] if downgrade.cancel else settings.lower(initial, downgrade.steps)


def _boundary_ties(ranked: list[TownshipResult], settings: Settings) -> tuple[BoundaryTie, ...]:
    groups: dict[int, list[TownshipResult]] = {}
    for result in ranked:
        groups.setdefault(result.rank, []).append(result)
    ties = []
    for rank in sorted(groups):
        group = groups[rank]
        if len(group) < 2:
            continue
        upper = settings.grade_for_rank(rank)
        lower = settings.grade_for_rank(rank + len(group) - 1)
        if upper != lower:
            ties.append(BoundaryTie(rank, tuple(r.township for r in group), group[0].total, upper, lower))
    return tuple(ties)
