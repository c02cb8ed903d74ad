"""The run's own notes for the leading group, as problems (``Outcome.notes``): townships tied
across a grade's boundary, evaluators whose scores of an item differ by more than the round's
margin. The reports list them beside the inputs' problems; the 审批稿 puts them to decide."""

from __future__ import annotations

from ..problems import Code, Problem, problem
from ..results.records import Results
from ..rules.rubric import Rubric
from .wording import panel_scores_text, score_text


def tie_note(tie) -> Problem:
    return problem(
        Code.TIE_AT_BOUNDARY,
        value="、".join(tie.townships),
        total=format(tie.total, ".1f"),
        rank=tie.rank,
        upper=tie.upper,
        lower=tie.lower,
    )


def disagreements(rubric: Rubric, results: Results) -> list[Problem]:
    """Items where the evaluators of a township differ by more than the round's margin."""
    notes = []
    for result in results.townships:
        for item in result.panel.items if result.panel else ():
            if item.differs:
                given = [s for s in item.scores if s is not None]
                notes.append(
                    problem(
                        Code.PANEL_DISAGREEMENT,
                        item=item.code,
                        value=result.township,
                        spread=score_text(max(given) - min(given)),
                        scores=panel_scores_text(result, item),
                        rule=rubric.panel.name,
                    )
                )
    return notes
