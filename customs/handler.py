"""CEISA's answers in, customs application statuses out: the lifecycle service's handler.

For every record of ``ceisa.response.v1``, in order:

1. read it with the hardened reader (:func:`customs.reading.read_notice`);
   anything refused is a dead letter naming the refusal (``DTD_FORBIDDEN``,
   ``TOO_LARGE``, ``XSD_INVALID`` …), never a value of the document;
2. find its application by submission id (the record key, which must agree
   with a ``SubmissionId`` in the document); skip it if its message id was
   handled before: a redelivered message changes nothing;
3. apply it to the pure state machine; a transition PER-21 does not allow
   is *not applied*: it is dead-lettered as :class:`TransitionRefused` with
   the code and rule (e.g. ``NOT_BLOCKED (C11)``) and remembered as handled;
4. publish the new status on the compacted status topic and, for a message
   the trader must act on or know about, a signed request for the trader's
   email (:mod:`customs.trader_notices`), keyed for idempotency by the
   message id.

The records (state plus handled ids) and their deadline timers are written
only after the statuses and dead letters are on the broker, so a crash in
between means redelivery and the same statuses again, never a lost one.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Protocol, TypeVar

from contracts import channels, topics
from contracts.audit import AuditKind
from customs.deadlines import timers
from customs.reading import Notice, read_notice
from customs.record import ApplicationRecord, advance, to_status
from customs.state import InvalidTransition
from customs.store import CustomsStore
from customs.trader_notices import for_notice
from runtime.audit import audit_event
from runtime.codec import encode
from runtime.consumer import BatchHandler, HandlerResult
from runtime.errors import PoisonMessage
from runtime.records import Inbound, Outbound, caused_by
from runtime.typed import typed

log = logging.getLogger(__name__)


class TransitionRefused(PoisonMessage):
    """A customs message the application's state does not allow; carries code and rule."""

    def __init__(self, error: InvalidTransition, notice: Notice) -> None:
        self.code, self.rule = error.code, error.rule
        super().__init__(
            f"transition refused: {error.code} ({error.rule}) for {notice.message.name}"
        )


class Command(Protocol):
    """What the desks' commands share: the application they act on."""

    @property
    def submission_id(self) -> str:
        """The application (the record key)."""


C = TypeVar("C", bound=Command)


@dataclass(frozen=True)
class Acted:
    """What one command did: the application after it and what it publishes."""

    after: ApplicationRecord
    outbound: list[Outbound]


class CommandRefused(Exception):
    """A command that is not carried out: ``error`` is dead-lettered, ``keep`` saved.

    ``keep`` is the application marked as having handled the command, so a
    redelivery is skipped rather than refused again (``None``: nothing to mark).
    """

    def __init__(self, error: PoisonMessage, keep: ApplicationRecord | None) -> None:
        super().__init__(str(error))
        self.error, self.keep = error, keep


Act = Callable[[Inbound, C, ApplicationRecord | None, datetime], Acted | None]
"""One desk's step for one command: what it did, ``None`` for a repeat, or
:class:`CommandRefused`."""


