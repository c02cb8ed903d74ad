"""Scores -> results: ranks by total, grades by the rubric's grading rules, must-pass caps,
vetoes, downgrades from the criticism record, bonus points. What leaves this stage is one
``TownshipResult`` per township (``records``), worded by the outputs.

The order, which the README states for the clerk:
1. Rank by total (equal totals share the better rank: 1, 1, 3).
2. Eligibility: an item or category below its required score (必达分) caps the grade at what the
   rubric says; a recorded veto (一票否决) removes it. Both decide before places are counted, so
   a capped or vetoed township takes no place of a grade with a quota.
3. The initial grade: the best grade whose conditions the township meets (rank band, minimum
   total, minimum share of every category) and whose places are not all taken, in rank order.
   Townships tied across a band boundary or a quota's last place all get the better grade, and
   the tie is flagged for the leading group.
4. The final grade: the initial one lowered by this county's criticisms (nobody moves up into a
   place freed so), then the bonus of the final grade.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

import pandas as pd

from ..constants import NO_GRADE
from ..inputs.names import text_key
from ..inputs.round import Round
from ..inputs.tables import Criticism
from ..inputs.vetoes import Veto
from ..rules.grading import Grade, Grading
from ..rules.rubric import Category, Item, Rubric
from .combine import Combined, combine, self_subtotals
from .records import BoundaryTie, Cap, CaseRank, Downgrade, PanelResult, Results, TownshipResult
from .scoring import category_means, rank_descending, score


def grade(round_: Round) -> Results:
    """The results of a round without errors: scored, ranked, graded, downgraded."""
    rubric: Rubric = round_.rubric
    rules = rubric.grading
    combined = {c.sheet.township: c for c in (combine(p, rubric) for p in round_.panels)}
    scores = score(round_, [c.sheet for c in combined.values()])
    totals = scores.totals
    # Totals are exact multiples of the resolution; ranking them as whole numbers of that unit
    # keeps pandas away from comparing Decimal objects.
    units = totals.map(lambda t: int((t / rubric.resolution).to_integral_value()))
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
    criticised = _by_township(sorted(round_.criticisms, key=lambda c: (c.date, c.source)))
    vetoed = _by_township(sorted(round_.vetoes, key=lambda v: (v.date, v.matter)))
    item_rows = dict(zip(scores.items.index, scores.items.to_numpy(dtype=object), strict=True))
    subtotal_rows = dict(zip(scores.categories.index, scores.categories.to_numpy(dtype=object), strict=True))
    required = _required(rubric)
    ranked = []
    columns = (table[name].tolist() for name in ("township", "total", "rank"))  # a list iterates fastest
    for township, total, rank in zip(*columns, strict=True):
        item_scores, subtotals = tuple(item_rows[township]), tuple(subtotal_rows[township])
        caps = _caps(required, item_scores, subtotals)
        vetoes = tuple(vetoed.get(township, []))
        ranked.append(_Standing(township, total, int(rank), item_scores, subtotals, caps, vetoes))
    initials, ties = _initial(ranked, rubric)
    tied = {township for tie in ties for township in tie.townships}
    finished = []
    for standing, initial in zip(ranked, initials, strict=True):
        township = standing.township
        downgrade = _downgrade(criticised.get(township, []))
        final = _lowered(initial, downgrade, rules)
        finished.append(
            TownshipResult(
                township=township,
                sheet=combined[township].sheet,
                scores=standing.scores,
                subtotals=standing.subtotals,
                total=standing.total,
                rank=standing.rank,
                initial=initial,
                final=final,
                downgrade=downgrade,
                bonus=rules.bonus(final),
                boundary_tie=township in tied,
                case=case_of.get(township),
                caps=standing.caps,
                vetoes=standing.vetoes,
                panel=_panel(combined[township], rubric, standing.scores),
            )
        )
    return Results(townships=tuple(finished), cases=cases, ties=ties, category_means=category_means(scores))


class _Standing(NamedTuple):
    """What places are handed out by, before a township's record is made (once, with its grade)."""

    township: str
    total: Decimal
    rank: int
    scores: tuple[Decimal, ...]
    subtotals: tuple[Decimal, ...]
    caps: tuple[Cap, ...]
    vetoes: tuple[Veto, ...]


def _panel(combined: Combined, rubric: Rubric, scores: tuple[Decimal, ...]) -> PanelResult | None:
    """What the outputs show of a panel: nothing for one sheet without a self-assessment."""
    panel = combined.panel
    if rubric.panel.rule == "single" and panel.self_sheet is None:
        return None
    computed = {i.code: scores[rubric.index_of(i)] for i in rubric.computed_items}
    return PanelResult(
        panel.sheets, combined.items, panel.self_sheet, self_subtotals(combined, rubric, computed)
    )


def _by_township(records) -> dict[str, list]:
    found: dict[str, list] = {}
    for record in records:
        found.setdefault(record.township, []).append(record)
    return found


