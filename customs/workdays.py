"""Indonesian working days, the unit of every PER-21/BC/2011 deadline (rule C16).

A working day is Monday to Friday, except national holidays *and* collective
leave days (cuti bersama). The calendar comes from the ``holidays`` package:
its ``public`` category holds the national holidays, its ``government``
category the collective leave ("... Joint Holiday"); ``public`` alone would
count, for example, the Eid al-Fitr joint holidays of 2026 as working days.

Deadlines count from the day *after* the starting event: "within 10 working
days from the proof of entry" ends on the 10th working day after it. Years
the package only estimates (lunar holidays marked "estimated", collective
leave not yet decreed) are as good as its data; update the package when the
government publishes the next year's decree.

Pure functions: no clock, no I/O; the calendar for a year is computed once.
"""

from datetime import date, timedelta
from functools import cache

import holidays

_CATEGORIES = ("public", "government")
_SATURDAY = 5


@cache
def _days_off(year: int) -> dict[date, str]:
    # English names on every Python: without a language the names followed the
    # interpreter's gettext (English on 3.11, Indonesian on 3.12 and 3.13).
    calendar = holidays.country_holidays("ID", categories=_CATEGORIES, years=year, language="en_US")
    return dict(calendar.items())


def holiday_name(day: date) -> str | None:
    """The national holiday or collective leave on ``day``, if any (for explanations)."""
    return _days_off(day.year).get(day)


def is_working_day(day: date) -> bool:
    """Monday to Friday and neither a national holiday nor collective leave."""
    return day.weekday() < _SATURDAY and day not in _days_off(day.year)


def add_working_days(start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (before it when negative).

    ``start`` itself never counts, so ``add_working_days(d, 0)`` is ``d``.
    This is the last day of a PER-21 period that runs ``count`` working days
    from ``start``.
    """
    step = timedelta(days=1 if count >= 0 else -1)
    day, remaining = start, abs(count)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days in ``(start, end]``: how many of a period have elapsed by ``end``.

    Negative when ``end`` is before ``start``, so that
    ``add_working_days(start, working_days_between(start, end))`` is ``end``
    whenever ``end`` is a working day.
    """
    if end < start:
        return -working_days_between(end, start)
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if is_working_day(start + timedelta(offset))
    )


def is_overdue(start: date, count: int, today: date) -> bool:
    """Whether a period of ``count`` working days from ``start`` has ended before ``today``."""
    return today > add_working_days(start, count)
