"""Published rounds in the register: what was published when, from which inputs (every file kept,
by its content), on which table, with which results, and the hashes of its notice and workbook.

A published round is never rewritten. Running it again with the same inputs records nothing
new; with other inputs it is refused before anything is published, unless the clerk says it is
a correction (``--correction "理由"``), which records a new version with its reason and keeps
the old one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .. import __version__
from ..inputs.round import Round
from ..problems import Code, Problem, problem
from ..results.records import Results
from ..rules.grading import Grade, Grading
from . import db


@dataclass(frozen=True)
class RoundRecord:
    id: int
    round_key: str
    county: str
    year: int
    version: int
    registered_at: str
    publication_date: dt.date
    document_number: str
    validity_years: int
    rubric_version: str
    manifest_sha256: str
    notice_sha256: str
    workbook_sha256: str
    correction_reason: str | None

    @property
    def expires_on(self) -> dt.date:
        """The last day the round's grades are valid: its publication date, validity_years on."""
        day = self.publication_date
        try:
            return day.replace(year=day.year + self.validity_years)
        except ValueError:  # 29 February
            return day.replace(year=day.year + self.validity_years, day=28)


def grades_json(grading: Grading) -> str:
    """The round's grades, best first, with their bonus: what a later decision lowers along."""
    return json.dumps([[g.name, str(g.bonus)] for g in grading.grades], ensure_ascii=False)


def grading_of(connection: sqlite3.Connection, record: RoundRecord) -> Grading:
    (text,) = connection.execute("SELECT grades FROM rounds WHERE id = ?", (record.id,)).fetchone()
    return Grading(tuple(Grade(name, Decimal(bonus), ranks=(1, 1)) for name, bonus in json.loads(text)))


def round_key(round_: Round) -> str:
    """One round of one county: the county's name and the round's year."""
    return f"{round_.settings.county}/{round_.settings.year}"


def manifest_hash(round_: Round) -> str:
    lines = sorted(f"{f.name}\t{f.role}\t{f.sha256}" for f in round_.files)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


_COLUMNS = (
    "id, round_key, county, year, version, registered_at, publication_date, document_number, "
    "validity_years, rubric_version, manifest_sha256, notice_sha256, workbook_sha256, correction_reason"
)


def _record(row) -> RoundRecord:
    values = list(row)
    values[6] = dt.date.fromisoformat(values[6])
    return RoundRecord(*values)


def latest(connection: sqlite3.Connection, key: str) -> RoundRecord | None:
    row = connection.execute(
        f"SELECT {_COLUMNS} FROM rounds WHERE round_key = ? ORDER BY version DESC LIMIT 1", (key,)
    ).fetchone()
    return _record(row) if row else None


def all_rounds(connection: sqlite3.Connection) -> list[RoundRecord]:
    rows = connection.execute(f"SELECT {_COLUMNS} FROM rounds ORDER BY year, round_key, version")
    return [_record(row) for row in rows]


def check(folder: Path, round_: Round, correction: str | None) -> list[Problem]:
    """Before publishing: the problems the register sees with this run (a published round run
    again with other inputs and no correction; a correction of a round with nothing to correct)."""
    where = str(db.path_in(folder))
    if not db.path_in(folder).exists():
        if correction:
            return [problem(Code.REGISTER_NOTHING_TO_CORRECT, file=where, value=round_key(round_))]
        return []
    with db.opened(folder) as connection:
        found = latest(connection, round_key(round_))
    if found is None:
        if correction:
            return [problem(Code.REGISTER_NOTHING_TO_CORRECT, file=where, value=round_key(round_))]
        return []
    same = found.manifest_sha256 == manifest_hash(round_)
    if same and correction:
        return [
            problem(Code.REGISTER_CORRECTION_SAME, file=where, value=round_key(round_), version=found.version)
        ]
    if not same and not correction:
        return [
            problem(
                Code.REGISTER_ROUND_PUBLISHED,
                file=where,
                value=round_key(round_),
                version=found.version,
                day=found.publication_date.isoformat(),
                document=found.document_number,
            )
        ]
    return []


