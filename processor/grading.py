"""Scores -> results: ranks by total, grades by rank band, downgrades from the criticism
record, bonus points and the validity period. The rules' numbers come from the settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from .collect import Round
from .names import township_key
from .scoring import Scores, rank_descending
from .settings import Settings
from .tables import Criticism


@dataclass(frozen=True)
class BoundaryTie:
    """Equal totals sharing a rank whose places run across a band boundary."""

    rank: int
    townships: tuple[str, ...]
    total: Decimal
    upper: str  # the grade they all get (that of the shared rank)
    lower: str  # the grade of the last place they occupy


@dataclass(frozen=True)
class Results:
    table: pd.DataFrame  # one row per township, in rank order
    scores: Scores
    ties: tuple[BoundaryTie, ...]


def grade(scores: Scores, round_: Round) -> Results:
    settings: Settings = round_.settings
    totals = scores.totals
    # Totals are exact multiples of the resolution; ranking them as whole numbers of that unit
    # keeps pandas away from comparing Decimal objects.
    resolution = round_.rubric.resolution
    units = totals.map(lambda t: int((t / resolution).to_integral_value()))
    table = pd.DataFrame(
        {
            "township": totals.index,
            "total": totals.values,
            "rank": rank_descending(units).values,
        }
    )
    table = pd.concat([table, scores.categories.reset_index(drop=True)], axis=1)
    table["initial"] = table["rank"].map(settings.grade_for_rank)
    by_township: dict[str, list[Criticism]] = {}
    for record in sorted(round_.criticisms, key=lambda c: (c.date, c.source)):
        by_township.setdefault(record.township, []).append(record)
    outcomes = [
        _downgrade(row.initial, by_township.get(row.township, []), settings) for row in table.itertuples()
    ]
    table["final"] = [o[0] for o in outcomes]
    table["downgrade"] = [o[1] for o in outcomes]
    table["bonus"] = table["final"].map(settings.bonus)
    table = table.sort_values(
        ["rank", "township"], key=lambda c: c.map(township_key) if c.name == "township" else c, kind="stable"
    ).reset_index(drop=True)
    ties = _boundary_ties(table, settings)
    tied = {t for tie in ties for t in tie.townships}
    table["boundary_tie"] = table["township"].isin(tied)
    return Results(table=table, scores=scores, ties=ties)


def _downgrade(initial: str, records: list[Criticism], settings: Settings) -> tuple[str, str]:
    """(final grade, what happened in words) for one township.

    Records whose 处理 is blank apply the seed's rule together: the township was criticised, so it
    drops one grade, however many such records there are. A record whose 处理 is written (the
    leading group's decision, usually after publication) lowers by what it says, or cancels.
    """
    if not records:
        return initial, ""
    steps = (1 if any(r.steps == 0 and not r.cancel for r in records) else 0) + sum(r.steps for r in records)
    cancel = any(r.cancel for r in records)
    final = settings.grades[-1] if cancel else settings.lower(initial, steps)
    causes = "；".join(describe(r) for r in records)
    if final == initial:
        effect = "未获等级，不再降级" if initial == settings.grades[-1] else "等级不变"
    elif cancel:
        effect = f"取消{initial}等级"
    else:
        effect = f"由{initial}降为{final}"
    return final, f"{causes}，{effect}"


def cn_date(day: dt.date) -> str:
    """GB/T 9704-2012: Arabic numerals, no leading zeros: 2022年8月31日."""
    return f"{day.year}年{day.month}月{day.day}日"


def describe(record: Criticism) -> str:
    day = cn_date(record.date)
    what = f"被{record.source}" if Settings.is_exposure(record.source) else f"被{record.source}通报批评"
    return f"{day}{what}（{record.reason}）"


def _boundary_ties(table: pd.DataFrame, settings: Settings) -> tuple[BoundaryTie, ...]:
    ties = []
    for rank, group in table.groupby("rank", sort=True):
        rank = int(rank)
        if len(group) < 2:
            continue
        upper = settings.grade_for_rank(rank)
        lower = settings.grade_for_rank(rank + len(group) - 1)
        if upper != lower:
            ties.append(BoundaryTie(rank, tuple(group["township"]), group["total"].iloc[0], upper, lower))
    return tuple(ties)
