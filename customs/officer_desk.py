"""A customs officer's acts in, the new status (and for C13 the receipt to CEISA) out.

``customs.officer-command.v1`` carries what an officer records
(:data:`contracts.customs_officer.OfficerCommand`). The channel is signed:
the service verifies each record's signature (officers' desk or gateway)
before this handler sees it, as for officers' decisions on referrals, and
the act is audited under the signer's name. For each command, in order:

1. derive the act's id from the command id; a repeated act changes nothing;
2. a manual registration (C13) opens its application, so it needs none to
   exist; an Art. 40 approval (C14) needs one;
3. apply the act to the pure state machine, which refuses what PER-21 does
   not allow (a second manual receipt, a second interim import, one for a
   non-importer …): a dead letter with code and rule;
4. publish the new status, the audit entry and, for C13, the Attachment V
   receipt on ``ceisa.trader.v1``, from which the office enters it in CEISA.
"""

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from contracts import channels
from contracts import xml_messages as m
from contracts.audit import AuditKind
from contracts.customs_officer import ApproveInterimImport, OfficerCommand, RecordManualRegistration
from customs import events as ev
from customs import outbound
from customs.handler import Acted, CommandRefused, CustomsDesk, TransitionRefused, status_record
from customs.reading import Notice
from customs.record import ApplicationRecord, advance
from customs.state import InvalidTransition
from runtime.audit import audit_event
from runtime.consumer import BatchHandler, HandlerResult
from runtime.errors import PoisonMessage
from runtime.records import Inbound, Outbound
from runtime.typed import typed

JAKARTA = ZoneInfo("Asia/Jakarta")
INTERIM_IMPORT = "interim-import"
"""The name an Art. 40 approval is recorded under (it sends no document to customs)."""


class OfficerDesk(CustomsDesk):
    """Records a customs officer's acts, checked against the application's state."""

    def handler(self) -> BatchHandler:
        """The batch handler for ``customs.officer-command.v1`` (decoding included)."""
        return typed(channels.CUSTOMS_OFFICER_COMMAND, self.on_commands)

    async def on_commands(self, batch: Sequence[tuple[Inbound, OfficerCommand]]) -> HandlerResult:
        """Handle one batch of decoded, signature-checked officer commands."""
        return await self._carry_out(batch, self._act)

    def _act(
        self,
        record: Inbound,
        command: OfficerCommand,
        before: ApplicationRecord | None,
        now: datetime,
    ) -> Acted | None:
        """The act applied to its application: new status, audit entry, C13's receipt."""
        sid = command.submission_id
        mid = outbound.message_id(_message(command), command.command_id, sid)
        if before is not None and mid in before.seen:
            return None  # redelivered or repeated: already recorded
        try:
            notice = _notice(command, before, mid, now.astimezone(JAKARTA).date())
            after = advance(before, notice, now)
        except InvalidTransition as error:
            refused = Notice(_message(command), mid, _event(command), submission_id=sid)
            keep = before.handled(mid) if before is not None else None
            raise CommandRefused(TransitionRefused(error, refused), keep) from None
        sent: list[Outbound] = []
        if isinstance(command, RecordManualRegistration):
            receipt = _receipt(command, after, mid, now)
            sent.append(
                Outbound.of(channels.CEISA_TRADER, receipt, cause=record, correlation_id=sid)
            )
        sent.append(status_record(self._status_topic, record, after))
        sent.append(_audit(record, command, mid))
        return Acted(after, sent)


def _message(command: OfficerCommand) -> m.CustomsMessage:
    """The catalogue entry an act is recorded as (Art. 40 has no document: a local name)."""
    if isinstance(command, RecordManualRegistration):
        return m.MANUAL_RECEIPT
    return m.CustomsMessage(INTERIM_IMPORT, "", m.Direction.TO_CUSTOMS, "C14")


def _event(command: OfficerCommand) -> ev.CustomsEvent:
    match command:
        case RecordManualRegistration():
            return ev.ManualRegistrationRecorded(command.received_on, command.office_code)
        case ApproveInterimImport():
            return ev.InterimImportApproved(command.approved_on, command.import_notification)
    raise AssertionError(type(command))  # pragma: no cover - the union is exhaustive


def _notice(
    command: OfficerCommand, before: ApplicationRecord | None, mid: str, today: date
) -> Notice:
    """The act as a notice for :func:`customs.record.advance`; dates must not lie ahead."""
    event = _event(command)
    if event.on > today:
        raise InvalidTransition("DATE_IN_FUTURE", _message(command).rule, "the act is dated ahead")
    if isinstance(command, ApproveInterimImport) and before is None:
        raise InvalidTransition("UNKNOWN_APPLICATION", "C14", "no application to serve")
    activities = frozenset(getattr(command, "activities", ()))
    return Notice(
        _message(command), mid, event, submission_id=command.submission_id, activities=activities
    )


def _receipt(
    command: RecordManualRegistration, after: ApplicationRecord, mid: str, now: datetime
) -> bytes:
    """The Attachment V receipt, stating the clocks the state machine opened."""
    app = after.app
    if app.manual_processing_due is None or app.manual_ttp_rk_due is None:
        raise PoisonMessage("manual registration recorded without its C13 clocks")
    return outbound.manual_receipt(
        command,
        mid=mid,
        issued_at=now,
        processing_due=app.manual_processing_due,
        ttp_rk_due=app.manual_ttp_rk_due,
    )


def _audit(record: Inbound, command: OfficerCommand, mid: str) -> Outbound:
    """The officer's act on the audit trail: who signed it, which officer, what act."""
    return audit_event(
        AuditKind.OFFICER_ACTION,
        command.submission_id,
        actor=record.signer or "",
        cause=record,
        details={"officer_id": command.officer_id, "act": command.kind, "message_id": mid},
    )
