"""The trader's customs emails: one per customs event, to the email on file (issue 13).

``customs.trader-notification.requested.v1`` is signed by the customs
lifecycle service and names a submission, never an address. The address is
the one of the account the approval email created for that submission
(:meth:`notifier.store.ActivationStore.account_of_submission`), so an
operator's email change (issue 12) is honoured and no address travels on
Kafka. Idempotency is the decision emails' protocol (:mod:`notifier.once`)
keyed by ``customs:<notification id>``.

A request whose submission has no account yet (:class:`NoAccountYet`) fails
on its own, not as an outage: the approval email and the customs messages
race (the customs story can start before the notifier has handled the
approval), so it is parked on the retry topic with the usual delays and
dead-lettered only once they are spent, without holding the rest of the
batch. Logs name notification and submission ids only.
"""

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from functools import cached_property

from contracts import channels
from contracts.trader_notification import TraderNotificationRequested
from notifier.emails import InvalidAddress, recipient
from notifier.mailer import Mailer
from notifier.once import MailOnce, each
from notifier.store import ActivationStore, MailLedger
from notifier.trader_emails import trader_email
from runtime.consumer import BatchHandler, HandlerResult
from runtime.errors import HubError, PoisonMessage
from runtime.records import Inbound
from runtime.typed import typed

log = logging.getLogger(__name__)

KEY_PREFIX = "customs:"
"""Ledger keys of customs emails: never equal to a decision id."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class NoAccountYet(HubError):
    """No approval email has named the request's submission (yet): retried, then dead-lettered."""


class TraderMail:
    """Turns the customs lifecycle's requests into the trader's emails, once per event."""

    def __init__(
        self,
        ledger: MailLedger,
        accounts: ActivationStore,
        mailer: Mailer,
        *,
        sender: str,
        lease: timedelta,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._once = MailOnce(ledger, mailer, lease=lease, kind="customs notice")
        self._accounts = accounts
        self._sender = sender
        self._clock = clock

    @cached_property
    def on_requests(self) -> BatchHandler:
        """The subscriber: signed requests decoded by the one decode loop."""
        return typed(channels.TRADER_NOTIFICATION_REQUESTED, self._on_requests)

    async def _on_requests(
        self, batch: Sequence[tuple[Inbound, TraderNotificationRequested]]
    ) -> HandlerResult:
        return await each(batch, self._notify, (PoisonMessage, NoAccountYet))

    async def _notify(self, request: TraderNotificationRequested) -> None:
        account = await self._accounts.account_of_submission(request.submission_id)
        if account is None:
            raise NoAccountYet(
                f"customs notice {request.notification_id}: no account approved for "
                f"submission {request.submission_id} yet"
            )
        try:
            recipient(account.email)
        except InvalidAddress as error:
            raise PoisonMessage(str(error)) from None

        async def render() -> EmailMessage:
            return trader_email(
                request,
                sender=self._sender,
                to=account.email,
                username=account.username,
                sent_at=self._clock(),
            )

        if await self._once.send(KEY_PREFIX + request.notification_id, render):
            log.info(
                "customs notice %s (%s) for %s: email sent",
                request.notification_id,
                request.notice.value,
                request.submission_id,
            )
