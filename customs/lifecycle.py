"""The PER-21/BC/2011 lifecycle of one customs application, as a pure state machine.

``apply(application, event)`` returns the next state or raises
:class:`InvalidTransition` with a code and the rule, e.g. unblocking what was
never blocked. Deadlines are working days (``customs.workdays``, C16)::

    SUBMITTED --EntryProved--> ENTERED --ReturnedForLateDocuments--> RETURNED (C3)
    ENTERED --SupportingDocumentsDelivered--> ENTERED, C3 met (the trader's Art. 6 delivery)
    SUBMITTED or ENTERED --TtpRkIssued--> RECEIPTED (C4; Art. 8(2): documents first)
    RECEIPTED --AdditionalDocumentsRequested--> DOCUMENTS_REQUESTED (C6)
    DOCUMENTS_REQUESTED --AdditionalDocumentsReceived--> RECEIPTED
    RECEIPTED or DOCUMENTS_REQUESTED --Accepted--> ACCEPTED (C8) / --Rejected--> REJECTED (C9)
    ACCEPTED --Blocked / Unblocked (per activity or all, C11)--> ACCEPTED
    ACCEPTED --Revoked (C12)--> ACCEPTED, or REVOKED once every activity is revoked
    ACCEPTED --DataChangeNotified / DataChangeReceipted / DataChangeDecided (C10)--> ACCEPTED
    ACCEPTED --UnblockApplied / UnblockRefused (C11)--> ACCEPTED (see customs.trader_events)
    SUBMITTED --ManualRegistrationRecorded (C13)--> SUBMITTED, office clocks open (customs.manual)
    ACCEPTED --SiteCheckRecorded (C15)--> ACCEPTED, maybe a notice clock (customs.site_checks)
    before a decision --InterimImportApproved (C14, Art. 40)--> same stage (customs.interim)

A manually received application (C13) waits in SUBMITTED for CEISA: its
``C13`` deadline is the office's 1 working day (Art. 12(3)), ``C13/ttp-rk``
the TTP-RK's 10 (Art. 13), open until the TTP-RK. A site check's notice to
apply for a data change opens ``C15/notice`` (30 working days, Art. 51).

While ACCEPTED the open deadlines are a notified data change's documents and
decision (``C10/documents``, ``C10/decision``), the reapplication after a
rejected protected change (``C10/reapply``, calendar days) and, per blocking
with a time-limited cause, the unblocking window (``C11/<blocking number>``,
3 calendar months); see :mod:`customs.changes` and :mod:`customs.measures`.

RETURNED and REJECTED end an *attempt*: the user may reapply (Art. 10, 22)::

    RETURNED or REJECTED --Reapplied--> SUBMITTED, attempt + 1 (a fresh lifecycle)

The C3, C6 and C7 deadlines follow the last day CEISA stated when it stated
one (:mod:`customs.due_dates` says why), the hub's working-day count otherwise.
"""

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any, Final

from customs import events as ev
from customs import interim, manual, site_checks
from customs.changes import decided, notified
from customs.due_dates import due_dates, followed
from customs.events import (
    Accepted,
    AdditionalDocumentsReceived,
    AdditionalDocumentsRequested,
    Blocked,
    CustomsEvent,
    DataChangeDecided,
    DataChangeNotified,
    EntryProved,
    Rejected,
    ReturnedForLateDocuments,
    Revoked,
    TtpRkIssued,
    Unblocked,
)
from customs.measures import block, revoke, unblock
from customs.state import CustomsApplication, InvalidTransition, Stage, expect
from customs.trader_events import (
    change_receipted,
    documents_delivered,
    unblock_applied,
    unblock_refused,
)
from customs.workdays import add_working_days

DOCUMENTS_DAYS: Final = 10  # C3, Art. 7(1)
ADDITIONAL_DOCUMENTS_DAYS: Final = 7  # C6, Art. 17(3)
DECISION_DAYS: Final = 14  # C7, Art. 20
INTERIM_SERVICE_DAYS: Final = 14  # C14, Art. 42
INTERIM_ACTIVITIES: Final = frozenset({"EKSPORTIR", "PENGANGKUT"})  # exporters and carriers


def start(submission_id: str, activities: frozenset[str]) -> CustomsApplication:
    """A newly submitted application (C1: one or more activities)."""
    if not activities:
        raise InvalidTransition("NO_ACTIVITY", "C1", "an application covers at least one activity")
    return CustomsApplication(submission_id, activities)


def apply(app: CustomsApplication, event: CustomsEvent) -> CustomsApplication:
    """The application after ``event``, or :class:`InvalidTransition` saying why not."""
    return _HANDLERS[type(event)](app, event)


def _entry_proved(app: CustomsApplication, event: EntryProved) -> CustomsApplication:
    expect(app, event, Stage.SUBMITTED)
    stated = _stated(app, "C3", event.stated_due)
    return replace(
        app, stage=Stage.ENTERED, documents_due=_due(event.on, DOCUMENTS_DAYS), stated_due=stated
    )


def _stated(app: CustomsApplication, rule: str, day: date | None) -> dict[str, date]:
    """``app``'s CEISA-stated days with ``rule``'s replaced (dropped when none was stated)."""
    stated = {r: d for r, d in app.stated_due.items() if r != rule}
    return {**stated, rule: day} if day is not None else stated


def _returned(app: CustomsApplication, event: ReturnedForLateDocuments) -> CustomsApplication:
    expect(app, event, Stage.ENTERED)
    if app.documents_due is not None and event.on <= followed(app, "C3", app.documents_due):
        due = followed(app, "C3", app.documents_due)
        raise InvalidTransition("DOCUMENTS_PERIOD_RUNNING", "C3", f"documents are due until {due}")
    return replace(app, stage=Stage.RETURNED)


