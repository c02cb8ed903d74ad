"""The 公示 of a round in the register: its period, where objections go, and the hash of the
notice, recorded when ``processor run --stage 公示`` publishes it (before the final notice)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

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


def record_publicity(
    folder: Path,
    round_: Round,
    period: tuple[dt.date, dt.date],
    notice_sha256: str,
    now: dt.datetime | None = None,
) -> Publicity:
    """Record the round's 公示 (one transaction); the same notice recorded twice is recorded once."""
    key, (start, end) = round_key(round_), period
    stamp = (now or dt.datetime.now()).isoformat(timespec="seconds")
    contact = round_.settings.publicity_contact
    with db.opened(folder) as connection, db.transaction(connection):
        same = connection.execute(
            "SELECT recorded_at FROM publicity WHERE round_key = ? AND notice_sha256 = ?",
            (key, notice_sha256),
        ).fetchone()
        if same is None:
            connection.execute(
                "INSERT INTO publicity (round_key, starts_on, ends_on, contact, recorded_at, notice_sha256) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (key, start.isoformat(), end.isoformat(), contact, stamp, notice_sha256),
            )
            db.step("publicity")
        else:
            stamp = same[0]
    return Publicity(key, start, end, contact, stamp, notice_sha256)


def publicities(connection: sqlite3.Connection) -> list[Publicity]:
    rows = connection.execute(
        "SELECT round_key, starts_on, ends_on, contact, recorded_at, notice_sha256 FROM publicity ORDER BY id"
    )
    return [
        Publicity(k, dt.date.fromisoformat(s), dt.date.fromisoformat(e), c, r, h) for k, s, e, c, r, h in rows
    ]
