"""The score sheet's own checks, as formulas: the batch's rule for a score and its remark
(``inputs.scores.judge``, ``inputs.values.is_blank``) written so that Excel, WPS and LibreOffice
evaluate it alike, and the status line that counts what they find. ``tests/test_inspector.py``
holds the sheet (recalculated in LibreOffice) and the batch to one list of entries.

The rule: a score is the number in its cell. Text is never a score, even text that reads as one
("2,5", full-width "２．５", "2.5" stored as text), nor is a logical value or an error. A cell of
nothing but ``constants.BLANK_CHARACTERS`` is not scored yet; a remark of nothing but them is
no reason.

Only functions the three programs share (IF, ISNUMBER, ISLOGICAL, ISERROR, AND, OR, NOT, ROUND,
LEN, TRIM, SUBSTITUTE, CHAR, COUNT, COUNTIF, SUM, TEXT); nested IFs keep ROUND and comparisons
away from text and errors, which would turn the check itself into an error.
"""

from __future__ import annotations

from .. import constants as C
from ..rules.rubric import Item, Rubric

FINE, NOT_SCORED, INVALID, NO_REASON = 0, 1, 2, 3  # the values of the hidden check column


def excel_number(value) -> str | int | float:
    """A maximum as Excel should show it: 3 rather than 3.0."""
    text = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
    return int(text) if text.lstrip("-").isdigit() else float(text)


def score_check(item: Item, rubric: Rubric, score: str, remark: str) -> str:
    """The formula classifying the score in cell ``score`` (its remark in ``remark``)."""
    top = excel_number(item.maximum)
    steps = excel_number(1 / rubric.resolution)
    if item.kind == "award":  # all or nothing; a 0 (not earned) needs no reason
        wrong = f"AND({score}<>0,{score}<>{top})"
        no_reason = str(FINE)
    else:
        # On the grid when the score in steps is whole to 13 decimals: as exact as doubles
        # allow, while the noise of a formula (0.1+0.2) rounds away, as the batch's 15
        # significant digits do (inputs.values.excel_precision).
        grid = f"ROUND({score}*{steps},0)<>ROUND({score}*{steps},13)"
        wrong = f"OR({score}<0,{score}>{top},{grid})"
        reason = f"IF(ISERROR({remark}),{FINE},IF({blank(remark)},{NO_REASON},{FINE}))"
        no_reason = f"IF({score}<{top},{reason},{FINE})"
    # LibreOffice counts a TRUE typed as a number; ISLOGICAL tells it apart
    not_a_number = f"OR(NOT(ISNUMBER({score})),ISLOGICAL({score}))"
    return (
        f"=IF(ISERROR({score}),{INVALID},IF({blank(score)},{NOT_SCORED},"
        f"IF({not_a_number},{INVALID},IF({wrong},{INVALID},{no_reason}))))"
    )


def blank(ref: str) -> str:
    """True where the batch finds the cell blank. TRIM removes only the plain space, so every
    other blank character becomes one first; CHAR serves the ASCII controls (the same in every
    code page), a literal the others."""
    text = ref
    for ch in C.BLANK_CHARACTERS:
        if ch != " ":
            text = f'SUBSTITUTE({text},{f"CHAR({ord(ch)})" if ord(ch) < 32 else chr(34) + ch + chr(34)}," ")'
    return f"LEN(TRIM({text}))=0"


def subtotal(cells: str) -> str:
    """A sum that stays empty while none of its scores is entered (a blank form prints no
    0.0); an empty subtotal is text, which the total does not count."""
    return f'=IF(COUNT({cells})=0,"",SUM({cells}))'


def status(township: str, checks: str, total: str, rubric: Rubric) -> str:
    """The status line over the check cells ``checks``: empty until the first score is entered,
    so that a blank form (an issued one too) prints clean."""
    computed = "、".join(i.code for i in rubric.computed_items)
    entered = sum(1 for item in rubric.items if item.entered)

    def count(code: int) -> str:
        return f"COUNTIF({checks},{code})"

    return (
        f'=IF({count(NOT_SCORED)}={entered},"",'
        f'IF({township}="","未填乡镇名称；","")'
        f'&IF({count(NOT_SCORED)}>0,{count(NOT_SCORED)}&"项未打分；","")'
        f'&IF({count(INVALID)}>0,{count(INVALID)}&"项得分无效（红色）；","")'
        f'&IF({count(NO_REASON)}>0,{count(NO_REASON)}&"项扣分未写说明（橙色）；","")'
        f'&IF(AND({township}<>"",COUNTIF({checks},">0")=0),"已填写完整。","")'
        f'&"合计"&TEXT({total},"0.0")&"分{f"（不含{computed}）" if computed else ""}")'
    )
