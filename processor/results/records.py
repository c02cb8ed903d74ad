"""What the results stage hands to the outputs: one typed record per township, in rank order,
and one per unit of the case-count table. The outputs read these and word them; they never
re-join frames by column names."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..inputs.sheet import ScoreSheet
from ..inputs.tables import Criticism
from ..inputs.vetoes import Veto
from ..rules.rubric import Category, Item, Rubric
from .combine import ItemScores


@dataclass(frozen=True)
class CaseRank:
    """A unit of the case-count table, ranked by its count for the computed item (3.1)."""

    unit: str
    count: int
    rank: int
    points: Decimal
    township: str  # the township it is, or "" for a unit without a sheet (a police station)


@dataclass(frozen=True)
class Downgrade:
    """The criticisms that count against a township, oldest first, and what they do."""

    records: tuple[Criticism, ...]
    steps: int  # grades lowered: blank 处理 entries together one, written ones as they say
    cancel: bool  # a record says 取消等级


@dataclass(frozen=True)
class Cap:
    """A required score (必达分) an item or category missed, and the grade it caps at."""

    what: str  # "3.6 电子证照应用比率" or a category's name
    score: Decimal
    minimum: Decimal
    cap: str  # the best grade left, or 无等级


@dataclass(frozen=True)
class PanelResult:
    """A township scored by several evaluators, or with a self-assessment beside it."""

    sheets: tuple[ScoreSheet, ...]  # the evaluators' sheets, in file order
    items: tuple[ItemScores, ...]  # each entered item's scores (empty under the single rule)
    self_sheet: ScoreSheet | None
    self_subtotals: tuple[Decimal, ...] | None  # the self-assessment by category


@dataclass(frozen=True)
class TownshipResult:
    township: str  # as written on its sheet
    sheet: ScoreSheet
    scores: tuple[Decimal, ...]  # every item of the rubric, in the rubric's order, computed ones too
    subtotals: tuple[Decimal, ...]  # every category, in the rubric's order
    total: Decimal
    rank: int
    initial: str  # the grade the rules give (conditions, places, caps, vetoes)
    final: str  # after this county's downgrade
    downgrade: Downgrade | None  # None when no criticism counts against it
    bonus: Decimal
    boundary_tie: bool  # shares its rank with others across a band boundary or a quota's edge
    case: CaseRank | None  # None when the rubric has no item computed from case counts
    caps: tuple[Cap, ...] = ()  # required scores missed (the grade is at most their worst cap)
    vetoes: tuple[Veto, ...] = ()  # recorded 一票否决 events (no grade)
    panel: PanelResult | None = None  # None: one sheet, no self-assessment

    def score(self, rubric: Rubric, item: Item) -> Decimal:
        return self.scores[rubric.index_of(item)]

    def subtotal(self, rubric: Rubric, category: Category) -> Decimal:
        return self.subtotals[rubric.categories.index(category)]


@dataclass(frozen=True)
class BoundaryTie:
    """Equal totals sharing a rank whose places run across a band boundary or past the last place
    of a grade with a quota: all get the better grade, for the leading group to decide."""

    rank: int
    townships: tuple[str, ...]
    total: Decimal
    upper: str  # the grade they all get (that of the shared rank)
    lower: str  # the grade of the last place they occupy
    quota: bool = False  # past the last place of a grade with a quota (else across a rank band)


@dataclass(frozen=True)
class Results:
    townships: tuple[TownshipResult, ...]  # in rank order (ties by name)
    cases: tuple[CaseRank, ...]  # every unit of the case counts, in rank order
    ties: tuple[BoundaryTie, ...]
    category_means: tuple[Decimal, ...]  # the county's mean subtotal of each category
