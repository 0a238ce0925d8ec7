"""Decision emails: one per decision id, over SMTP, whatever Kafka redelivers.

The idempotency protocol (Redis, ``insw:notifier:mail:{decision_id}``):

1. **Claim** with a lease (Lua ``GET`` + ``SET PX``): unclaimed, or leased
   by this process (a release that failed while Redis was down) -> ours for
   ``mail_claim_seconds``; ``sent`` -> skip, the record is acknowledged;
   leased by another process -> :class:`TransientFailure`, the batch is
   retried after a backoff, by when the other process has marked it sent or
   its lease has run out. Within the process an in-flight set keeps the main
   and retry subscribers from sending one decision at once.
2. **Send** over SMTP. If the server does not take it, the lease is released
   and the failure is transient: backoff, redelivery, a new attempt. Nothing is
   lost.
3. **Mark sent** (no expiry: a replay of the topic years later must still find
   it). If Redis fails here, the process remembers the decision id and only
   retries the mark on redelivery, never the send.

The remaining window is a crash of the process between the SMTP server's
acceptance and the mark (milliseconds): the lease then runs out and the email
is sent again, with the same ``Message-ID`` (derived from the decision id) so
it is recognisably the same message. We choose this **at-least-once** over
at-most-once on purpose: a lost approval leaves the applicant without a
username or link and a lost rejection without its reasons (R14, R15, R13's
24-hour promise), while a rare identical duplicate is harmless; the only
state a resend changes is the confirmation token, and the newest link is
the one that works (R19).

Logs name decision ids and outcomes only: requests carry names and addresses.
"""

import logging
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from functools import cached_property

from contracts import channels
from contracts.decision import Outcome
from contracts.notification import NotificationRequested
from notifier.emails import InvalidAddress, approval_email, recipient, rejection_email
from notifier.mailer import Mailer
from notifier.once import MailOnce, each
from notifier.store import Issue, MailLedger
from notifier.tokens import LinkRefused, Tokens
from runtime.consumer import BatchHandler, HandlerResult
from runtime.errors import PoisonMessage
from runtime.records import Inbound
from runtime.typed import typed

log = logging.getLogger(__name__)

USERNAME = re.compile(r"^[0-9A-F]{6}$")
"""R16: six uppercase hexadecimal characters."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Notifier:
    """Turns notification requests into emails: one per decision id (see the module docstring)."""

    def __init__(
        self,
        ledger: MailLedger,
        tokens: Tokens,
        mailer: Mailer,
        *,
        sender: str,
        lease: timedelta,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._once = MailOnce(ledger, mailer, lease=lease, kind="decision")
        self._tokens = tokens
        self._sender = sender
        self._clock = clock

    @cached_property
    def on_requests(self) -> BatchHandler:
        """The subscriber: requests decoded by the one decode loop, then :meth:`_on_requests`."""
        return typed(channels.NOTIFICATION_REQUESTED, self._on_requests)

    async def _on_requests(
        self, batch: Sequence[tuple[Inbound, NotificationRequested]]
    ) -> HandlerResult:
        """Email each request of the batch; a poison request is dead-lettered, not retried."""
        return await each(batch, self._notify)

    async def _notify(self, request: NotificationRequested) -> None:
        decision_id = request.decision_id
        if request.outcome is Outcome.REFERRED:
            log.info("decision %s: referred to an officer, no email yet", decision_id)
            return
        _validate(request)
        if await self._once.send(decision_id, lambda: self._render(request)):
            log.info("decision %s: %s email sent", decision_id, request.outcome.value.lower())

    async def _render(self, request: NotificationRequested) -> EmailMessage:
        now = self._clock()
        if request.outcome is Outcome.APPROVED:
            assert request.username is not None  # checked by _validate
            try:
                link = await self._tokens.issue(
                    request.username, request.email, submission_id=request.submission_id
                )
            except LinkRefused as refused:
                # A notification never rewrites the email on file nor mails a link for an
                # account whose password is set (issue 11): refused, never retried.
                raise PoisonMessage(
                    f"decision {request.decision_id}: username {request.username} "
                    f"{_REFUSALS[refused.why]}"
                ) from None
            return approval_email(
                decision_id=request.decision_id,
                sender=self._sender,
                to=request.email,
                applicant_name=request.applicant_name,
                username=request.username,
                link=link.url,
                expires_at=link.expires_at,
                sent_at=now,
            )
        return rejection_email(
            decision_id=request.decision_id,
            sender=self._sender,
            to=request.email,
            applicant_name=request.applicant_name,
            organisation_name=request.organisation_name,
            reasons=request.reasons,
            sent_at=now,
        )


_REFUSALS = {
    Issue.ACTIVE: "ACCOUNT_ACTIVE: its password is set, no link is issued",
    Issue.EMAIL_MISMATCH: "EMAIL_NOT_ON_FILE: the account's email is not rewritten",
}


def _validate(request: NotificationRequested) -> None:
    """Refuse, before claiming, what no retry can fix; texts name fields, never values."""
    try:
        recipient(request.email)
    except InvalidAddress as error:
        raise PoisonMessage(str(error)) from None
    if request.outcome is Outcome.APPROVED and not USERNAME.match(request.username or ""):
        raise PoisonMessage("username: an approval needs six uppercase hex characters (R16)")
