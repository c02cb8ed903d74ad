"""A published round into the register (``register.rounds``): checked against the register
before the switch (what the register refuses is never published) and recorded once the result
is switched in (a switch that fails records nothing). A record that then fails (the register
busy, a disk full) leaves the result published and unrecorded, and says so: the same command
again publishes the same bytes and records them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .. import constants as C
from ..inputs.round import Round
from ..inputs.stages import publicity_period
from ..problems import Code, Problem, problem
from ..register import db, decisions, publicity, rounds
from ..results.records import Results


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


def refusals(
    register: Path, round_: Round, correction: str | None, found: Staged, results: Results
) -> list[Problem]:
    """The register's problems with what is staged, before the switch."""
    problems = rounds.check(register, round_, correction, found.notice, found.workbook)
    if correction and not problems:
        key = rounds.round_key(round_)
        changed = decisions.changed_by(register, key, results)
        if changed:
            where = str(db.path_in(register))
            problems.append(
                problem(Code.REGISTER_CORRECTION_DECIDED, file=where, value=key, detail="；".join(changed))
            )
    return problems


def record(
    register: Path,
    round_: Round,
    results: Results,
    found: Staged,
    inputs: Path,
    correction: str | None,
) -> Problem:
    """Record what was just switched in: the note saying so. A register that cannot take it
    is a RegisterError saying the result is published and not yet recorded."""
    where = str(db.path_in(register))
    key = rounds.round_key(round_)
    try:
        if found.stage == C.STAGE_PUBLICITY:
            publicity.record_publicity(register, round_, publicity_period(round_.settings), found.notice)
            return problem(Code.PUBLICITY_RECORDED, file=where, where=where, value=key)
        before = None
        if db.path_in(register).exists():
            with db.opened(register) as connection:
                before = rounds.latest(connection, key)
        made = rounds.record(register, round_, results, inputs, found.notice, found.workbook, correction)
    except db.RegisterError as exc:
        raise db.RegisterError(
            f"结果已发布，但未能记入登记簿：{exc}。问题解决后，请照原命令再运行一次，即可登记（已发布的结果不变）"
        ) from exc
    code = Code.REGISTER_UNCHANGED if before is not None and before.id == made.id else Code.REGISTER_RECORDED
    return problem(code, file=where, where=where, value=made.round_key, version=made.version)
