"""What the register answers, as records: each township's grade on a given day and its history
(round, grade, changes, dates, reasons), whose grade expires when, and the rounds side by side.

A township's grade on a day is that of the newest round that graded it, published on or before
the day, with the decisions dated on or before the day applied in order; it lapses the day after
its validity ends (the publication date plus ``validity_years``, 获评等级有效期三年).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..constants import EXPIRING_DAYS, NO_GRADE
from . import db
from .decisions import Decision, decisions_of
from .publicity import Publicity, publicities
from .rounds import RoundRecord, all_rounds, grading_of, round_results

VALID, EXPIRED, CANCELLED, UNGRADED = "有效", "已过期", "已取消", "未获等级"
LAPSED = "无有效等级"  # what an expired grade leaves the township holding


@dataclass(frozen=True)
class Entry:
    """One township in one round (its latest version), with the decisions on it."""

    round: RoundRecord
    township: str
    rank: int
    total: Decimal
    initial: str
    published: str  # the grade the round's notice gave
    bonus: Decimal
    level: int  # the published grade's place in its round's grades (0 the best; no grade last)
    decisions: tuple[Decision, ...]

    def grade_on(self, day: dt.date) -> str:
        """The grade on ``day``: the published one, after the decisions taken by then."""
        taken = [d for d in self.decisions if d.decided_on <= day]
        return taken[-1].grade_after if taken else self.published

    def bonus_on(self, day: dt.date) -> Decimal:
        taken = [d for d in self.decisions if d.decided_on <= day]
        return taken[-1].bonus_after if taken else self.bonus

    def status_on(self, day: dt.date) -> str:
        grade = self.grade_on(day)
        if grade == NO_GRADE:
            return CANCELLED if self.published != NO_GRADE else UNGRADED
        return EXPIRED if day > self.round.expires_on else VALID


@dataclass(frozen=True)
class Current:
    township: str
    entry: Entry  # the newest round that graded it by the day
    grade: str
    status: str
    day: dt.date  # the day it stands on

    @property
    def holds(self) -> str:
        """The grade the township holds on the day: none once its grade has expired."""
        return LAPSED if self.status == EXPIRED else self.grade

    @property
    def expiring(self) -> bool:
        """Valid, and lapsing within EXPIRING_DAYS."""
        return self.status == VALID and (self.entry.round.expires_on - self.day).days <= EXPIRING_DAYS


@dataclass(frozen=True)
class Change:
    """A township from one round to the next it was graded in."""

    township: str
    before: Entry
    after: Entry

    @property
    def total(self) -> Decimal:
        return self.after.total - self.before.total

    @property
    def direction(self) -> str:
        if self.after.level == self.before.level:
            return "持平"
        return "升等" if self.after.level < self.before.level else "降等"


@dataclass(frozen=True)
class RegisterView:
    path: Path
    day: dt.date
    rounds: list[RoundRecord]  # every version, oldest first
    entries: list[Entry]  # every township of each round's latest version, newest round first
    current: list[Current]
    changes: list[Change]
    decisions: list[Decision]
    publicity: list[Publicity]

    @property
    def years(self) -> list[int]:
        return sorted({e.round.year for e in self.entries})


def read_view(folder: Path, day: dt.date) -> RegisterView:
    """Everything the register holds, as it stands on ``day`` (read only; the register is
    refused as in every use when damaged or newer than this program)."""
    with db.opened(folder, create=False) as connection:
        rounds = all_rounds(connection)
        latest = {}
        for record in rounds:  # ordered by version: the last one of a key is its latest
            latest[record.round_key] = record
        entries, decisions = [], []
        for record in sorted(latest.values(), key=lambda r: (r.publication_date, r.round_key), reverse=True):
            names = [g.name for g in grading_of(connection, record).grades]
            taken = decisions_of(connection, record.round_key)
            decisions += taken
            for row in round_results(connection, record.id):
                entries.append(
                    Entry(
                        round=record,
                        township=row["township"],
                        rank=row["rank"],
                        total=Decimal(row["total"]),
                        initial=row["initial"],
                        published=row["final"],
                        bonus=Decimal(row["bonus"]),
                        level=names.index(row["final"]) if row["final"] in names else len(names),
                        decisions=tuple(d for d in taken if d.township == row["township"]),
                    )
                )
        publicity = publicities(connection)
    current = []
    for township in sorted({e.township for e in entries}):
        own = [e for e in entries if e.township == township and e.round.publication_date <= day]
        if own:
            entry = own[0]
            current.append(Current(township, entry, entry.grade_on(day), entry.status_on(day), day))
    changes = []
    for township in sorted({e.township for e in entries}):
        own = sorted((e for e in entries if e.township == township), key=lambda e: e.round.publication_date)
        changes += [Change(township, a, b) for a, b in itertools.pairwise(own)]
    decisions.sort(key=lambda d: (d.decided_on, d.township))
    return RegisterView(folder, day, rounds, entries, current, changes, decisions, publicity)
