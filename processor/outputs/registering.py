"""A published round into the register (``register.rounds``), from what is staged: refused
before the switch where the register has the round otherwise, recorded before the switch as
unpublished (so that nothing the register refuses is ever published) and marked published
after it. A switch that fails, or a run killed in between, leaves an unpublished version, which
the next run on the output folder settles against the live result before anything else."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .. import constants as C
from ..inputs.round import Round
from ..inputs.stages import publicity_period
from ..problems import Code, Problem, problem
from ..register import db, decisions, publicity, rounds
from ..results.records import Results


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refusals(
    register: Path, round_: Round, correction: str | None, staged: Path, live: Path, results: Results
) -> list[Problem]:
    """The register's problems with the staged result folder ``staged`` (the live one, ``live``,
    first settles a version whose publication did not finish)."""
    key = rounds.round_key(round_)
    rounds.settle(register, key, live)
    notice, workbook = sha256(staged / C.NOTICE_FILE), sha256(staged / C.CONSOLIDATED_FILE)
    found = rounds.check(register, round_, correction, notice, workbook)
    if correction and not found:
        changed = decisions.changed_by(register, key, results)
        if changed:
            where = str(db.path_in(register))
            found.append(
                problem(Code.REGISTER_CORRECTION_DECIDED, file=where, value=key, detail="；".join(changed))
            )
    return found


def record(
    register: Path,
    round_: Round,
    results: Results,
    stage: str,
    staged: Path,
    inputs: Path,
    correction: str | None,
) -> tuple[Problem, rounds.RoundRecord | None]:
    """Record the staged result folder (or the staged 公示, ``staged``): the note saying so, and
    the version to mark published once the switch is done (None for a 公示)."""
    where = str(db.path_in(register))
    key = rounds.round_key(round_)
    if stage == C.STAGE_PUBLICITY:
        publicity.record_publicity(register, round_, publicity_period(round_.settings), sha256(staged))
        return problem(Code.PUBLICITY_RECORDED, file=where, where=where, value=key), None
    before = None
    if db.path_in(register).exists():
        with db.opened(register) as connection:
            before = rounds.latest(connection, key)
    notice, workbook = sha256(staged / C.NOTICE_FILE), sha256(staged / C.CONSOLIDATED_FILE)
    found = rounds.record(register, round_, results, inputs, notice, workbook, correction)
    code = Code.REGISTER_UNCHANGED if before is not None and before.id == found.id else Code.REGISTER_RECORDED
    return problem(code, file=where, where=where, value=found.round_key, version=found.version), found


def published(register: Path, record: rounds.RoundRecord | None) -> None:
    """The recorded version's result is switched in."""
    if record is not None:
        rounds.publish(register, record)
