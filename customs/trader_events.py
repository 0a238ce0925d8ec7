"""Transitions of the trader's own acts and customs' answers to them (C3, C10, C11).

Kept apart from :mod:`customs.lifecycle` so each module stays readable; the
lifecycle's table dispatches here.

* Supporting documents (Art. 6) meet the C3 clock; they are delivered while
  the application is ENTERED (after the proof of entry, before the TTP-RK).
* A data-change receipt (Art. 25) answers a notification the hub sent; one
  without a notification in progress is refused.
* An unblock application (Art. 35(3)) names a blocking in force; customs'
  refusal leaves the blocking in force and closes the application.
"""

from dataclasses import replace

from customs.events import (
    DataChangeReceipted,
    SupportingDocumentsDelivered,
    UnblockApplied,
    UnblockRefused,
)
from customs.state import CustomsApplication, InvalidTransition, Stage, expect


def documents_delivered(
    app: CustomsApplication, event: SupportingDocumentsDelivered
) -> CustomsApplication:
    """The C3 documents arrived: their deadline no longer runs."""
    expect(app, event, Stage.ENTERED)
    if app.documents_delivered_on is not None:
        raise InvalidTransition("DOCUMENTS_DELIVERED", "C3", "the documents were delivered")
    return replace(app, documents_delivered_on=event.on)


def change_receipted(app: CustomsApplication, event: DataChangeReceipted) -> CustomsApplication:
    """Art. 25's receipt: only for a notified change still waiting for its documents."""
    expect(app, event, Stage.ACCEPTED)
    if app.change_documents_due is None:
        raise InvalidTransition("NO_CHANGE_NOTIFIED", "C10", "no data change is in progress")
    return app


def unblock_applied(app: CustomsApplication, event: UnblockApplied) -> CustomsApplication:
    """The trader applies to lift a blocking in force; the application is remembered."""
    _blocking_in_force(app, event.number)
    return replace(app, unblock_applied={**app.unblock_applied, event.number: event.on})


def unblock_refused(app: CustomsApplication, event: UnblockRefused) -> CustomsApplication:
    """The blocking stays; the application for it is closed."""
    _blocking_in_force(app, event.number)
    pending = {n: on for n, on in app.unblock_applied.items() if n != event.number}
    return replace(app, unblock_applied=pending)


def _blocking_in_force(app: CustomsApplication, number: str) -> None:
    if number not in app.blockings:
        raise InvalidTransition("NOT_BLOCKED", "C11", f"no blocking {number} in force")
