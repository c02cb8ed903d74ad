"""The sheets of a round, township by township: the evaluators' sheets and at most one
self-assessment, checked against the round's panel rule (``rules.panel``): one sheet where the
rule is single, enough sheets where it averages, no evaluator twice, no self-assessment without
an evaluator's sheet, and under the category rule every category scored by exactly one sheet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import constants as C
from ..problems import Code, Problem, problem
from .names import text_key
from .sheet import ScoreSheet

if TYPE_CHECKING:
    from .round import Round


@dataclass(frozen=True)
class Panel:
    township: str  # as on its first evaluator's sheet
    sheets: tuple[ScoreSheet, ...]  # the evaluators' sheets, in file order
    self_sheet: ScoreSheet | None = None


def _at(code: Code, sheet: ScoreSheet, cell: str = "", **params) -> Problem:
    return problem(
        code,
        file=sheet.file,
        sheet=sheet.sheet,
        cell=cell or sheet.township_cell,
        value=sheet.township,
        **params,
    )


def group(round_: Round) -> None:
    """Fill ``round_.panels`` (one per township with an evaluator's sheet) and report what the
    panel rule does not allow."""
    rule = round_.rubric.panel
    by_key: dict[str, list[ScoreSheet]] = {}
    for sheet in round_.sheets:
        if text_key(sheet.township):
            by_key.setdefault(text_key(sheet.township), []).append(sheet)
    for sheets in by_key.values():
        evaluators = [s for s in sheets if s.kind != C.KIND_SELF]
        selves = [s for s in sheets if s.kind == C.KIND_SELF]
        files = lambda group, sheet: "、".join(s.file for s in group if s is not sheet)  # noqa: E731
        if len(selves) > 1:
            round_.problems += [_at(Code.SELF_DUPLICATE, s, other=files(selves, s)) for s in selves]
        if not evaluators:
            round_.problems += [_at(Code.SELF_WITHOUT_PANEL, s) for s in selves]
            continue
        if rule.rule == "single":
            if len(evaluators) > 1:
                round_.problems += [
                    _at(Code.TOWNSHIP_DUPLICATE, s, other=files(evaluators, s)) for s in evaluators
                ]
        else:
            _panel_checks(round_, evaluators)
        round_.panels.append(Panel(evaluators[0].township, tuple(evaluators), selves[0] if selves else None))


def _panel_checks(round_: Round, sheets: list[ScoreSheet]) -> None:
    rule = round_.rubric.panel
    seen: dict[str, ScoreSheet] = {}
    for sheet in sheets:
        if not sheet.evaluators:
            round_.problems.append(_at(Code.PANEL_EVALUATOR_MISSING, sheet, sheet.inspectors_cell))
        for name in sheet.evaluators:
            if name in seen and seen[name] is not sheet:
                round_.problems.append(
                    _at(
                        Code.PANEL_SAME_EVALUATOR,
                        sheet,
                        sheet.inspectors_cell,
                        name=name,
                        other=seen[name].file,
                    )
                )
            seen.setdefault(name, sheet)
    if len(sheets) < rule.needs:
        shown = "、".join(s.file for s in sheets)
        round_.problems.append(
            _at(
                Code.PANEL_TOO_FEW,
                sheets[0],
                found=len(sheets),
                needs=rule.needs,
                files=shown,
                rule=rule.name,
            )
        )
    if rule.rule == "categories":
        _categories(round_, sheets)


def _categories(round_: Round, sheets: list[ScoreSheet]) -> None:
    """Each category taken by exactly one sheet: a sheet takes a category by scoring any of its
    items; the blanks of the categories a sheet does not take are no problem of that sheet."""
    rubric = round_.rubric
    takers: dict[int, list[ScoreSheet]] = {}
    excused: set[tuple[str, str]] = set()  # (file, item code) blank by design
    for sheet in sheets:
        taken = []
        for category in rubric.categories:
            entered = [i.code for i in rubric.items_of(category) if i.entered]
            if entered and not all(code in sheet.blank for code in entered):
                taken.append(category)
                takers.setdefault(category.number, []).append(sheet)
            else:
                excused.update((sheet.file, code) for code in entered)
        if not taken:  # a sheet that scores nothing is an unfilled sheet, blanks and all
            excused -= {(sheet.file, i.code) for i in rubric.items}
    round_.problems[:] = [
        p for p in round_.problems if not (p.code is Code.SCORE_BLANK and (p.file, p.item) in excused)
    ]
    for category in rubric.categories:
        if not any(i.entered for i in rubric.items_of(category)):
            continue
        found = takers.get(category.number, [])
        if not found:
            shown = "、".join(s.file for s in sheets)
            round_.problems.append(
                _at(Code.PANEL_CATEGORY_UNSCORED, sheets[0], category=category.name, files=shown)
            )
        elif len(found) > 1:
            shown = "、".join(s.file for s in found)
            round_.problems += [
                _at(Code.PANEL_CATEGORY_TWICE, s, category=category.name, files=shown) for s in found
            ]
