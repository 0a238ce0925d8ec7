"""The trader's commands in, XML to customs and the new status out (C3, C6, C10, C11).

``customs.trader-command.v1`` carries what the trader does in the customs
process (:data:`contracts.customs.TraderCommand`). For each command, in order:

1. find the application; a command for one customs never entered is refused;
2. derive the document's MessageId from the command id; a command whose
   document was sent before changes nothing (the id is in the record's
   ``seen`` set, written with the state, as for CEISA's own messages);
3. apply the trader's act to the pure state machine, which refuses what
   PER-21 does not allow (answering a request never made, unblocking what is
   not blocked, delivering documents twice …): a dead letter with code and
   rule, like a refused CEISA message;
4. publish the XML on ``ceisa.trader.v1`` and the new status.

A reapplication (C3/C9) is keyed by attempt, not by command: its MessageId
derives from (submission id, attempt number), so the document of one attempt
is always the same message for customs; a replayed ``REAPPLY`` finds its
command's marker in ``seen`` and sends nothing, and any other one on an
application that is neither RETURNED nor REJECTED is a dead letter
``NOT_RETURNED_OR_REJECTED (C3/C9)``.

Why the lifecycle service and not the CEISA adapter: whether an act is
allowed depends on the application's state, which lives here; the adapter
keeps to turning decisions into registrations.
"""

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from contracts import channels
from contracts import xml_messages as m
from contracts.customs import (
    AnswerAdditionalDocuments,
    ApplyForUnblock,
    DeliverSupportingDocuments,
    NotifyDataChange,
    Reapply,
    TraderCommand,
)
from contracts.xml_messages import CustomsMessage
from customs import events as ev
from customs import outbound
from customs.handler import Acted, CommandRefused, CustomsDesk, TransitionRefused, status_record
from customs.reading import Notice
from customs.record import ApplicationRecord, advance
from customs.state import InvalidTransition, Stage
from runtime.consumer import BatchHandler, HandlerResult
from runtime.errors import PoisonMessage
from runtime.records import Inbound, Outbound
from runtime.typed import typed

JAKARTA = ZoneInfo("Asia/Jakarta")
PROTECTED_GROUPS = frozenset({"REGISTRATION_DATA", "CUSTOMS_EXPERT", "TRANSPORT_MEANS"})
"""Art. 24(1)-(3): a rejected change of these must be reapplied for (Art. 30(2))."""

_MESSAGES: dict[type, CustomsMessage] = {
    DeliverSupportingDocuments: m.SUPPORTING_DOCUMENTS,
    AnswerAdditionalDocuments: m.ADDITIONAL_DOCUMENTS_REPLY,
    NotifyDataChange: m.DATA_CHANGE_NOTIFICATION,
    ApplyForUnblock: m.UNBLOCK_APPLICATION,
    Reapply: m.REAPPLICATION,
}


class TraderDesk(CustomsDesk):
    """Turns the trader's commands into customs messages, checked against the application."""

    def handler(self) -> BatchHandler:
        """The batch handler for ``customs.trader-command.v1`` (decoding included)."""
        return typed(channels.TRADER_COMMAND, self.on_commands)

    async def on_commands(self, batch: Sequence[tuple[Inbound, TraderCommand]]) -> HandlerResult:
        """Handle one batch of decoded trader commands."""
        return await self._carry_out(batch, self._act)

    def _act(
        self,
        record: Inbound,
        command: TraderCommand,
        before: ApplicationRecord | None,
        now: datetime,
    ) -> Acted | None:
        """The customs document a trader's command sends, or why it sends none."""
        sid = command.submission_id
        message = _MESSAGES[type(command)]
        marker = outbound.message_id(message, command.command_id, sid)
        if before is None:
            refusal = f"command refused: UNKNOWN_APPLICATION (C2) for {message.name}"
            raise CommandRefused(PoisonMessage(refusal), None)
        if marker in before.seen:
            return None  # redelivered or repeated: the document was sent
        today = now.astimezone(JAKARTA).date()
        mid = _message_id(command, before)
        notice = Notice(message, mid, _event(command, before, today), submission_id=sid)
        try:
            after = advance(before, notice, now)
            document = _document(command, before, mid=mid, on=today, now=now)
        except InvalidTransition as error:
            raise CommandRefused(TransitionRefused(error, notice), before.handled(marker)) from None
        after = after.handled(marker)
        sent = Outbound.of(channels.CEISA_TRADER, document, cause=record, correlation_id=sid)
        return Acted(after, [sent, status_record(self._status_topic, record, after)])


def _message_id(command: TraderCommand, record: ApplicationRecord) -> str:
    """The id of the command's document: per attempt for a reapplication, else per command.

    Every command also leaves its own marker (the per-command id) in ``seen``,
    so a replayed command is skipped; a *new* reapplication command while an
    attempt runs reaches the state machine and is refused there.
    """
    sid = command.submission_id
    if isinstance(command, Reapply):
        ended = record.app.stage in (Stage.RETURNED, Stage.REJECTED)
        return outbound.reapplication_id(sid, record.app.attempt + (1 if ended else 0))
    return outbound.message_id(_MESSAGES[type(command)], command.command_id, sid)


def _event(command: TraderCommand, record: ApplicationRecord, on: date) -> ev.CustomsEvent:
    """The trader's act as a lifecycle event."""
    match command:
        case DeliverSupportingDocuments():
            return ev.SupportingDocumentsDelivered(on)
        case AnswerAdditionalDocuments():
            return ev.AdditionalDocumentsReceived(on)
        case NotifyDataChange():
            protected = any(c.group in PROTECTED_GROUPS for c in command.changes)
            return ev.DataChangeNotified(on, protected=protected)
        case ApplyForUnblock():
            return ev.UnblockApplied(on, command.blocking_number)
        case Reapply():
            return ev.Reapplied(on, record.app.attempt + 1)
    raise AssertionError(type(command))  # pragma: no cover - the union is exhaustive


def _document(
    command: TraderCommand, record: ApplicationRecord, *, mid: str, on: date, now: datetime
) -> bytes:
    """The XML for an allowed command, from the state before it (what customs last said)."""
    app = record.app
    match command:
        case DeliverSupportingDocuments():
            entry = record.message_id if record.message == m.PROOF_OF_ENTRY.name else None
            return outbound.supporting_documents(
                command, mid=mid, on=on, issued_at=now, entry_reference=entry, entry_number=None
            )
        case AnswerAdditionalDocuments():
            if record.message != m.ADDITIONAL_DOCUMENTS_REQUEST.name:
                raise InvalidTransition("NO_REQUEST", "C6", "no request to answer")
            return outbound.additional_documents_reply(
                command, mid=mid, on=on, issued_at=now, request=record.message_id
            )
        case NotifyDataChange():
            return outbound.data_change_notification(
                command, mid=mid, on=on, issued_at=now, customs_id=app.customs_id or ""
            )
        case ApplyForUnblock():
            activities = sorted(app.blockings.get(command.blocking_number, frozenset()))
            return outbound.unblock_application(
                command,
                mid=mid,
                on=on,
                issued_at=now,
                customs_id=app.customs_id or "",
                activities=activities,
            )
        case Reapply():
            return outbound.reapplication(
                command.submission_id,
                attempt=app.attempt + 1,
                previous=app.stage.value,
                answered=record.message_id,
                activities=sorted(app.activities),
                on=on,
                issued_at=now,
            )
    raise AssertionError(type(command))  # pragma: no cover - the union is exhaustive
