"""Decisions after publication (五、2 建立惩戒机制): a township criticised or exposed after its grade
was published, and the leading group's decision (降低N个等级 / 取消等级). Each is recorded with
its date, reason and document number; the round's own record and notice stay as they were, and a
township's grade from that date on is its round's grade with its decisions applied in order.
Whether the bonus already added to that year's performance score changes is a setting
(``[decisions] bonus_changes``), stated in the decision's notice."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..constants import NO_GRADE
from ..results.records import Results
from . import db
from .rounds import RoundRecord, all_rounds, grading_of, latest, round_results


@dataclass(frozen=True)
class Decision:
    round_key: str
    township: str
    decided_on: dt.date
    source: str
    reason: str
    action: str  # 降低一个等级, 取消等级 ...
    document_number: str
    grade_before: str
    grade_after: str
    bonus_before: Decimal
    bonus_after: Decimal  # the same as before unless the settings say the bonus follows


@dataclass(frozen=True)
class Standing:
    """A township's grade as the register knows it today."""

    township: str
    round: RoundRecord
    grade: str  # after every decision
    published_grade: str
    bonus: Decimal
    decisions: tuple[Decision, ...]

    @property
    def valid(self) -> bool:
        return self.grade != NO_GRADE


def decisions_of(connection: sqlite3.Connection, key: str) -> list[Decision]:
    rows = connection.execute(
        "SELECT round_key, township, decided_on, source, reason, action, document_number, grade_before, "
        "grade_after, bonus_before, bonus_after FROM decisions WHERE round_key = ? ORDER BY decided_on, id",
        (key,),
    )
    return [
        Decision(k, t, dt.date.fromisoformat(d), s, r, a, n, gb, ga, Decimal(bb), Decimal(ba))
        for k, t, d, s, r, a, n, gb, ga, bb, ba in rows
    ]


def standings(connection: sqlite3.Connection) -> list[Standing]:
    """Every township of every round's latest version, with its decisions, newest round first."""
    found = []
    latest_rounds = {}
    for record in all_rounds(connection):
        latest_rounds[record.round_key] = record  # ordered by version: the last is the latest
    for record in sorted(latest_rounds.values(), key=lambda r: (r.year, r.round_key), reverse=True):
        decisions = decisions_of(connection, record.round_key)
        for row in round_results(connection, record.id):
            own = tuple(d for d in decisions if d.township == row["township"])
            grade = own[-1].grade_after if own else row["final"]
            bonus = own[-1].bonus_after if own else Decimal(row["bonus"])
            found.append(Standing(row["township"], record, grade, row["final"], bonus, own))
    return found


@dataclass(frozen=True)
class Request:
    """A decision as the clerk records it (from the adjustment table)."""

    township: str
    decided_on: dt.date
    source: str
    reason: str
    action: str
    steps: int
    cancel: bool
    document_number: str


def apply(
    folder: Path,
    key: str,
    requests: list[Request],
    bonus_changes: bool,
    now: dt.datetime | None = None,
) -> list[Decision]:
    """Record the decisions on round ``key`` in one transaction; the ones recorded already (same
    township, date and document number) are not recorded twice. Returns the new decisions."""
    stamp = (now or dt.datetime.now()).isoformat(timespec="seconds")
    made = []
    with db.opened(folder, create=False) as connection, db.transaction(connection):
        record = latest(connection, key)
        if record is None:
            raise db.RegisterError(f"登记簿中没有{key}这一轮的评定结果；请先发布该轮结果")
        grading = grading_of(connection, record)  # the round's own grades, not today's table
        results = {row["township"]: row for row in round_results(connection, record.id)}
        current = {s.township: s for s in standings(connection) if s.round.round_key == key}
        for request in sorted(requests, key=lambda r: (r.decided_on, r.township)):
            standing = current.get(request.township)
            if standing is None:
                raise db.RegisterError(f"{key}这一轮没有乡镇“{request.township}”的评定结果")
            exists = connection.execute(
                "SELECT 1 FROM decisions WHERE round_key = ? AND township = ? AND decided_on = ? AND document_number = ?",
                (key, request.township, request.decided_on.isoformat(), request.document_number),
            ).fetchone()
            if exists:
                continue
            # checked again under the lock: another clerk may have recorded one since the table was checked
            last = standing.decisions[-1] if standing.decisions else None
            if last is not None and (request.decided_on < last.decided_on or standing.grade == NO_GRADE):
                raise db.RegisterError(
                    f"乡镇“{request.township}”已登记了{last.decided_on.isoformat()}的等级调整（{last.action}，"
                    f"{last.document_number}），这次{request.decided_on.isoformat()}的决定与它冲突；"
                    f"{key}这一轮的决定均未登记，请重新运行 processor adjust 核对"
                )
            before = standing.grade
            after = NO_GRADE if request.cancel else grading.lower(before, request.steps)
            bonus_before = standing.bonus
            bonus_after = grading.bonus(after) if bonus_changes else bonus_before
            decision = Decision(key, request.township, request.decided_on, request.source, request.reason,
                                request.action, request.document_number, before, after, bonus_before, bonus_after)  # fmt: skip
            connection.execute(
                "INSERT INTO decisions (round_key, township, decided_on, source, reason, action, document_number, "
                "grade_before, grade_after, bonus_before, bonus_after, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, request.township, request.decided_on.isoformat(), request.source, request.reason,
                 request.action, request.document_number, before, after, str(bonus_before), str(bonus_after), stamp),
            )  # fmt: skip
            db.step(f"decision {request.township}")
            made.append(decision)
            current[request.township] = Standing(
                request.township,
                record,
                after,
                results[request.township]["final"],
                bonus_after,
                (*standing.decisions, decision),
            )
    return made


def changed_by(connection: sqlite3.Connection, key: str, results: Results) -> list[str]:
    """A correction of round ``key`` against its decisions: the townships decided on whose
    published grade ``results`` change (or leave out), as '乡镇：原评定二等，更正后三等（文号）'.
    Their decisions were taken on the published grade, so such a correction is refused."""
    found = latest(connection, key)
    if found is None:
        return []
    before = {row["township"]: row["final"] for row in round_results(connection, found.id)}
    documents: dict[str, list[str]] = {}
    for decision in decisions_of(connection, key):
        documents.setdefault(decision.township, []).append(decision.document_number)
    after = {r.township: r.final for r in results.townships}
    changed = []
    for township, numbers in documents.items():
        now = after.get(township, "未列入")
        if now != before.get(township):
            changed.append(
                f"{township}：原评定{before.get(township)}，更正后{now}（已有等级调整{'、'.join(numbers)}）"
            )
    return changed
