"""The blank forms a round starts from, built from its rubric and settings: the score sheet and
the two companion tables (``processor template``), and the score sheet's bytes for ``issue``."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from .. import constants as C
from ..outputs.publish import staging
from ..rules.rubric import Rubric
from ..rules.settings import Settings
from ..xlsx.save import reproducible_bytes
from .companions import build_case_counts, build_criticisms
from .score_sheet import build_score_sheet


def saved_on(rubric: Rubric) -> dt.datetime:
    """The date every form of a rubric is saved with: the same rubric gives the same bytes."""
    return dt.datetime(rubric.year, 1, 1)


@functools.lru_cache(maxsize=4)
def score_sheet_bytes(rubric: Rubric) -> bytes:
    """The blank score sheet of ``rubric`` as saved (built once per rubric and process)."""
    return reproducible_bytes(build_score_sheet(rubric), saved_on(rubric))


def write_templates(
    rubric: Rubric, settings: Settings, folder: Path, notes: list[str] | None = None
) -> list[Path]:
    """The three templates into ``folder``, published together as every output is."""
    when = saved_on(rubric)
    names = (C.SCORE_SHEET_TEMPLATE, C.CASE_COUNTS_TEMPLATE, C.CRITICISMS_TEMPLATE)
    with staging(folder) as stage:
        if stage.restored and notes is not None:
            notes.append(stage.restored)
        with stage.writing():
            for name, build in zip(
                names, (build_score_sheet, build_case_counts, build_criticisms), strict=True
            ):
                wb = build(settings if build is build_criticisms else rubric)
                stage.path(name).write_bytes(reproducible_bytes(wb, when))
        return stage.commit(names)
