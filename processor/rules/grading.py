"""How a round grades: the grades from best to worst, each with its conditions and bonus, the
items and categories that must reach a score, and the events that veto a grade. Part of the
rubric (a county's plan defines its table and its grading together), so it lives in the same
file as the items: ``[grading]`` in the TOML, the 等级 and 一票否决 sheets of the workbook.

A grade's conditions, all optional, all of which must hold (the plans of other places use each):

    ranks        名次 from..to (this county: 1-2 一等, 3-6 二等, 7-11 三等)
    min_total    总分 at least X (most other places: 90分以上一等)
    min_share    every category at least this share of its maximum, in per cent (且各类不低于80%)
    quota        at most N townships (优秀不超过2个), the best ranked first
    quota_share  at most this per cent of the townships, rounded down (五星级不超过10%)

A township gets the best grade whose conditions it meets and whose places are not all taken;
then must-pass caps, vetoes and this county's downgrades apply (``results.grading``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from functools import cached_property

from ..constants import NO_GRADE

MAX_BONUS = Decimal(100)  # points added to a township's annual performance score; more is a typo
BONUS_UNIT = Decimal("0.01")


@dataclass(frozen=True)
class Grade:
    name: str
    bonus: Decimal = Decimal(0)
    ranks: tuple[int, int] | None = None
    min_total: Decimal | None = None
    min_share: Decimal | None = None  # per cent
    quota: int | None = None
    quota_share: Decimal | None = None  # per cent

    @property
    def conditions(self) -> tuple[str, ...]:
        """The kinds of condition this grade has (for the notice's wording and the checks)."""
        named = (
            ("ranks", self.ranks),
            ("min_total", self.min_total),
            ("min_share", self.min_share),
            ("quota", self.quota),
            ("quota_share", self.quota_share),
        )
        return tuple(name for name, value in named if value is not None)

    def places(self, townships: int) -> int | None:
        """How many townships may hold this grade (None: no quota)."""
        limits = []
        if self.quota is not None:
            limits.append(self.quota)
        if self.quota_share is not None:
            share = self.quota_share * townships / 100
            limits.append(int(share.to_integral_value(rounding=ROUND_FLOOR)))
        return min(limits) if limits else None


@dataclass(frozen=True)
class Requirement:
    """A score an item or a category must reach; below it the grade is at most ``cap``."""

    minimum: Decimal
    cap: str  # a grade's name, or NO_GRADE (不予评定等级)


@dataclass(frozen=True)
class Grading:
    grades: tuple[Grade, ...]  # best first
    vetoes: tuple[str, ...] = ()  # 一票否决事项: a recorded one removes the grade

    @cached_property  # asked for a few times a township
    def names(self) -> tuple[str, ...]:
        """From the best grade down to no grade: the order of caps and downgrades."""
        return (*(g.name for g in self.grades), NO_GRADE)

    def grade(self, name: str) -> Grade | None:
        return next((g for g in self.grades if g.name == name), None)

    def bonus(self, name: str) -> Decimal:
        grade = self.grade(name)
        return grade.bonus if grade else Decimal(0)

    def lower(self, name: str, steps: int) -> str:
        names = self.names
        return names[min(names.index(name) + steps, len(names) - 1)]

    def worse(self, a: str, b: str) -> str:
        """The lower of two grades."""
        names = self.names
        return a if names.index(a) >= names.index(b) else b

    def by_rank(self, rank: int) -> str:
        """The grade a rank alone gives under rank bands (NO_GRADE outside every band)."""
        return next((g.name for g in self.grades if g.ranks and g.ranks[0] <= rank <= g.ranks[1]), NO_GRADE)

    @property
    def uses(self) -> set[str]:
        return {condition for grade in self.grades for condition in grade.conditions}


def check_grading(grading: Grading, category_names: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every fault of the grading rules, as (where, what): ``where`` is "grade:<name>",
    "grade:<n>" or "vetoes", for the reader of the file to turn into a cell or a key."""
    faults: list[tuple[str, str]] = []
    if not grading.grades:
        faults.append(("grades", "至少要有一个等级"))
    seen: set[str] = set()
    previous: Grade | None = None
    for n, grade in enumerate(grading.grades, start=1):
        where = f"grade:{n}"
        if not grade.name or grade.name == NO_GRADE or grade.name in seen:
            faults.append((where, f"等级名称“{grade.name}”为空、重复或与“{NO_GRADE}”相同"))
        seen.add(grade.name)
        if not grade.conditions:
            faults.append((where, f"等级“{grade.name}”没有任何条件（名次、最低总分、各类最低得分率或名额）"))
        if grade.ranks is not None:
            first, last = grade.ranks
            if first < 1 or last < first:
                faults.append((where, f"等级“{grade.name}”的名次 {first}–{last} 应从1起且不倒置"))
            elif previous is not None and previous.ranks is not None and first != previous.ranks[1] + 1:
                faults.append(
                    (where, f"等级“{grade.name}”的名次应从第{previous.ranks[1] + 1}名起，接上一个等级")
                )
            elif previous is None and first != 1:
                faults.append((where, f"最高等级“{grade.name}”的名次应从第1名起"))
        if grade.min_total is not None and grade.min_total < 0:
            faults.append((where, f"等级“{grade.name}”的最低总分不能为负"))
        if (
            grade.min_total is not None
            and previous is not None
            and previous.min_total is not None
            and grade.min_total > previous.min_total
        ):
            faults.append(
                (
                    where,
                    f"等级“{grade.name}”的最低总分{grade.min_total}高于更高等级“{previous.name}”的{previous.min_total}",
                )
            )
        for label, share in (("各类最低得分率", grade.min_share), ("名额比例", grade.quota_share)):
            if share is not None and not 0 < share <= 100:
                faults.append((where, f"等级“{grade.name}”的{label}应在0至100之间，现为{share}"))
        if grade.quota is not None and grade.quota < 1:
            faults.append((where, f"等级“{grade.name}”的名额应为正整数"))
        if not (0 <= grade.bonus <= MAX_BONUS) or grade.bonus != grade.bonus.quantize(
            BONUS_UNIT, rounding=ROUND_FLOOR
        ):
            faults.append(
                (where, f"等级“{grade.name}”的绩效加分{grade.bonus}应在0至{MAX_BONUS}分之间，最多两位小数")
            )
        if grade.min_total is not None and grade.min_total.adjusted() > 6:
            faults.append((where, f"等级“{grade.name}”的最低总分{grade.min_total}不是合理的分数"))
        previous = grade
    for veto in grading.vetoes:
        if not veto.strip():
            faults.append(("vetoes", "一票否决事项不能为空"))
    if len(set(grading.vetoes)) != len(grading.vetoes):
        faults.append(("vetoes", "一票否决事项有重复"))
    return faults
