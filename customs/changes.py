"""Data changes of a registered customs id (C10, PER-21/BC/2011 Art. 24-31).

Only a registered (accepted, not wholly revoked) customs id has data to
change, so a change or its outcome for any other application is refused
with ``NOT_REGISTERED (C10)``. The deadlines:

* documents: 10 working days from the notification (Art. 26(2));
* decision: 14 working days (Art. 28). Art. 28 counts them from complete
  documents; the hub hears of no separate receipt, so it counts from the
  notification, which is exact when the documents come with it (the
  ``DataChangeNotification`` carries them) and early otherwise;
* reapplication after a rejected change of the Art. 24(1)-(3) data groups:
  30 *calendar* days from the rejection (Art. 30(2) says "days", not
  "working days"; see :mod:`customs.periods`).

An outcome on the user's notification closes its documents and decision
deadlines. CEISA's ``ceisa.response.v1`` carries the outcome but not the
notification (the user sends that to customs), so an outcome is accepted
without a known notification. A change on customs' own sources (Art. 31) is
applied and only notified: it leaves a pending notification's deadlines open,
and customs cannot "reject" its own change.
"""

from dataclasses import replace
from typing import Final

from customs.events import DataChangeDecided, DataChangeNotified
from customs.periods import add_calendar_days
from customs.state import CustomsApplication, InvalidTransition, Stage
from customs.workdays import add_working_days

CHANGE_DOCUMENTS_DAYS: Final = 10  # C10, Art. 26(2), working days
CHANGE_DECISION_DAYS: Final = 14  # C10, Art. 28, working days
REAPPLY_DAYS: Final = 30  # C10, Art. 30(2), calendar days


def _registered(app: CustomsApplication, event: DataChangeNotified | DataChangeDecided) -> None:
    if app.stage is not Stage.ACCEPTED:
        name = type(event).__name__
        raise InvalidTransition(
            "NOT_REGISTERED", "C10", f"{name} needs a registered customs id, not {app.stage}"
        )


def notified(app: CustomsApplication, event: DataChangeNotified) -> CustomsApplication:
    """A notified change: its clocks start; it answers a reapply duty or a C15 notice (Art. 51)."""
    _registered(app, event)
    return replace(
        app,
        change_notice_due=None,
        change_documents_due=add_working_days(event.on, CHANGE_DOCUMENTS_DAYS),
        change_decision_due=add_working_days(event.on, CHANGE_DECISION_DAYS),
        reapply_by=None,
    )


def decided(app: CustomsApplication, event: DataChangeDecided) -> CustomsApplication:
    """Apply an outcome: approval (maybe a new customs id), rejection, or customs' own change."""
    _registered(app, event)
    customs_id = (event.new_customs_id or app.customs_id) if event.approved else app.customs_id
    if event.by_customs:
        if not event.approved:
            raise InvalidTransition(
                "NOTHING_TO_REJECT", "C10", "a change on customs' sources is applied (Art. 31)"
            )
        return replace(app, customs_id=customs_id)
    reapply_by = (
        add_calendar_days(event.on, REAPPLY_DAYS)
        if not event.approved and event.protected
        else None
    )
    return replace(
        app,
        customs_id=customs_id,
        change_documents_due=None,
        change_decision_due=None,
        reapply_by=reapply_by,
    )
