"""A problem as data: its code (from the catalogue in ``problems``), where the user sees it
(file, sheet, A1 cell, item) and the values that fill its message. Kept apart from the catalogue
so that the catalogue module is the codes alone; import both from ``processor.problems``."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .problems import Code


class Severity(StrEnum):
    ERROR = "错误"  # blocks publication
    WARNING = "警告"  # published, listed for the clerk
    INFO = "说明"  # what the clerk should know about the outputs


@dataclass(frozen=True)
class Problem:
    """One problem, where the user sees it: file, sheet, A1 cell (1-based), item code."""

    code: Code
    file: str = ""
    sheet: str = ""
    cell: str = ""
    item: str = ""
    value: str = ""
    params: tuple[tuple[str, str], ...] = field(default=())

    @property
    def severity(self) -> Severity:
        return self.code.severity

    @property
    def is_error(self) -> bool:
        return self.code.severity is Severity.ERROR

    def _fields(self) -> dict[str, str]:
        return {"value": self.value, "item": self.item, **dict(self.params)}

    @property
    def message(self) -> str:
        return self.code.text.format_map(_Lenient(self._fields()))

    @property
    def fix(self) -> str:
        return self.code.fix.format_map(_Lenient(self._fields()))

    @property
    def where(self) -> str:
        """``sheet!A1`` as Excel shows it, or the sheet alone, or nothing."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or self.cell


class _Lenient(dict):
    """A missing placeholder shows as itself rather than crashing a report."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def problem(code: Code, *, file="", sheet="", cell="", item="", value="", **params) -> Problem:
    """Build a problem; extra keyword arguments fill the message's placeholders."""
    return Problem(
        code,
        file=str(file),
        sheet=sheet,
        cell=cell,
        item=item,
        value="" if value is None else str(value),
        params=tuple(sorted((k, str(v)) for k, v in params.items())),
    )


def has_errors(problems) -> bool:
    return any(p.is_error for p in problems)
