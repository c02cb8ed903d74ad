"""The register's database: one SQLite file (``register.sqlite``) in the register folder.

SQLite, from the standard library: a real embedded database that needs no server and no
install, on the clerk's Windows PC as on Linux; every write is one transaction (a kill at any
point leaves the file as before or as after, which SQLite's journal guarantees and
tests/test_register.py checks at every step), and two clerks writing at once are serialised by
its lock (BEGIN IMMEDIATE, with a wait) instead of corrupting the file.

The schema is versioned (``meta.schema_version``); a register made by an older version is
migrated in one transaction, one from a newer version or a damaged file is refused and never
written.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

REGISTER_FILE = "register.sqlite"
PRODUCT = "processor/register"
HEADER = b"SQLite format 3\x00"
WAIT_SECONDS = 30

# Schema 1: rounds, their files (archived by content) and results, decisions after publication.
SCHEMA_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,
    round_key TEXT NOT NULL,
    county TEXT NOT NULL,
    year INTEGER NOT NULL,
    version INTEGER NOT NULL,
    registered_at TEXT NOT NULL,
    publication_date TEXT NOT NULL,
    document_number TEXT NOT NULL,
    validity_years INTEGER NOT NULL,
    rubric_title TEXT NOT NULL,
    rubric_version TEXT NOT NULL,
    rubric_fingerprint TEXT NOT NULL,
    grades TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    notice_sha256 TEXT NOT NULL,
    workbook_sha256 TEXT NOT NULL,
    correction_reason TEXT,
    program_version TEXT NOT NULL,
    UNIQUE (round_key, version)
);
CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE round_files (
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    size INTEGER NOT NULL,
    PRIMARY KEY (round_id, name)
);
CREATE TABLE results (
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    township TEXT NOT NULL,
    rank INTEGER NOT NULL,
    total TEXT NOT NULL,
    initial_grade TEXT NOT NULL,
    final_grade TEXT NOT NULL,
    bonus TEXT NOT NULL,
    subtotals TEXT NOT NULL,
    PRIMARY KEY (round_id, township)
);
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    round_key TEXT NOT NULL,
    township TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    source TEXT NOT NULL,
    reason TEXT NOT NULL,
    action TEXT NOT NULL,
    document_number TEXT NOT NULL,
    grade_before TEXT NOT NULL,
    grade_after TEXT NOT NULL,
    bonus_before TEXT NOT NULL,
    bonus_after TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (round_key, township, decided_on, document_number)
);
"""

# Schema 2: the 公示 of a round (its period and where objections go), before its final notice;
# the names of what a round's folder held but did not read (its warnings name them), and each
# file's name as its file system had it (a name that is not UTF-8), so that the round
# regenerates exactly.
MIGRATION_2 = """
ALTER TABLE rounds ADD COLUMN unused_entries TEXT NOT NULL DEFAULT '[]';
ALTER TABLE round_files ADD COLUMN raw_name TEXT NOT NULL DEFAULT '';
CREATE TABLE publicity (
    id INTEGER PRIMARY KEY,
    round_key TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    contact TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    notice_sha256 TEXT NOT NULL
);
"""

MIGRATIONS = {1: SCHEMA_1, 2: MIGRATION_2}  # version -> the script that makes it from the one before
CURRENT = max(MIGRATIONS)


class RegisterError(Exception):
    """The register cannot be used; the message says why and what to do, in Chinese."""


def step(name: str) -> None:
    """Called between the statements of a write; a test replaces it to kill the process there
    (tests/test_register.py), proving the write all-or-nothing at every step."""


def path_in(folder: Path) -> Path:
    return folder / REGISTER_FILE


@contextlib.contextmanager
def opened(folder: Path, create: bool = True) -> Iterator[sqlite3.Connection]:
    """The register in ``folder``, checked (and migrated) before use; created when absent and
    ``create``. A file that is not our register, is damaged or is newer than this program is
    refused and left as it is."""
    path = path_in(folder)
    exists = path.exists()
    if not exists and not create:
        raise RegisterError(f"登记簿 {path} 不存在；请先用 processor run 发布一轮评定结果")
    if exists:
        _sniff(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=WAIT_SECONDS, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise RegisterError(f"登记簿 {path} 无法打开（{exc}）；请检查文件夹权限") from exc
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        if exists:
            _check(connection, path)
        _migrate(connection, path)
        yield connection
    except sqlite3.DatabaseError as exc:
        if _busy(exc):
            raise RegisterError(BUSY.format(path=path, wait=WAIT_SECONDS)) from exc
        raise RegisterError(
            f"登记簿 {path} 已损坏（{exc}），未作任何改动；请用备份替换，或联系维护人员"
        ) from exc
    finally:
        connection.close()


BUSY = "登记簿 {path} 正被另一个处理使用（已等待{wait}秒），登记簿未作改动；请等它结束后再运行"


def _busy(exc: sqlite3.Error) -> bool:
    """Locked by another connection (not damage: waiting is the answer, not a backup)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc)


def _sniff(path: Path) -> None:
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(HEADER))
    except OSError as exc:
        raise RegisterError(f"登记簿 {path} 无法读取（{exc.strerror or exc}）") from exc
    if head != HEADER and os.path.getsize(path) > 0:
        raise RegisterError(
            f"{path} 不是本程序的登记簿（不是 SQLite 数据库），未作任何改动；请换一个登记簿文件夹"
        )


def _check(connection: sqlite3.Connection, path: Path) -> None:
    (status,) = connection.execute("PRAGMA quick_check").fetchone()
    if status != "ok":
        raise RegisterError(f"登记簿 {path} 已损坏（{status}），未作任何改动；请用备份替换，或联系维护人员")
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if tables and "meta" not in tables:
        raise RegisterError(f"{path} 不是本程序的登记簿（缺少 meta 表），未作任何改动；请换一个登记簿文件夹")
    if "meta" in tables:
        product = connection.execute("SELECT value FROM meta WHERE key = 'product'").fetchone()
        if product is None or product[0] != PRODUCT:
            raise RegisterError(f"{path} 不是本程序的登记簿，未作任何改动；请换一个登记簿文件夹")
        version = int(connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
        if version > CURRENT:
            raise RegisterError(
                f"登记簿 {path} 由更新版本的程序建立（格式第{version}版，本程序为第{CURRENT}版），未作任何改动；请升级本程序"
            )


def _version(connection: sqlite3.Connection) -> int:
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "meta" not in tables:
        return 0
    return int(connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])


def _migrate(connection: sqlite3.Connection, path: Path) -> None:
    """Bring the schema to CURRENT in one transaction (a new register: from nothing). A register
    at CURRENT is only read: no write lock is taken."""
    if _version(connection) == CURRENT:
        return
    with transaction(connection):
        version = _version(connection)
        for target in range(version + 1, CURRENT + 1):
            for statement in MIGRATIONS[target].split(";"):
                if statement.strip():
                    connection.execute(statement)
            step(f"migration {target}")
            if target == 1:
                connection.execute("INSERT INTO meta (key, value) VALUES ('product', ?)", (PRODUCT,))
                connection.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
            connection.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(target),))


@contextlib.contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write: all of it or none of it. BEGIN IMMEDIATE takes the write lock first, so two
    clerks' writes follow one another (the second waits up to WAIT_SECONDS)."""
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if _busy(exc):
            where = connection.execute("PRAGMA database_list").fetchone()[2]
            raise RegisterError(BUSY.format(path=where, wait=WAIT_SECONDS)) from exc
        raise
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    else:
        step("commit")
        connection.execute("COMMIT")
