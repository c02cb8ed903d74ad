"""Working days, for a period stated in them (a 公示 of five working days): Monday to Friday,
less the holidays the settings list, plus the weekend days they list as worked (调休上班).
China's holidays move every year and are announced late, so they are the county's to state,
never guessed here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def is_working_day(day: dt.date, holidays: Iterable[dt.date] = (), workdays: Iterable[dt.date] = ()) -> bool:
    if day in set(workdays):
        return True
    return day.weekday() < 5 and day not in set(holidays)


def working_period(
    start: dt.date, days: int, holidays: Iterable[dt.date] = (), workdays: Iterable[dt.date] = ()
) -> tuple[dt.date, dt.date]:
    """The first and last day of ``days`` working days from ``start``: ``start`` counts when it
    is a working day, else the period begins on the next one."""
    if days < 1:
        raise ValueError("a period has at least one working day")
    off, on = frozenset(holidays), frozenset(workdays)
    day, counted, first = start, 0, None
    while True:
        if is_working_day(day, off, on):
            counted += 1
            first = first or day
            if counted == days:
                return first, day
        day += dt.timedelta(days=1)
