"""When each open PER-21 deadline of an application is announced: approaching, then passed.

Pure. Deadlines are last days (``customs.lifecycle.deadlines``, counted in
working days, C16); an event is due at midnight in Jakarta: *approaching*
``warning_days`` working days before the last day, *passed* the day after
it (the last day itself still counts). A timer is a member
``<submission id>|<rule>|<last day>`` of a sorted set per moment, scored by
when it is due; timers are never cancelled when the application moves on:
one that fires for a deadline no longer open is simply dropped
(:func:`still_open`), which keeps scheduling a single write.
"""

from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from contracts.customs import DeadlineMoment
from customs import lifecycle
from customs.record import ApplicationRecord
from customs.workdays import add_working_days

JAKARTA: Final = ZoneInfo("Asia/Jakarta")
Timer = tuple[DeadlineMoment, str, float]


def timers(record: ApplicationRecord, warning_days: int) -> list[Timer]:
    """The approaching and passed timers of every deadline open in ``record``."""
    sid = record.app.submission_id
    found: list[Timer] = []
    for rule, due in sorted(lifecycle.deadlines(record.app).items()):
        member = f"{sid}|{rule}|{due.isoformat()}"
        warn_on = add_working_days(due, -warning_days)
        found.append((DeadlineMoment.APPROACHING, member, _midnight(warn_on)))
        found.append((DeadlineMoment.PASSED, member, _midnight(due + timedelta(days=1))))
    return found


def parse(member: str) -> tuple[str, str, date]:
    """Submission id, rule and last day of a timer member."""
    rest, _, day = member.rpartition("|")
    sid, _, rule = rest.rpartition("|")
    return sid, rule, date.fromisoformat(day)


def still_open(record: ApplicationRecord | None, rule: str, due: date) -> bool:
    """Whether ``rule``'s deadline ending on ``due`` is still open for the application."""
    return record is not None and lifecycle.deadlines(record.app).get(rule) == due


def _midnight(day: date) -> float:
    return datetime.combine(day, time(0), JAKARTA).timestamp()
