"""Site checks of registered users and the notice to apply for a data change (C15).

PER-21/BC/2011 Art. 45-51. Customs may check a user who holds a customs id
on site (Art. 45); the result is recorded in CEISA (Art. 49(1)), which tells
the hub. What the analysis found decides what follows (Art. 50):

* ``NO_DIFFERENCE``: nothing;
* ``CHANGED_BY_CUSTOMS``: data outside the Art. 24(1)-(3) groups changed, and
  customs changes it itself and notifies the user (Art. 50(1)-(2));
* ``APPLY_FOR_CHANGE``: data of those groups changed; customs sends the
  Attachment XVI notice to apply for a data change (Art. 50(3)-(4)).

The notice (also sent after Art. 31(4)) must be answered with a data-change
application within **30 working days** of its date (Art. 51(1)): the
``C15/notice`` deadline, closed by the user's notification (C10). If it
lapses the user is deemed not to have changed the data and may be blocked
under Art. 34(1)b (Art. 51(2)): the hub announces the lapse on the deadline
topic (PASSED) and keeps it open until a notification, or a blocking after
the lapse (customs acting on it), closes it; blocking stays customs' decision.

The hub does not police customs' own 10 working days for recording a result
(Art. 49(1)); it only refuses a result recorded before the appointment.
"""

from dataclasses import replace
from datetime import date
from typing import Final

from customs.events import SiteCheckRecorded
from customs.state import CustomsApplication, InvalidTransition, Stage, expect
from customs.workdays import add_working_days

NOTICE_DAYS: Final = 30  # C15, Art. 51(1), working days
FINDINGS: Final = frozenset({"NO_DIFFERENCE", "CHANGED_BY_CUSTOMS", "APPLY_FOR_CHANGE"})


def recorded(app: CustomsApplication, event: SiteCheckRecorded) -> CustomsApplication:
    """A site check's result; an ``APPLY_FOR_CHANGE`` finding opens the Art. 51 clock."""
    expect(app, event, Stage.ACCEPTED)  # Art. 45(1): users who already hold a customs id
    if event.finding not in FINDINGS:
        raise InvalidTransition("UNKNOWN_FINDING", "C15", "not a finding of Art. 50")
    if event.on < event.appointed_on:
        raise InvalidTransition(
            "RECORDED_BEFORE_APPOINTMENT", "C15", "a result follows the appointment (Art. 49(1))"
        )
    if event.finding != "APPLY_FOR_CHANGE":
        if event.notice_on is not None:
            raise InvalidTransition(
                "NOTICE_WITHOUT_FINDING", "C15", "a notice follows protected data only (Art. 50(3))"
            )
        return app
    if event.notice_on is None:
        raise InvalidTransition(
            "NOTICE_REQUIRED", "C15", "protected data changed: Attachment XVI notice (Art. 50(3))"
        )
    return replace(app, change_notice_due=add_working_days(event.notice_on, NOTICE_DAYS))


def after_blocking(app: CustomsApplication, on: date) -> date | None:
    """The notice deadline left open by a blocking on ``on``: closed if it had lapsed."""
    due = app.change_notice_due
    return None if due is not None and on > due else due
