"""A score cell against its item: the score if it counts and the problems (without their
position) if it does not, judged once per item and value for a whole round (``Plan``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from .. import constants as C
from ..problems import Code
from ..rules.rubric import Item, Rubric
from ..xlsx import Cell
from .values import BLANK, BOOLEAN, DATE, ERROR, OK, TEXT, UNCALCULATED, plain, read_number

_REFUSED = {
    BLANK: Code.SCORE_BLANK,
    UNCALCULATED: Code.FORMULA_NO_VALUE,
    ERROR: Code.SCORE_ERROR_VALUE,
    BOOLEAN: Code.SCORE_BOOLEAN,
    DATE: Code.SCORE_DATE,
    TEXT: Code.SCORE_NOT_NUMBER,
}
# Verdicts remembered per rubric (a real round needs a few thousand), the longest cell text
# remembered, and the rubrics whose plans are kept (one per run; tests make a few).
_MAX_VERDICTS, _SHORT, _MAX_PLANS = 5_000, 32, 8

Verdict = tuple[Decimal | None, tuple[tuple[Code, dict[str, str]], ...]]


def judge(
    item: Item, cell: Cell | None, resolution: Decimal, fields: dict[str, str], date1904: bool
) -> Verdict:
    """A score cell against its item: the score if it counts, and the problems (without their
    position) to report. ``date1904``: the sheet's workbook counts its days from 1904."""
    reading = read_number(cell, comma="decimal", date1904=date1904)
    if reading.invisible:
        return None, ((Code.SCORE_INVISIBLE, {"value": reading.shown, "chars": reading.invisible, **fields}),)
    if reading.status != OK:
        return None, ((_REFUSED[reading.status], {"value": reading.shown, **fields}),)
    found = []
    score = reading.number
    if reading.formula:
        found.append((Code.SCORE_FORMULA, {"value": plain(score), "formula": reading.formula, **fields}))
    if reading.as_text:
        # Text is never a score, even text that reads as one: the score sheet marks it red
        # (its formulas see no number there) and so does the batch. Saying what it would read
        # as helps the inspector retype it; whether that number would fit is for then.
        how = (
            Code.FULL_WIDTH_DIGITS
            if reading.full_width
            else Code.DECIMAL_COMMA
            if reading.comma
            else Code.NUMBER_AS_TEXT
        )
        found.append((how, {"value": reading.shown, "score": plain(score), **fields}))
        return None, tuple(found)
    shown = {"value": plain(score), **fields}
    if score < 0:
        found.append((Code.SCORE_NEGATIVE, shown))
    elif score > item.maximum:
        found.append((Code.SCORE_ABOVE_MAX, shown))
    elif score != score.quantize(resolution, rounding=ROUND_FLOOR):
        # quantize, not %: 1E-999999999 % 0.1 underflows to 0 and would pass as on the grid
        low = score.quantize(resolution, rounding=ROUND_FLOOR)
        found.append(
            (Code.SCORE_TOO_FINE, {**shown, "suggestion": f"{plain(low)}或{plain(low + resolution)}"})
        )
    elif item.kind == "award" and score not in (0, item.maximum):
        found.append((Code.SCORE_AWARD_PARTIAL, shown))
    else:
        return score, tuple(found)
    return None, tuple(found)


@dataclass
class Plan:
    """What a rubric asks of every sheet, worked out once per rubric."""

    rubric: Rubric
    fixed: dict[str, dict[str, str]]  # item code -> column title -> what the template writes
    fields: dict[str, dict[str, str]]  # item code -> the placeholders of its score messages
    known: frozenset[str]
    verdicts: dict[tuple[str, Cell | None, bool], Verdict] = field(default_factory=dict)

    def verdict(self, item: Item, cell: Cell | None, date1904: bool) -> Verdict:
        """The verdict on ``cell`` as ``item``'s score; the same few dozen values fill every
        sheet, so each is judged once per item and remembered (bounded)."""
        fields = self.fields[item.code]
        if cell is not None and len(cell.text) + len(cell.formula or "") > _SHORT:
            # no score is this long (a hostile file could fill memory with such keys)
            return judge(item, cell, self.rubric.resolution, fields, date1904)
        key = (item.code, cell, date1904)
        verdict = self.verdicts.get(key)
        if verdict is None:
            if len(self.verdicts) > _MAX_VERDICTS:
                self.verdicts.clear()
            verdict = self.verdicts[key] = judge(item, cell, self.rubric.resolution, fields, date1904)
        return verdict

    @classmethod
    def of(cls, rubric: Rubric) -> Plan:
        plan = _PLANS.get(id(rubric))
        if plan is None or plan.rubric is not rubric:  # the plan holds its rubric: ids stay unique
            if len(_PLANS) >= _MAX_PLANS:
                _PLANS.clear()
            plan = _PLANS[id(rubric)] = cls(
                rubric,
                fixed={
                    item.code: {
                        C.COL_CATEGORY: rubric.category(item.category).name,
                        C.COL_NAME: item.label,
                        C.COL_CRITERIA: item.criteria,
                    }
                    for item in rubric.items
                },
                fields={
                    item.code: {
                        "item": item.code,
                        "maximum": plain(item.maximum),
                        "resolution": plain(rubric.resolution),
                    }
                    for item in rubric.items
                },
                known=frozenset(item.code for item in rubric.items),
            )
        return plan


_PLANS: dict[int, Plan] = {}
