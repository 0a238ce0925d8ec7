"""Which customs events the trader is emailed about, and what the email must say; pure.

The lifecycle service is the only one that knows both what customs said and
which deadlines that opened, so it asks the notifier for the trader's email
(``customs.trader-notification.requested.v1``). One request per customs
message the trader must act on or know about, keyed for idempotency by the
CEISA MessageId: a redelivered message is skipped by the handler before this
runs, and the notifier sends once per id whatever Kafka redelivers. The
trader's own acts (documents delivered, unblock applied, change notified)
are not echoed back: the portal that sent them already knows.

Deadline warnings come from the deadline watch, for the deadlines the trader
must meet (:data:`TRADER_DEADLINES`); customs' own (C7 decision, C10 decision)
are announced on ``customs.deadline.v1`` only.
"""

from datetime import date
from typing import Final

from contracts.customs import CustomsReason, DeadlineMoment
from contracts.trader_notification import TraderNotice, TraderNotificationRequested
from customs import lifecycle
from customs.events import DataChangeDecided
from customs.reading import Notice
from customs.record import ApplicationRecord
from customs.state import CustomsApplication

_BY_MESSAGE: Final = {
    "proof-of-entry": (TraderNotice.ENTRY_PROVED, "C3"),
    "ttp-rk": (TraderNotice.TTP_RK_ISSUED, "C7"),
    "additional-documents-request": (TraderNotice.DOCUMENTS_REQUESTED, "C6"),
    "acceptance": (TraderNotice.ACCEPTED, None),
    "rejection": (TraderNotice.REJECTED, None),
    "return-receipt": (TraderNotice.RETURNED, None),
    "blocking": (TraderNotice.BLOCKED, "C11/"),
    "unblocking": (TraderNotice.UNBLOCKED, None),
    "unblock-refusal": (TraderNotice.UNBLOCK_REFUSED, "C11/"),
    "revocation": (TraderNotice.REVOKED, None),
    "data-change-receipt": (TraderNotice.CHANGE_RECEIPTED, "C10/documents"),
    "data-change-outcome": (TraderNotice.CHANGE_APPROVED, None),
    "site-check-result": (TraderNotice.SITE_CHECK_RECORDED, "C15/notice"),
}
"""Catalogue name -> what the email says, and the deadline it states (``C11/``: the blocking's)."""

TRADER_DEADLINES: Final = ("C3", "C6", "C14", "C10/documents", "C10/reapply", "C11/", "C15/")
"""Deadlines the trader must meet (or, C14, whose end stops their interim service)."""


def for_notice(
    before: ApplicationRecord | None, after: ApplicationRecord, notice: Notice
) -> TraderNotificationRequested | None:
    """The email request for an applied CEISA message, or None if the trader is not told."""
    found = _BY_MESSAGE.get(notice.message.name)
    if found is None:
        return None
    kind, due_rule = found
    old = before.app if before is not None else None
    app = after.app
    if isinstance(notice.event, DataChangeDecided) and not notice.event.approved:
        kind, due_rule = TraderNotice.CHANGE_REJECTED, "C10/reapply"
    if due_rule == "C11/":
        due_rule += str(getattr(notice.event, "number", ""))
    due_on = lifecycle.deadlines(app).get(due_rule) if due_rule else None
    return TraderNotificationRequested(
        notification_id=notice.message_id,
        submission_id=app.submission_id,
        notice=kind,
        rule=notice.message.rule,
        on=_day(notice),
        customs_id=app.customs_id,
        activities=_concerned(kind, old, app),
        reasons=[
            CustomsReason(code=r.code, text=r.text, legal_basis=r.legal_basis)
            for r in notice.reasons
        ],
        due_rule=due_rule if due_on else None,
        due_on=due_on,
    )


def for_deadline(
    record: ApplicationRecord, rule: str, due: date, moment: DeadlineMoment
) -> TraderNotificationRequested | None:
    """The warning for a deadline the trader must meet, or None for customs' own."""
    if not rule.startswith(TRADER_DEADLINES):
        return None
    kind = (
        TraderNotice.DEADLINE_APPROACHING
        if moment is DeadlineMoment.APPROACHING
        else TraderNotice.DEADLINE_PASSED
    )
    sid = record.app.submission_id
    return TraderNotificationRequested(
        notification_id=f"{sid}|{rule}|{due.isoformat()}|{moment.value}",
        submission_id=sid,
        notice=kind,
        rule=rule.split("/", maxsplit=1)[0],
        on=due,
        customs_id=record.app.customs_id,
        due_rule=rule,
        due_on=due,
    )


def _concerned(
    kind: TraderNotice, old: CustomsApplication | None, app: CustomsApplication
) -> list[str]:
    """The activities an event is about: approved, newly blocked, lifted, or revoked."""
    if old is None or kind is TraderNotice.ENTRY_PROVED:
        return sorted(app.activities)
    changed = {
        TraderNotice.ACCEPTED: app.approved,
        TraderNotice.BLOCKED: app.blocked - old.blocked,
        TraderNotice.UNBLOCKED: old.blocked - app.blocked,
        TraderNotice.REVOKED: app.revoked - old.revoked,
    }
    return sorted(changed.get(kind, frozenset()))


def _day(notice: Notice) -> date:
    on = getattr(notice.event, "on", None)
    assert isinstance(on, date)  # every lifecycle event is dated (customs.events)
    return on