class CustomsDesk:
    """What every writer of customs applications holds: the store, the status topic, a clock.

    Shared by :class:`Lifecycle` (CEISA's messages) and the trader's desk
    (:mod:`customs.commands`): both change an application and publish its status.
    """

    def __init__(
        self,
        store: CustomsStore,
        *,
        status_topic: str = topics.CUSTOMS_APPLICATION_STATUS,
        warning_days: int = 2,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._status_topic = status_topic
        self._warning_days = warning_days
        self._clock = clock

    async def _current(self, sids: Sequence[str]) -> dict[str, ApplicationRecord | None]:
        """The stored record of each application named in a batch (``None``: never entered)."""
        unique = list(dict.fromkeys(sids))
        return dict(zip(unique, await self._store.load(unique), strict=True))

    async def _carry_out(self, batch: Sequence[tuple[Inbound, C]], act: Act[C]) -> HandlerResult:
        """The desks' one loop: each command in order, against the application as it stands.

        Commands of one batch for one application see each other's effect
        (``current`` is updated as they go); the changed records are saved
        once the batch is published.
        """
        result = HandlerResult()
        current = await self._current([command.submission_id for _, command in batch])
        changed: dict[str, ApplicationRecord] = {}
        now = self._clock()
        for record, command in batch:
            sid = command.submission_id
            try:
                acted = act(record, command, current[sid], now)
            except CommandRefused as refused:
                result.dead.append((record, refused.error))
                if refused.keep is not None:
                    current[sid] = changed[sid] = refused.keep
                continue
            if acted is None:
                continue  # redelivered or repeated: already carried out
            current[sid] = changed[sid] = acted.after
            result.outbound += acted.outbound
        self._save_after_publish(changed, result)
        return result

    def _save_after_publish(
        self, changed: dict[str, ApplicationRecord], result: HandlerResult
    ) -> None:
        """Write the changed records and their deadline timers once the batch is published."""
        if not changed:
            return
        records = list(changed.values())
        due = [t for r in records for t in timers(r, self._warning_days)]

        async def save() -> None:
            await self._store.save(records, due)

        result.after_publish.append(save)


class Lifecycle(CustomsDesk):
    """Applies CEISA messages to customs applications kept in a :class:`CustomsStore`."""

    @cached_property
    def on_responses(self) -> BatchHandler:
        """The subscriber: CEISA documents read by the hardened reader in the one decode loop."""
        return typed(channels.CEISA_RESPONSE, self._on_notices, parse=read_notice)

    async def _on_notices(self, batch: Sequence[tuple[Inbound, Notice]]) -> HandlerResult:
        """Handle one batch of read ``ceisa.response.v1`` documents."""
        result = HandlerResult()
        readable: list[tuple[Inbound, Notice, str]] = []
        for record, notice in batch:
            try:
                readable.append((record, notice, _submission_id(record, notice)))
            except PoisonMessage as error:  # the key and the document disagree
                result.dead.append((record, error))
        current = await self._current([sid for _, _, sid in readable])
        changed: dict[str, ApplicationRecord] = {}
        for record, notice, sid in readable:
            before = current[sid]
            if before is not None and notice.message_id in before.seen:
                continue  # redelivered: already applied or refused
            try:
                after = advance(before, notice, self._clock())
            except InvalidTransition as error:
                log.warning(
                    "%s: %s refused (%s, %s)", sid, notice.message.name, error.code, error.rule
                )
                result.dead.append((record, TransitionRefused(error, notice)))
                result.outbound.append(_response_audit(record, notice, sid, error.code))
                if before is not None:
                    current[sid] = changed[sid] = before.handled(notice.message_id)
                continue
            current[sid] = changed[sid] = after
            result.outbound.append(self._status(record, after))
            result.outbound.append(_response_audit(record, notice, sid, "APPLIED"))
            request = for_notice(before, after, notice)
            if request is not None:
                result.outbound.append(
                    Outbound.of(
                        channels.TRADER_NOTIFICATION_REQUESTED,
                        request,
                        cause=record,
                        correlation_id=sid,
                    )
                )
        self._save_after_publish(changed, result)
        return result

    def _status(self, cause: Inbound, record: ApplicationRecord) -> Outbound:
        return status_record(self._status_topic, cause, record)


def status_record(topic: str, cause: Inbound, record: ApplicationRecord) -> Outbound:
    """The status of ``record`` for the compacted status topic (``topic`` in tests)."""
    sid = record.app.submission_id
    headers = caused_by(
        cause, correlation_id=sid, schema=channels.CUSTOMS_APPLICATION_STATUS.schema_id
    )
    return Outbound(topic, sid.encode(), encode(to_status(record)), headers)


def _response_audit(record: Inbound, notice: Notice, sid: str, result: str) -> Outbound:
    """The audit entry of a customs response: applied, or the code it was refused with."""
    return audit_event(
        AuditKind.CUSTOMS_RESPONSE,
        sid,
        actor=record.signer or "",
        cause=record,
        details={"message": notice.message.name, "message_id": notice.message_id, "result": result},
    )


def _submission_id(record: Inbound, notice: Notice) -> str:
    """The application a record is about: its key, which the document must not contradict."""
    key = record.key.decode("utf-8", errors="replace") if record.key else None
    if notice.submission_id is not None and key is not None and key != notice.submission_id:
        raise PoisonMessage("ceisa document refused: KEY_MISMATCH (key and SubmissionId differ)")
    sid = notice.submission_id or key
    if not sid:
        raise PoisonMessage("ceisa document refused: NO_SUBMISSION (no key, no SubmissionId)")
    return sid
