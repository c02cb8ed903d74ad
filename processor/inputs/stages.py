"""What a stage document needs from the round's settings beyond what the final notice needs: a
公示 states its period (from a start date and a number of working days) and where objections
go, so both must be set; a period that runs into the notice's date is said."""

from __future__ import annotations

import datetime as dt

from .. import constants as C
from ..problems import Code, Problem, problem
from ..rules.calendar import working_period
from ..rules.settings import Settings


def publicity_period(settings: Settings) -> tuple[dt.date, dt.date] | None:
    """The 公示's first and last day, or None while no start date is set."""
    if settings.publicity_starts is None:
        return None
    return working_period(
        settings.publicity_starts, settings.publicity_days, settings.holidays, settings.workdays
    )


def stage_problems(settings: Settings | None, stage: str) -> list[Problem]:
    if settings is None or stage != C.STAGE_PUBLICITY:
        return []
    found = []
    for key, value, what in (
        ("publicity.starts_on", settings.publicity_starts, "公示开始日期，如 2022-08-22"),
        ("publicity.contact", settings.publicity_contact, "受理异议的单位、联系人和电话"),
    ):
        if not value:
            found.append(problem(Code.PUBLICITY_SETTING_MISSING, file=C.SETTINGS_FILE, key=key, what=what))
    period = publicity_period(settings)
    if period is not None and period[1] >= settings.publication_date:
        found.append(
            problem(
                Code.PUBLICITY_AFTER_NOTICE,
                file=C.SETTINGS_FILE,
                end=period[1].isoformat(),
                published=settings.publication_date.isoformat(),
            )
        )
    return found
