"""The blank forms a round starts from, built from its rubric and settings: the score sheet and
the two companion tables (``processor template``), and the score sheet's bytes for ``issue``."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from .. import constants as C
from ..rules.rubric import Rubric
from ..rules.settings import Settings
from ..xlsx.save import reproducible_bytes, save_reproducibly
from .companions import build_case_counts, build_criticisms, build_vetoes
from .score_sheet import build_score_sheet


def saved_on(rubric: Rubric) -> dt.datetime:
    """The date every form of a rubric is saved with: the same rubric gives the same bytes."""
    return dt.datetime(rubric.year, 1, 1)


@functools.lru_cache(maxsize=4)
def score_sheet_bytes(rubric: Rubric) -> bytes:
    """The blank score sheet of ``rubric`` as saved (built once per rubric and process)."""
    return reproducible_bytes(build_score_sheet(rubric), saved_on(rubric))


def write_templates(rubric: Rubric, settings: Settings, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    when = saved_on(rubric)
    written = []
    forms = [
        (C.SCORE_SHEET_TEMPLATE, build_score_sheet(rubric)),
        (C.CASE_COUNTS_TEMPLATE, build_case_counts(rubric)),
        (C.CRITICISMS_TEMPLATE, build_criticisms(settings)),
    ]
    if rubric.grading.vetoes:
        forms.append((C.VETOES_TEMPLATE, build_vetoes(rubric)))
    for name, wb in forms:
        path = folder / name
        save_reproducibly(wb, path, when)
        written.append(path)
    return written
