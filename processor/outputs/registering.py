"""A published round into the register (``register.rounds``), from what is staged: refused
before the switch where the register has the round otherwise, recorded before the switch (so
that nothing the register refuses is ever published; a switch that then fails leaves a round
recorded and not yet published, which the same run again publishes and records nothing new)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .. import constants as C
from ..inputs.round import Round
from ..inputs.stages import publicity_period
from ..problems import Code, Problem, problem
from ..register import db, rounds
from ..results.records import Results


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refusals(register: Path, round_: Round, correction: str | None, results: Path) -> list[Problem]:
    """The register's problems with the staged result folder ``results``."""
    notice, workbook = sha256(results / C.NOTICE_FILE), sha256(results / C.CONSOLIDATED_FILE)
    return rounds.check(register, round_, correction, notice, workbook)


def record(
    register: Path,
    round_: Round,
    results: Results,
    stage: str,
    staged: Path,
    inputs: Path,
    correction: str | None,
) -> Problem:
    """Record the staged result folder (or the staged 公示, ``staged``): the note saying so."""
    where = str(db.path_in(register))
    key = rounds.round_key(round_)
    if stage == C.STAGE_PUBLICITY:
        rounds.record_publicity(register, round_, publicity_period(round_.settings), sha256(staged))
        return problem(Code.PUBLICITY_RECORDED, file=where, where=where, value=key)
    before = None
    if db.path_in(register).exists():
        with db.opened(register) as connection:
            before = rounds.latest(connection, key)
    notice, workbook = sha256(staged / C.NOTICE_FILE), sha256(staged / C.CONSOLIDATED_FILE)
    found = rounds.record(register, round_, results, inputs, notice, workbook, correction)
    code = Code.REGISTER_UNCHANGED if before is not None and before.id == found.id else Code.REGISTER_RECORDED
    return problem(code, file=where, where=where, value=found.round_key, version=found.version)
