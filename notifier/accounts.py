"""Account activation (R16 to R19): set the password with a link, or ask for a new link.

The use cases behind the HTTP endpoints, free of HTTP: each failure is an
:class:`AccountError` carrying the status, and the reasons (code, rule, field,
texts in both languages) the client sees.
"""

import asyncio
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum

from contracts.reasons import (
    ACCOUNT_NOT_FOUND,
    EMAIL_REFUSED,
    TOKEN_EXPIRED,
    TOKEN_INVALID,
    TOKEN_SUPERSEDED,
    TOKEN_USED,
    USERNAME_FORMAT,
    Reason,
)
from notifier.emails import InvalidAddress, new_link_email, recipient
from notifier.mailer import Mailer, MailRefused
from notifier.passwords import check_password, hash_password
from notifier.store import ActivationStore, TokenStatus
from notifier.tokens import LinkRefused, Tokens

log = logging.getLogger(__name__)

USERNAME = re.compile(r"^[0-9A-F]{6}$")

_BY_STATUS = {
    TokenStatus.UNKNOWN: (400, TOKEN_INVALID),
    TokenStatus.EXPIRED: (410, TOKEN_EXPIRED),
    TokenStatus.USED: (410, TOKEN_USED),
    TokenStatus.SUPERSEDED: (410, TOKEN_SUPERSEDED),
}


class ResendOutcome(StrEnum):
    """What a resend did; never shown to the caller (one answer for every username)."""

    SENT = "SENT"
    NO_ACCOUNT = "NO_ACCOUNT"
    ALREADY_ACTIVE = "ALREADY_ACTIVE"
    EMAIL_REFUSED = "EMAIL_REFUSED"


class AccountError(Exception):
    """A request the account endpoints refuse, with its HTTP status and reasons."""

    def __init__(
        self, status: int, reasons: list[Reason], headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(", ".join(r.code for r in reasons))
        self.status = status
        self.reasons = reasons
        self.headers = headers or {}


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Accounts:
    """Set a password with a token (R18), resend a link to the email on file (R19)."""

    def __init__(
        self,
        tokens: Tokens,
        store: ActivationStore,
        mailer: Mailer,
        *,
        sender: str,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._tokens = tokens
        self._store = store
        self._mailer = mailer
        self._sender = sender
        self._clock = clock

    async def token_status(self, token: str) -> TokenStatus:
        """Whether the link still works (for the set-password page)."""
        return (await self._tokens.check(token)).status

    async def set_password(self, token: str, password: str) -> str:
        """Use the token up and store the password's Argon2id hash; return the username."""
        _refuse_token((await self._tokens.check(token)).status)
        broken = check_password(password)
        if broken:
            raise AccountError(400, broken)
        # Argon2 is deliberately slow: keep it off the event loop.
        hashed = await asyncio.to_thread(hash_password, password)
        redeemed = await self._tokens.redeem(token, hashed)
        _refuse_token(redeemed.status)  # another request may have won the race
        assert redeemed.username is not None
        log.info("account %s: password set", redeemed.username)
        return redeemed.username

    async def resend(self, username: str) -> ResendOutcome:
        """A new link to the same email address on file (R19), if the account is pending.

        The applicant's live link keeps working until the SMTP server has
        accepted the new email; only then does the new link supersede it. The
        outcome is for logs and tests: the HTTP answer is the same whatever it
        is, so the endpoint tells no one which usernames exist (issue 12).
        """
        if not USERNAME.match(username):
            raise AccountError(400, [USERNAME_FORMAT.at("username")])
        account = await self._store.account(username)
        if account is None:
            return ResendOutcome.NO_ACCOUNT
        if account.activated:
            return ResendOutcome.ALREADY_ACTIVE
        pending = self._tokens.prepare(username, account.email)
        message = new_link_email(
            sender=self._sender,
            to=account.email,
            username=username,
            link=pending.link.url,
            expires_at=pending.link.expires_at,
            sent_at=self._clock(),
        )
        try:
            await self._mailer.send(message)
        except MailRefused:
            log.warning("account %s: mail server refused the address on file", username)
            return ResendOutcome.EMAIL_REFUSED
        try:
            await self._tokens.commit(pending)
        except LinkRefused:  # activated since it was read: the mailed link never works
            log.info("account %s: activated meanwhile, the new link was not made current", username)
            return ResendOutcome.ALREADY_ACTIVE
        log.info("account %s: new confirmation link sent", username)
        return ResendOutcome.SENT


async def change_email(store: ActivationStore, username: str, email: str) -> None:
    """The operators' path to a new email on file (the only one): old links stop working.

    The caller authenticates the operator and writes the audit entry
    (:mod:`notifier.endpoints`). Raises :class:`AccountError`.
    """
    if not USERNAME.match(username):
        raise AccountError(400, [USERNAME_FORMAT.at("username")])
    try:
        recipient(email)
    except InvalidAddress:
        raise AccountError(400, [EMAIL_REFUSED.at("email")]) from None
    if not await store.change_email(username, email):
        raise AccountError(404, [ACCOUNT_NOT_FOUND.at("username")])
    log.info("account %s: email on file changed by an operator", username)


def _refuse_token(status: TokenStatus) -> None:
    if status is not TokenStatus.VALID:
        http_status, code = _BY_STATUS[status]
        raise AccountError(http_status, [code.at("token")])
