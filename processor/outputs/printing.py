"""How a worksheet of ours prints: A4, its header rows on every page, text no smaller than a
person reads without effort. A sheet is printed at the largest legible scale that needs the
fewest pages across: one that fits the page's width is fitted to it (as many pages down as it
takes); a wider one has its columns split between pages at the boundaries of their groups where
it can, and the columns that say whose row it is (the township) printed on every page.

The scale is set rather than left to "fit to width": fitting would shrink a sheet in
LibreOffice, whose columns are a third wider than Excel's where Calibri's metric twin (Carlito)
is missing, below a legible size; a set scale keeps the size, and LibreOffice then adds a page
across, the repeated columns on it too. Decided from the final column widths, on closing."""

from __future__ import annotations

from dataclasses import dataclass

A4_LONG, A4_SHORT = 841.89, 595.28  # points
SIDE_MARGIN = 0.5  # inches, left and right
MIN_SCALE = 75  # percent: 11-point text prints at 8.25 points, the smallest we let it be
FILL = 0.95  # of the page's width planned for: programs measure a column a few percent apart
SCALES = range(100, MIN_SCALE - 1, -1)


def column_points(width: float) -> float:
    """A column of ``width`` Excel units as Excel prints it: 7 pixels a unit (the default
    font's digit) and 5 of padding at 96 dpi, in points."""
    return (width * 7 + 5) * 0.75


@dataclass(frozen=True)
class Layout:
    scale: int  # percent
    breaks: tuple[int, ...] = ()  # the first column of each page across after the first (0-based)
    repeat: int = 0  # leading columns printed on every page


def layout(
    widths: list[float], keep: int, groups: list[list[int]] | None = None, landscape: bool = True
) -> Layout:
    """``widths`` in Excel units; ``keep`` leading columns identify a row; ``groups`` are runs
    of the other columns best kept on one page (each column its own group by default)."""
    page = ((A4_LONG if landscape else A4_SHORT) - 2 * SIDE_MARGIN * 72) * FILL
    points = [column_points(w) for w in widths]
    groups = groups or [[col] for col in range(keep, len(widths))]
    best = None
    for scale in SCALES:  # the first of the fewest pages across is the largest scale
        breaks = _pack(points, keep, groups, page * 100 / scale)
        if best is None or len(breaks) < len(best.breaks):
            best = Layout(scale=scale, breaks=breaks, repeat=keep)
    return best


def _pack(points: list[float], keep: int, groups: list[list[int]], room: float) -> tuple[int, ...]:
    """Greedily, the column that starts each further page: whole groups where they fit beside
    the repeated columns, a group wider than a page split where it must."""
    shared = sum(points[:keep])
    breaks, used = [], shared
    for group in groups:
        width = sum(points[col] for col in group)
        if used > shared and used + width > room:  # the group starts the next page
            breaks.append(group[0])
            used = shared
        for col in group:
            if used > shared and used + points[col] > room:  # too wide for any page: split it
                breaks.append(col)
                used = shared
            used += points[col]
    return tuple(breaks)
