"""Published rounds in the register: what was published when, from which inputs (every file kept,
by its content), on which table, with which results, and the hashes of its notice and workbook.

A published round is never rewritten. Running it again with the same inputs records nothing
new; with other inputs it is refused before anything is published, unless the clerk says it is
a correction (``--correction "理由"``), which records a new version with its reason and keeps
the old one (and may not change the grade of a township decided on since: ``decisions``).

The register is checked before the result is switched into the output folder (what it
refuses is never published) and the round recorded once the switch is done: a switch that
fails records nothing, and a run killed between the two leaves a published result that the
same command again (the same inputs publishing the same bytes) records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .. import __version__
from ..inputs.folder import UNUSED_FOLDER, UNUSED_SHEETS_FOLDER, shown
from ..inputs.round import Round
from ..problems import Code, Problem, problem
from ..results.records import Results
from ..rules.grading import Grade, Grading
from . import db

# The inputs a register keeps of a round, in bytes: a county's are a few megabytes; a province's
# or the country's (thousands of sheets) are kept as their hashes only, and regenerating such a
# round needs its original folder, whose files are checked against them.
ARCHIVE_LIMIT = 200 * 1024 * 1024
NOT_KEPT = b""  # the content of a file kept as its hash only (no input file is empty)


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
    """The round's inputs: every file read (name, role, content) and the names of what the
    folder held but did not read (its warnings name them, in the published problem list)."""
    lines = sorted(f"{f.name}\t{f.role}\t{f.sha256}" for f in round_.files)
    lines += sorted(
        f"{shown(name)}\t未读取\t{kind}\t{os.fsencode(name).hex()}" for name, kind in round_.unused
    )
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
    """The round's latest version."""
    row = connection.execute(
        f"SELECT {_COLUMNS} FROM rounds WHERE round_key = ? ORDER BY version DESC LIMIT 1", (key,)
    ).fetchone()
    return _record(row) if row else None


def all_rounds(connection: sqlite3.Connection) -> list[RoundRecord]:
    rows = connection.execute(f"SELECT {_COLUMNS} FROM rounds ORDER BY year, round_key, version")
    return [_record(row) for row in rows]


def check(
    folder: Path, round_: Round, correction: str | None, notice_sha256: str, workbook_sha256: str
) -> list[Problem]:
    """``check_in`` on the register in ``folder`` (none yet: a first publication)."""
    if not db.path_in(folder).exists():
        return check_in(None, folder, round_, correction, notice_sha256, workbook_sha256)
    with db.opened(folder) as connection:
        return check_in(connection, folder, round_, correction, notice_sha256, workbook_sha256)


def check_in(
    connection: sqlite3.Connection | None,
    folder: Path,
    round_: Round,
    correction: str | None,
    notice_sha256: str,
    workbook_sha256: str,
) -> list[Problem]:
    """Before publishing what is staged: the problems the register sees with it. A round
    published already may be published again only as it was (the same inputs giving the same
    notice and workbook); anything else is a correction, which must say so and must change
    something."""
    where = str(db.path_in(folder))
    key = round_key(round_)
    found = latest(connection, key) if connection is not None else None
    if found is None:
        return [problem(Code.REGISTER_NOTHING_TO_CORRECT, file=where, value=key)] if correction else []
    same_inputs = found.manifest_sha256 == manifest_hash(round_)
    same_outputs = (found.notice_sha256, found.workbook_sha256) == (notice_sha256, workbook_sha256)
    if same_inputs and same_outputs:
        if correction:
            return [problem(Code.REGISTER_CORRECTION_SAME, file=where, value=key, version=found.version)]
        return []
    if correction:
        return []
    facts = dict(
        file=where,
        value=key,
        version=found.version,
        day=found.publication_date.isoformat(),
        document=found.document_number,
    )
    if same_inputs:  # the same files, another program (or its table) made other documents
        return [problem(Code.REGISTER_OUTPUTS_DIFFER, **facts)]
    return [problem(Code.REGISTER_ROUND_PUBLISHED, **facts)]


def archive(round_: Round, inputs: Path) -> list[tuple[object, bytes]]:
    """Every input file with the bytes the register keeps of it (none beyond ARCHIVE_LIMIT),
    read again and checked against what the round read."""
    kept = sum(f.size for f in round_.files) <= ARCHIVE_LIMIT
    blobs = []
    for file in round_.files:
        data = (inputs / file.real_name).read_bytes() if kept else NOT_KEPT
        if kept and hashlib.sha256(data).hexdigest() != file.sha256:
            raise db.RegisterError(f"输入文件 {file.name} 在运行中被改动，未登记；请重新运行")
        blobs.append((file, data))
    return blobs


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
    """``record_in`` in one transaction of its own."""
    blobs = archive(round_, inputs)
    with db.opened(folder) as connection, db.transaction(connection):
        return record_in(connection, round_, results, blobs, notice_sha256, workbook_sha256, correction, now)