def record(
    folder: Path,
    round_: Round,
    results: Results,
    inputs: Path,
    notice_sha256: str,
    workbook_sha256: str,
    correction: str | None = None,
    now: dt.datetime | None = None,
) -> RoundRecord:
    """Record a published round (in one transaction), with every input file's bytes; the
    existing record when the same inputs were registered already."""
    key, manifest = round_key(round_), manifest_hash(round_)
    blobs = []
    for file in round_.files:
        data = (inputs / file.name).read_bytes()
        if hashlib.sha256(data).hexdigest() != file.sha256:
            raise db.RegisterError(f"输入文件 {file.name} 在运行中被改动，未登记；请重新运行")
        blobs.append((file, data))
    stamp = (now or dt.datetime.now()).isoformat(timespec="seconds")
    with db.opened(folder) as connection, db.transaction(connection):
        found = latest(connection, key)
        if found is not None and found.manifest_sha256 == manifest:
            return found
        if found is not None and not correction:
            raise db.RegisterError(f"本轮（{key}）已由另一个处理登记为不同的结果；请重新运行并核对")
        settings, rubric = round_.settings, round_.rubric
        version = (found.version + 1) if found else 1
        cursor = connection.execute(
            "INSERT INTO rounds (round_key, county, year, version, registered_at, publication_date, "
            "document_number, validity_years, rubric_title, rubric_version, rubric_fingerprint, grades, "
            "manifest_sha256, notice_sha256, workbook_sha256, correction_reason, program_version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key, settings.county, settings.year, version, stamp, settings.publication_date.isoformat(),
             settings.document_number, settings.validity_years, rubric.title, rubric.version,
             rubric.fingerprint, grades_json(rubric.grading), manifest, notice_sha256, workbook_sha256,
             correction, __version__),
        )  # fmt: skip
        round_id = cursor.lastrowid
        db.step("round")
        for file, data in blobs:
            connection.execute(
                "INSERT OR IGNORE INTO blobs (sha256, data) VALUES (?, ?)", (file.sha256, data)
            )
            connection.execute(
                "INSERT INTO round_files (round_id, name, role, sha256, size) VALUES (?, ?, ?, ?, ?)",
                (round_id, file.name, file.role, file.sha256, file.size),
            )
            db.step(f"file {file.name}")
        categories = [c.name for c in rubric.categories]
        for result in results.townships:
            subtotals = json.dumps(
                dict(zip(categories, map(str, result.subtotals), strict=True)), ensure_ascii=False
            )
            connection.execute(
                "INSERT INTO results (round_id, township, rank, total, initial_grade, final_grade, bonus, subtotals) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (round_id, result.township, result.rank, str(result.total), result.initial, result.final,
                 str(result.bonus), subtotals),
            )  # fmt: skip
        db.step("results")
        return latest(connection, key)


def archived_files(connection: sqlite3.Connection, round_id: int) -> list[tuple[str, bytes]]:
    rows = connection.execute(
        "SELECT f.name, b.data FROM round_files f JOIN blobs b ON b.sha256 = f.sha256 WHERE f.round_id = ? ORDER BY f.name",
        (round_id,),
    )
    return [(name, bytes(data)) for name, data in rows]


def round_results(connection: sqlite3.Connection, round_id: int) -> list[dict]:
    rows = connection.execute(
        "SELECT township, rank, total, initial_grade, final_grade, bonus, subtotals FROM results "
        "WHERE round_id = ? ORDER BY rank, township",
        (round_id,),
    )
    return [
        {
            "township": t,
            "rank": r,
            "total": total,
            "initial": i,
            "final": f,
            "bonus": b,
            "subtotals": json.loads(s),
        }
        for t, r, total, i, f, b, s in rows
    ]
