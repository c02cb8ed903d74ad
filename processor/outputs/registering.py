"""A published round into the register (``register.rounds``), under one write lock from the
check before the switch to the record after it (``held``): what the register refuses is never
published, a switch that fails records nothing, and no other clerk's write (a correction, a
decision) lands between the check and the record. A record that fails after the switch (a
disk full, Ctrl-C) is rolled back and leaves the result published and unrecorded; the run says
so (``not_recorded``) and the same command again records it."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .. import constants as C
from ..inputs.round import Round
from ..inputs.stages import publicity_period
from ..oserrors import os_error_in, reason
from ..problems import Code, Problem, problem
from ..register import db, decisions, publicity, rounds
from ..results.records import Results
from .publish import within


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Staged:
    """What a run is about to publish, as the register will record it."""

    stage: str
    notice: str  # SHA-256 of the notice (or of the 公示)
    workbook: str  # of the consolidated workbook; "" for a 公示


def staged(stage: str, document: Path) -> Staged:
    """``document``: the staged result folder (the final notice) or the staged 公示."""
    if stage == C.STAGE_PUBLICITY:
        return Staged(stage, sha256(document), "")
    return Staged(stage, sha256(document / C.NOTICE_FILE), sha256(document / C.CONSOLIDATED_FILE))


def register_place(register: Path, output_dir: Path, input_dir: Path | None = None) -> None:
    """A register folder inside the inputs (never written) or inside a folder of the output
    that publication replaces as a whole is refused."""
    places = [
        (output_dir / C.RESULTS_DIR, "发布结果的文件夹", "每次发布时整个替换"),
        (output_dir / C.ADJUSTMENTS_DIR, "等级调整通报的文件夹", "每次调整时整个替换"),
    ]
    if input_dir is not None:
        places.insert(0, (input_dir, "输入文件夹", "其中的文件从不改写"))
    for folder, what, why in places:
        if within(register, folder):
            raise db.RegisterError(
                f"登记簿文件夹 {register} 不能在{what} {folder} 之内（{why}）。"
                "请用 --register 指定别的文件夹（默认为输出文件夹旁边的 register 文件夹）"
            )


@contextlib.contextmanager
def held(register: Path) -> Iterator[sqlite3.Connection]:
    """The register opened (refused here when damaged, newer or busy: before anything is
    published) with its write lock taken until the block ends; all of its writes or none."""
    with db.opened(register) as connection, db.transaction(connection):
        yield connection


def refusals(
    connection: sqlite3.Connection,
    register: Path,
    round_: Round,
    correction: str | None,
    found: Staged,
    results: Results,
) -> list[Problem]:
    """The register's problems with what is staged, before the switch."""
    problems = rounds.check_in(connection, register, round_, correction, found.notice, found.workbook)
    if correction and not problems:
        key = rounds.round_key(round_)
        changed = decisions.changed_by(connection, key, results)
        if changed:
            where = str(db.path_in(register))
            problems.append(
                problem(Code.REGISTER_CORRECTION_DECIDED, file=where, value=key, detail="；".join(changed))
            )
    return problems


def record(
    connection: sqlite3.Connection,
    register: Path,
    round_: Round,
    results: Results,
    found: Staged,
    blobs: list,
    correction: str | None,
) -> Problem:
    """Record what was just switched in, in the held transaction: the note saying so."""
    where = str(db.path_in(register))
    key = rounds.round_key(round_)
    if found.stage == C.STAGE_PUBLICITY:
        publicity.record_publicity_in(connection, round_, publicity_period(round_.settings), found.notice)
        return problem(Code.PUBLICITY_RECORDED, file=where, where=where, value=key)
    before = rounds.latest(connection, key)
    made = rounds.record_in(connection, round_, results, blobs, found.notice, found.workbook, correction)
    code = Code.REGISTER_UNCHANGED if before is not None and before.id == made.id else Code.REGISTER_RECORDED
    return problem(code, file=where, where=where, value=made.round_key, version=made.version)


def not_recorded(register: Path, stage: str, exc: BaseException) -> Problem:
    """The error a run reports when its result is switched in and the register did not take it."""
    if isinstance(exc, KeyboardInterrupt):
        detail = "已中断"
    elif isinstance(exc, db.RegisterError):
        detail = str(exc)
    else:
        inner = os_error_in(exc)
        detail = reason(inner)[0] if inner is not None else f"{type(exc).__name__}: {exc}"
    what = "结果" if stage == C.STAGE_NOTICE else stage
    where = str(db.path_in(register))
    return problem(Code.REGISTER_NOT_RECORDED, file=where, where=where, what=what, detail=detail)