def record_in(
    connection: sqlite3.Connection,
    round_: Round,
    results: Results,
    blobs: list[tuple[object, bytes]],
    notice_sha256: str,
    workbook_sha256: str,
    correction: str | None = None,
    now: dt.datetime | None = None,
) -> RoundRecord:
    """Record a published round, in the caller's transaction, with every input file's bytes
    (``archive``); the existing record when the same inputs were registered already with the
    same outputs."""
    key, manifest = round_key(round_), manifest_hash(round_)
    stamp = (now or dt.datetime.now()).isoformat(timespec="seconds")
    found = latest(connection, key)
    same = found is not None and (found.manifest_sha256, found.notice_sha256, found.workbook_sha256) == (
        manifest,
        notice_sha256,
        workbook_sha256,
    )
    if same:
        return found
    if found is not None and not correction:
        raise db.RegisterError(f"本轮（{key}）已由另一个处理登记为不同的结果；请重新运行并核对")
    settings, rubric = round_.settings, round_.rubric
    version = (found.version + 1) if found else 1
    cursor = connection.execute(
        "INSERT INTO rounds (round_key, county, year, version, registered_at, publication_date, "
        "document_number, validity_years, rubric_title, rubric_version, rubric_fingerprint, grades, "
        "manifest_sha256, notice_sha256, workbook_sha256, correction_reason, program_version, unused_entries) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (key, settings.county, settings.year, version, stamp, settings.publication_date.isoformat(),
         settings.document_number, settings.validity_years, rubric.title, rubric.version,
         rubric.fingerprint, grades_json(rubric.grading), manifest, notice_sha256, workbook_sha256,
         correction, __version__, _unused_json(round_.unused)),
    )  # fmt: skip
    round_id = cursor.lastrowid
    db.step("round")
    for file, data in blobs:
        connection.execute(  # a content kept now fills in one only hashed before
            "INSERT INTO blobs (sha256, data) VALUES (?, ?) ON CONFLICT (sha256) DO UPDATE "
            "SET data = excluded.data WHERE length(blobs.data) = 0",
            (file.sha256, data),
        )
        connection.execute(
            "INSERT INTO round_files (round_id, name, role, sha256, size, raw_name) VALUES (?, ?, ?, ?, ?, ?)",
            (round_id, file.name, file.role, file.sha256, file.size, file.raw),
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
    """(name as the round's file system had it, content) of every file the round read."""
    rows = connection.execute(
        "SELECT f.name, f.raw_name, b.data FROM round_files f JOIN blobs b ON b.sha256 = f.sha256 "
        "WHERE f.round_id = ? ORDER BY f.name",
        (round_id,),
    )
    return [(_real(name, raw), bytes(data)) for name, raw, data in rows]


def _real(name: str, raw: str) -> str:
    return os.fsdecode(bytes.fromhex(raw)) if raw else name


def _unused_json(unused: list[tuple[str, str]]) -> str:
    """(shown name, kind, raw name in hex): a name that is not UTF-8 cannot be stored as text."""
    entries = sorted([shown(name), kind, os.fsencode(name).hex()] for name, kind in unused)
    return json.dumps(entries, ensure_ascii=False)


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


def unused_entries(connection: sqlite3.Connection, round_id: int) -> list[tuple[str, str]]:
    """(name as the file system had it, kind) of what the round's folder held and did not read."""
    (text,) = connection.execute("SELECT unused_entries FROM rounds WHERE id = ?", (round_id,)).fetchone()
    return [(_real(entry[0], entry[2] if len(entry) > 2 else ""), entry[1]) for entry in json.loads(text)]


def restore(folder: Path, record: RoundRecord, into: Path, source: Path | None = None) -> None:
    """The round's input folder as it was published, in ``into`` (empty or absent): every file
    it read, byte for byte, and what it held but did not read as empty stand-ins (a warning
    names them, nothing reads them). A file the register kept as its hash only is taken from
    ``source`` (the original folder) and checked against it."""
    with db.opened(folder, create=False) as connection:
        files = archived_files(connection, record.id)
        hashes = {
            _real(name, raw): sha
            for name, raw, sha in connection.execute(
                "SELECT name, raw_name, sha256 FROM round_files WHERE round_id = ?", (record.id,)
            )
        }
        unused = unused_entries(connection, record.id)
    into.mkdir(parents=True, exist_ok=True)
    wanting = []
    for name, data in files:
        if data == NOT_KEPT:
            original = source / name if source is not None else None
            try:
                data = original.read_bytes() if original is not None else NOT_KEPT
            except OSError:
                data = NOT_KEPT
            if hashlib.sha256(data).hexdigest() != hashes[name]:
                wanting.append(name)
                continue
        (into / name).write_bytes(data)
    if wanting:
        shown = "、".join(wanting[:5]) + (f"等{len(wanting)}个文件" if len(wanting) > 5 else "")
        raise db.RegisterError(
            f"{record.round_key}第{record.version}版的输入文件较多，登记簿只存有它们的SHA-256；"
            f"重新生成需要原来的输入文件夹（--input 文件夹），其中缺少或与登记的不同：{shown}"
        )
    for name, kind in unused:
        path = into / name
        if kind in (UNUSED_FOLDER, UNUSED_SHEETS_FOLDER):
            path.mkdir(exist_ok=True)
            if kind == UNUSED_SHEETS_FOLDER:
                (path / "评分表.xlsx").write_bytes(b"")
        else:
            path.write_bytes(b"")
