"""One email per idempotency key, whatever Kafka redelivers: every notifier email's protocol.

Shared by the decision emails (:mod:`notifier.handlers`, key: the decision
id) and the trader's customs emails (:mod:`notifier.trader_mail`, key: the
customs event's id); the protocol and why it is at-least-once are described
in :mod:`notifier.handlers`. Keys of the two kinds never collide: a customs
key is prefixed ``customs:``.

Logs name the kind and the key only: rendered emails carry names and addresses.
"""

import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from email.message import EmailMessage
from typing import TypeVar

from notifier.mailer import Mailer
from notifier.store import Claim, MailLedger
from runtime.consumer import HandlerResult
from runtime.errors import PoisonMessage, TransientFailure
from runtime.records import Inbound

log = logging.getLogger(__name__)
T = TypeVar("T")


async def each(
    batch: Sequence[tuple[Inbound, T]],
    notify: Callable[[T], Awaitable[None]],
    failures: tuple[type[Exception], ...] = (PoisonMessage,),
) -> HandlerResult:
    """Email each request of a batch; ``failures`` of one request are its own (dead-lettered
    or parked for retry by the consume policy), anything else fails the batch."""
    result = HandlerResult()
    for record, request in batch:
        try:
            await notify(request)
        except failures as error:
            result.dead.append((record, error))
    return result


class MailOnce:
    """Claim, send, mark sent: one email per key (see :mod:`notifier.handlers`)."""

    def __init__(self, ledger: MailLedger, mailer: Mailer, *, lease: timedelta, kind: str) -> None:
        self._ledger = ledger
        self._mailer = mailer
        self._lease_ms = int(lease.total_seconds() * 1000)
        self._kind = kind
        self._owner = uuid.uuid4().hex
        """This process, as the owner of mail leases (see :meth:`MailLedger.claim`)."""
        self._sending: set[str] = set()
        """Keys being emailed now: the main and retry subscribers run at once."""
        self._sent_unmarked: set[str] = set()

    async def send(self, key: str, render: Callable[[], Awaitable[EmailMessage]]) -> bool:
        """Send ``render()``'s email unless ``key``'s was sent; True when this call sent it."""
        if key in self._sent_unmarked:
            await self._mark_sent(key)
            return False
        if key in self._sending:
            raise TransientFailure(f"{self._kind} {key}: email being sent by this process")
        self._sending.add(key)
        try:
            return await self._send_once(key, render)
        finally:
            self._sending.discard(key)

    async def _send_once(self, key: str, render: Callable[[], Awaitable[EmailMessage]]) -> bool:
        claim = await self._ledger.claim(key, self._owner, self._lease_ms)
        if claim is Claim.SENT:
            log.info("%s %s: email already sent, skipped", self._kind, key)
            return False
        if claim is Claim.BUSY:
            raise TransientFailure(f"{self._kind} {key}: email being sent by another attempt")
        try:
            await self._mailer.send(await render())
        except BaseException:
            await self._release(key)
            raise
        self._sent_unmarked.add(key)
        await self._mark_sent(key)
        return True

    async def _mark_sent(self, key: str) -> None:
        await self._ledger.mark_sent(key)
        self._sent_unmarked.discard(key)

    async def _release(self, key: str) -> None:
        try:
            await self._ledger.release(key, self._owner)
        except TransientFailure:
            # The lease runs out by itself; the next attempt waits for that.
            log.warning("%s %s: lease not released, it will expire", self._kind, key)