def _ttp_rk(app: CustomsApplication, event: TtpRkIssued) -> CustomsApplication:
    expect(app, event, Stage.SUBMITTED, Stage.ENTERED)  # Art. 8(2): documents may come first
    serves_interim = bool(app.activities & INTERIM_ACTIVITIES)
    return replace(
        app,
        stage=Stage.RECEIPTED,
        decision_due=_due(event.on, DECISION_DAYS),
        interim_service_until=_due(event.on, INTERIM_SERVICE_DAYS) if serves_interim else None,
        stated_due=_stated(app, "C7", event.stated_due),
    )


def _requested(app: CustomsApplication, event: AdditionalDocumentsRequested) -> CustomsApplication:
    expect(app, event, Stage.RECEIPTED)
    due = _due(event.on, ADDITIONAL_DOCUMENTS_DAYS)
    stated = _stated(app, "C6", event.stated_due)
    return replace(
        app, stage=Stage.DOCUMENTS_REQUESTED, additional_documents_due=due, stated_due=stated
    )


def _received(app: CustomsApplication, event: AdditionalDocumentsReceived) -> CustomsApplication:
    expect(app, event, Stage.DOCUMENTS_REQUESTED)
    stated = _stated(app, "C6", None)
    return replace(app, stage=Stage.RECEIPTED, additional_documents_due=None, stated_due=stated)


def _rejected(app: CustomsApplication, event: Rejected) -> CustomsApplication:
    expect(app, event, Stage.RECEIPTED, Stage.DOCUMENTS_REQUESTED)
    if not event.reasons:
        raise InvalidTransition("REASON_REQUIRED", "C9", "a rejection states its reasons")
    return replace(app, stage=Stage.REJECTED, interim_service_until=None)


def _reapplied(app: CustomsApplication, event: ev.Reapplied) -> CustomsApplication:
    """A new attempt of the same registration, from SUBMITTED; earlier attempts are history."""
    if app.stage not in (Stage.RETURNED, Stage.REJECTED):
        raise InvalidTransition(
            "NOT_RETURNED_OR_REJECTED",
            "C3/C9",
            f"only a returned or rejected application may reapply, not a {app.stage} one",
        )
    if event.attempt != app.attempt + 1:
        raise InvalidTransition("ATTEMPT_OUT_OF_ORDER", "C3/C9", f"next is {app.attempt + 1}")
    return CustomsApplication(app.submission_id, app.activities, attempt=event.attempt)


def deadlines(app: CustomsApplication) -> dict[str, date]:
    """The open deadlines of the application's current stage, by rule (the day followed)."""
    if app.stage is Stage.ACCEPTED:
        return _registered_deadlines(app)
    found = {rule: due.due_on for rule, due in due_dates(app).items()}
    if app.stage in (Stage.RECEIPTED, Stage.DOCUMENTS_REQUESTED) and app.interim_service_until:
        found["C14"] = app.interim_service_until
    found.update(manual.deadlines(app))  # C13: the office's day and the TTP-RK's ten
    return found


def _registered_deadlines(app: CustomsApplication) -> dict[str, date]:
    """C10 data-change deadlines and C11 unblocking windows of a registered customs id."""
    found = {
        "C10/documents": app.change_documents_due,
        "C10/decision": app.change_decision_due,
        "C10/reapply": app.reapply_by,
        "C15/notice": app.change_notice_due,
    }
    found.update({f"C11/{number}": due for number, due in sorted(app.unblock_by.items())})
    return {rule: due for rule, due in found.items() if due is not None}


def overdue(app: CustomsApplication, today: date) -> list[str]:
    """Rules whose deadline has passed by ``today`` (the last day itself still counts)."""
    return sorted(rule for rule, due in deadlines(app).items() if today > due)


def _due(on: date, days: int) -> date:
    return add_working_days(on, days)


def _accept(app: CustomsApplication, event: Accepted) -> CustomsApplication:
    expect(app, event, Stage.RECEIPTED, Stage.DOCUMENTS_REQUESTED)
    if not event.customs_id:
        raise InvalidTransition("CUSTOMS_ID_REQUIRED", "C8", "acceptance issues a customs id")
    if not event.approved or not event.approved <= app.activities:
        raise InvalidTransition(
            "APPROVED_NOT_APPLIED", "C8", "approved activities must be some of those applied for"
        )
    return replace(
        app,
        stage=Stage.ACCEPTED,
        customs_id=event.customs_id,
        approved=event.approved,
        interim_service_until=None,
    )


_HANDLERS: Final[dict[type[Any], Callable[[CustomsApplication, Any], CustomsApplication]]] = {
    EntryProved: _entry_proved,
    ReturnedForLateDocuments: _returned,
    TtpRkIssued: _ttp_rk,
    AdditionalDocumentsRequested: _requested,
    AdditionalDocumentsReceived: _received,
    Accepted: _accept,
    Rejected: _rejected,
    Blocked: block,
    Unblocked: unblock,
    Revoked: revoke,
    DataChangeNotified: notified,
    DataChangeDecided: decided,
    ev.SupportingDocumentsDelivered: documents_delivered,
    ev.DataChangeReceipted: change_receipted,
    ev.UnblockApplied: unblock_applied,
    ev.UnblockRefused: unblock_refused,
    ev.ManualRegistrationRecorded: manual.recorded,
    ev.SiteCheckRecorded: site_checks.recorded,
    ev.InterimImportApproved: interim.approved,
    ev.Reapplied: _reapplied,
}
