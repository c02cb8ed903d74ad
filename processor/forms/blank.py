"""The blank forms a round starts from, built from its rubric and settings: the score sheet and
the companion tables (``processor template``: case counts, criticisms, and the decisions
after publication), and the score sheet's bytes for ``issue``."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from .. import constants as C
from ..outputs.publish import staging
from ..rules.rubric import Rubric
from ..rules.settings import Settings
from ..xlsx.save import reproducible_bytes
from .companions import build_adjustments, build_case_counts, build_criticisms, build_vetoes
from .score_sheet import build_score_sheet
from .self_sheet import build_self_sheet


def saved_on(rubric: Rubric) -> dt.datetime:
    """The date every form of a rubric is saved with: the same rubric gives the same bytes."""
    return dt.datetime(rubric.year, 1, 1)


@functools.lru_cache(maxsize=8)
def score_sheet_bytes(rubric: Rubric, self_assessment: bool = False) -> bytes:
    """The blank score sheet of ``rubric`` as saved (built once per rubric and process); the
    township's self-assessment version when ``self_assessment``."""
    build = build_self_sheet if self_assessment else build_score_sheet
    return reproducible_bytes(build(rubric), saved_on(rubric))


def write_templates(
    rubric: Rubric,
    settings: Settings,
    folder: Path,
    notes: list[str] | None = None,
    self_assessment: bool = False,
) -> list[Path]:
    """The blank forms into ``folder``, published together as every output is: the score
    sheet and the companion tables, the veto record when the rubric lists veto matters, and the
    township's self-assessment sheet when ``self_assessment``."""
    when = saved_on(rubric)
    forms = [
        (C.SCORE_SHEET_TEMPLATE, lambda: build_score_sheet(rubric)),
        (C.CASE_COUNTS_TEMPLATE, lambda: build_case_counts(rubric)),
        (C.CRITICISMS_TEMPLATE, lambda: build_criticisms(settings)),
        (C.ADJUSTMENTS_TEMPLATE, lambda: build_adjustments(settings)),
    ]
    if rubric.grading.vetoes:
        forms.append((C.VETOES_TEMPLATE, lambda: build_vetoes(rubric)))
    if self_assessment:
        forms.append((C.SELF_TEMPLATE, lambda: build_self_sheet(rubric)))
    names = tuple(name for name, _ in forms)
    with staging(folder) as stage:
        if stage.restored and notes is not None:
            notes.append(stage.restored)
        with stage.writing():
            for name, build in forms:
                stage.path(name).write_bytes(reproducible_bytes(build(), when))
        return stage.commit(names)