def _required(rubric: Rubric) -> tuple[list[tuple[int, Item]], list[tuple[int, Category]]]:
    """(place, item) of the items with a required score, then (place, category) of such
    categories: found once a round, so a table without any (this county's) checks nothing
    township by township."""
    return (
        [(n, item) for n, item in enumerate(rubric.items) if item.required is not None],
        [(n, category) for n, category in enumerate(rubric.categories) if category.required is not None],
    )


def _caps(required, scores: tuple[Decimal, ...], subtotals: tuple[Decimal, ...]) -> tuple[Cap, ...]:
    """The required scores a township missed, items first, in the rubric's order (``required``
    as ``_required`` gives it)."""
    items, categories = required
    if not items and not categories:
        return ()
    caps = [
        Cap(f"{item.code} {item.label}", scores[n], item.required.minimum, item.required.cap)
        for n, item in items
        if scores[n] < item.required.minimum
    ]
    caps += [
        Cap(category.name, subtotals[n], category.required.minimum, category.required.cap)
        for n, category in categories
        if subtotals[n] < category.required.minimum
    ]
    return tuple(caps)


def _ceiling(standing: _Standing, rules: Grading) -> str:
    """The best grade the township may have: none when vetoed, else its worst cap."""
    if standing.vetoes:
        return NO_GRADE
    ceiling = rules.names[0]
    for cap in standing.caps:
        ceiling = rules.worse(ceiling, cap.cap)
    return ceiling


def _meets(grade: Grade, standing: _Standing, rubric: Rubric) -> bool:
    """Whether the township meets the grade's conditions other than its quota."""
    if grade.ranks is not None and not grade.ranks[0] <= standing.rank <= grade.ranks[1]:
        return False
    if grade.min_total is not None and standing.total < grade.min_total:
        return False
    if grade.min_share is not None:
        for category, got in zip(rubric.categories, standing.subtotals, strict=True):
            if got * 100 < grade.min_share * category.total:
                return False
    return True


def _target(standing: _Standing, rubric: Rubric) -> int:
    """The level (index into the grades; len() for no grade) the township aims at: the best grade
    whose conditions it meets, lowered to its ceiling. A capped township keeps the capped grade
    even where a rank band of that grade would not hold its rank (rank 1 capped at 三等 is 三等)."""
    rules = rubric.grading
    best = next(
        (n for n, grade in enumerate(rules.grades) if _meets(grade, standing, rubric)), len(rules.grades)
    )
    return max(best, rules.names.index(_ceiling(standing, rules)))


def _next_level(level: int, standing: _Standing, rubric: Rubric) -> int:
    """The next worse grade whose conditions the township meets (a quota above it was full)."""
    grades = rubric.grading.grades
    return next(
        (n for n in range(level + 1, len(grades)) if _meets(grades[n], standing, rubric)), len(grades)
    )


def _initial(ranked: list[_Standing], rubric: Rubric) -> tuple[list[str], tuple[BoundaryTie, ...]]:
    """Each township's initial grade, places handed out in rank order; ties at the edge of a
    band or of a quota get the better grade together and are returned to be flagged."""
    rules = rubric.grading
    grades, count = rules.grades, len(ranked)
    places = [g.places(count) for g in grades]
    taken = [0] * len(grades)
    level = [_target(result, rubric) for result in ranked]
    groups: dict[int, list[int]] = {}
    for n, result in enumerate(ranked):
        groups.setdefault(result.rank, []).append(n)
    ties = []
    for rank in sorted(groups):
        members = groups[rank]
        for g, grade in enumerate(grades):  # levels only move down, so one pass settles them
            here = [n for n in members if level[n] == g]
            if not here or places[g] is None:
                continue
            left = places[g] - taken[g]
            if left <= 0:
                for n in here:
                    level[n] = _next_level(g, ranked[n], rubric)
                continue
            if len(here) > left:
                ties.append(_tie(ranked, here, rank, grade.name, rules.names[g + 1], quota=True))
            taken[g] += len(here)
        if len(members) > 1 and rules.by_rank(rank) != rules.by_rank(rank + len(members) - 1):
            # a shared rank whose places run across a rank band's edge (1, 2, 2 with 一等 1-2)
            ties.append(
                _tie(ranked, members, rank, rules.by_rank(rank), rules.by_rank(rank + len(members) - 1))
            )
    return [rules.names[n] for n in level], tuple(dict.fromkeys(ties))


def _tie(ranked, members: list[int], rank: int, upper: str, lower: str, quota: bool = False) -> BoundaryTie:
    townships = tuple(ranked[n].township for n in members)
    return BoundaryTie(rank, townships, ranked[members[0]].total, upper, lower, quota)


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


def _lowered(initial: str, downgrade: Downgrade | None, rules: Grading) -> str:
    if downgrade is None:
        return initial
    return NO_GRADE if downgrade.cancel else rules.lower(initial, downgrade.steps)
