"""Raw cell -> number or date, saying how it was read (text, full-width, comma, formula).

The callers decide what each reading means for a score or a case count; nothing here turns an
unreadable value into zero.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_EVEN, Context, Decimal, InvalidOperation, localcontext

from .. import constants as C
from ..xlsx import Cell
from .names import invisible, visible

EXCEL_DIGITS = 15  # Excel keeps 15 significant digits; files may carry 17 (2.2999999999999998)

OK, BLANK, TEXT, ERROR, BOOLEAN, DATE, UNCALCULATED = (
    "ok",
    "blank",
    "text",
    "error",
    "bool",
    "date",
    "uncalculated",
)


@dataclass(frozen=True)
class Reading:
    status: str  # one of the constants above
    number: Decimal | None = None
    shown: str = ""  # the value as the user typed or sees it, for messages
    as_text: bool = False  # a number stored as text
    full_width: bool = False  # typed with full-width digits or point
    comma: bool = False  # a comma read as the decimal point
    formula: str | None = None
    invisible: str = ""  # a text that is no number because of characters one cannot see: named


# ASCII digits only: Decimal() would also take Arabic-Indic digits and "1_000", which no
# spreadsheet writes as a number. Full-width digits become ASCII through NFKC first.
_PLAIN = re.compile(r"-?(?:0|[1-9]\d{0,14})(?:\.\d*[1-9])?")  # no exponent, no trailing zeros
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]+,[0-9]{1,2}")
_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+")
# Numbers may be written with any exponent ("1e-999999999" as text, or in a crafted file);
# arithmetic on them runs in a context wide enough never to overflow or underflow to zero.
_WIDE = Context(prec=60, Emax=MAX_EMAX, Emin=MIN_EMIN)


def read_number(cell: Cell | None, *, comma: str = "decimal", date1904: bool = False) -> Reading:
    """``comma`` says what "1,5" means: "decimal" (scores) or "thousands" (case counts);
    ``date1904``: the workbook counts its days from 1904 (a number styled as a date is shown
    as the date the inspector saw)."""
    if cell is None:
        return Reading(BLANK)
    formula = None if cell.formula is None else f"={cell.formula}" if cell.formula else "=（共享公式）"
    if cell.kind == "":
        return Reading(UNCALCULATED, formula=formula, shown=formula or "") if formula else Reading(BLANK)
    if cell.kind == "e":
        return Reading(ERROR, shown=cell.text, formula=formula)
    if cell.kind == "b":
        return Reading(BOOLEAN, shown="TRUE" if cell.text in ("1", "true") else "FALSE", formula=formula)
    if cell.kind == "d":
        return Reading(DATE, shown=cell.text, formula=formula)
    if cell.kind == "n":
        number = _decimal(cell.text)
        if number is None:
            return Reading(TEXT, shown=cell.text, formula=formula)
        if cell.date_style:
            return Reading(DATE, shown=_serial_text(number, date1904), formula=formula)
        exact = excel_precision(zero_signless(number))
        # "2.5" as written is already how a reader sees it; only noise or exponents need plain()
        shown = cell.text if exact is number and _PLAIN.fullmatch(cell.text) else plain(exact)
        return Reading(OK, exact, shown=shown, formula=formula)
    return _from_text(cell.text, formula, comma)


def _from_text(text: str, formula: str | None, comma: str) -> Reading:
    if not text.strip(C.BLANK_CHARACTERS):  # blank as the score sheet's own formulas see it
        return Reading(BLANK, formula=formula)
    stripped = text.strip() or text
    normal = unicodedata.normalize("NFKC", stripped).strip()
    full_width = normal != stripped
    used_comma = False
    if comma == "decimal" and _DECIMAL_COMMA.fullmatch(normal):
        normal, used_comma = normal.replace(",", "."), True
    elif comma == "thousands" and _THOUSANDS.fullmatch(normal):
        normal = normal.replace(",", "")
    number = _decimal(normal)
    if number is None:
        hidden = invisible(normal)
        shown = visible(stripped) if hidden else stripped
        return Reading(TEXT, shown=short(shown), formula=formula, invisible=hidden)
    return Reading(
        OK,
        zero_signless(number),
        shown=stripped,
        as_text=True,
        full_width=full_width,
        comma=used_comma,
        formula=formula,
    )


SHOWN_CHARS = 200  # of a cell's text quoted in a message: the cell itself holds the rest


def short(text: str, limit: int = SHOWN_CHARS) -> str:
    """A text as a message quotes it: cut where it is long, saying how long it was."""
    return text if len(text) <= limit else f"{text[:limit]}…（共{len(text)}个字符）"


def zero_signless(number: Decimal) -> Decimal:
    """-0 and -0.0 are 0: a sign on zero would show as "-0.0" in a feedback page."""
    return abs(number) if number.is_zero() and number.is_signed() else number


def uncalculated(cell: Cell | None) -> bool:
    """A formula the file holds no result for (a sheet written by a program, never opened in
    Excel): no value at all, not a blank."""
    return cell is not None and cell.kind == "" and cell.formula is not None


def formula_text(cell: Cell) -> str:
    return f"={cell.formula}" if cell.formula else "=（共享公式）"


def _decimal(text: str) -> Decimal | None:
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        return None
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def excel_precision(number: Decimal) -> Decimal:
    """Round to the 15 significant digits Excel keeps, so 2.2999999999999998 reads as 2.3."""
    if number.is_zero() or len(number.as_tuple().digits) <= EXCEL_DIGITS:
        return number
    with localcontext(_WIDE):
        quantum = Decimal(1).scaleb(number.adjusted() - EXCEL_DIGITS + 1)
        return number.quantize(quantum, rounding=ROUND_HALF_EVEN).normalize()


def plain(number: Decimal) -> str:
    """2.50 -> "2.5", 3 -> "3", 1E+2 -> "100" (no exponent for readers)."""
    if number.is_zero():
        return "0"
    with localcontext(_WIDE):
        normal = number.normalize()
    if abs(normal.adjusted()) > 20:
        return f"{normal:E}"
    return format(normal, "f")


def _serial_text(number: Decimal, date1904: bool) -> str:
    day = serial_to_date(number, date1904)
    return day.isoformat() if day else plain(number)


def serial_to_date(number: Decimal, date1904: bool) -> dt.date | None:
    """An Excel serial day number as a date (1900 system with its leap-year slip, or 1904)."""
    if not number.is_finite() or number.adjusted() > 9:
        return None  # int() of 1E+999999999 would build a billion-digit integer
    days = int(number)
    if date1904:
        base = dt.date(1904, 1, 1)
    elif days >= 61:
        base = dt.date(1899, 12, 30)
    else:
        base = dt.date(1899, 12, 31)
    if not 1 <= days <= 2_958_465:
        return None
    return base + dt.timedelta(days=days)


_DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
)


def read_date(cell: Cell | None, date1904: bool) -> tuple[dt.date | None, str]:
    """(date, shown) — the date is None when the cell is blank or not a date."""
    if cell is None or cell.kind == "":
        return None, ""
    if cell.kind == "n":
        number = _decimal(cell.text)
        return (serial_to_date(number, date1904) if number is not None else None), cell.text
    text = unicodedata.normalize("NFKC", cell.text).strip()
    m = _DATE_TEXT.fullmatch(text) or _DATE_TEXT.fullmatch(text[:10])
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), cell.text.strip()
        except ValueError:
            pass
    return None, cell.text.strip()


def is_blank(cell: Cell | None) -> bool:
    """Empty, or text of nothing but ``constants.BLANK_CHARACTERS`` (the score sheet's rule)."""
    if cell is None or cell.kind == "":
        return True
    return cell.kind == "s" and not cell.text.strip(C.BLANK_CHARACTERS)


def read_text(cell: Cell | None) -> str:
    """A label or remark as text; numbers as they were written (no float noise)."""
    if cell is None or cell.kind in ("", "e"):
        return "" if cell is None or cell.kind == "" else cell.text
    if cell.kind == "n":
        number = _decimal(cell.text)
        return plain(excel_precision(number)) if number is not None else cell.text
    if cell.kind == "b":
        return "TRUE" if cell.text in ("1", "true") else "FALSE"
    return cell.text.strip()
