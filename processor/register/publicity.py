"""The 公示 of a round in the register: its period, where objections go, and the hash of the
notice, recorded when ``processor run --stage 公示`` publishes it (before the final notice)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from ..inputs.round import Round
from . import db
from .rounds import round_key


@dataclass(frozen=True)
class Publicity:
    round_key: str
    starts_on: dt.date
    ends_on: dt.date
    contact: str
    recorded_at: str
    notice_sha256: str


def record_publicity_in(
    connection: sqlite3.Connection,
    round_: Round,
    period: tuple[dt.date, dt.date],
    notice_sha256: str,
    now: dt.datetime | None = None,
) -> Publicity:
    """Record the round's 公示 in the caller's transaction; the same notice recorded twice is
    recorded once."""
    key, (start, end) = round_key(round_), period
    stamp = (now or dt.datetime.now()).isoformat(timespec="seconds")
    contact = round_.settings.publicity_contact
    same = connection.execute(
        "SELECT recorded_at FROM publicity WHERE round_key = ? AND notice_sha256 = ?",
        (key, notice_sha256),
    ).fetchone()
    if same is not None:
        return Publicity(key, start, end, contact, same[0], notice_sha256)
    connection.execute(
        "INSERT INTO publicity (round_key, starts_on, ends_on, contact, recorded_at, notice_sha256) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (key, start.isoformat(), end.isoformat(), contact, stamp, notice_sha256),
    )
    db.step("publicity")
    return Publicity(key, start, end, contact, stamp, notice_sha256)


def publicities(connection: sqlite3.Connection) -> list[Publicity]:
    rows = connection.execute(
        "SELECT round_key, starts_on, ends_on, contact, recorded_at, notice_sha256 FROM publicity ORDER BY id"
    )
    return [
        Publicity(k, dt.date.fromisoformat(s), dt.date.fromisoformat(e), c, r, h) for k, s, e, c, r, h in rows
    ]
