"""A rubric as the rows of its workbook, read with certainty or not: what ``processor rubric``
writes (from a Rubric, or from the plan's Word document with the uncertain cells marked)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Draft:
    """A rubric as rows of cells, certain or not: what the workbook shows."""

    head: dict[str, object]
    items: list[dict[str, object]]
    categories: list[dict[str, object]]
    grades: list[dict[str, object]] = field(default_factory=list)
    vetoes: list[str] = field(default_factory=list)
    panel: dict[str, object] = field(default_factory=dict)  # label -> value, the 合议 sheet
