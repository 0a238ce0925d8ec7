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

from contracts.reasons import (
    ACCOUNT_ACTIVE,
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
from notifier.tokens import IssuedLink, LinkRefused, Tokens

log = logging.getLogger(__name__)

USERNAME = re.compile(r"^[0-9A-F]{6}$")

_BY_STATUS = {
    TokenStatus.UNKNOWN: (400, TOKEN_INVALID),
    TokenStatus.EXPIRED: (410, TOKEN_EXPIRED),
    TokenStatus.USED: (410, TOKEN_USED),
    TokenStatus.SUPERSEDED: (410, TOKEN_SUPERSEDED),
}


class AccountError(Exception):
    """A request the account endpoints refuse, with its HTTP status and reasons."""

    def __init__(self, status: int, reasons: list[Reason]) -> None:
        super().__init__(", ".join(r.code for r in reasons))
        self.status = status
        self.reasons = reasons


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

    async def resend(self, username: str) -> IssuedLink:
        """A new link to the same email address on file; every older link stops working."""
        if not USERNAME.match(username):
            raise AccountError(400, [USERNAME_FORMAT.at("username")])
        account = await self._store.account(username)
        if account is None:
            raise AccountError(404, [ACCOUNT_NOT_FOUND.at("username")])
        if account.activated:
            raise AccountError(409, [ACCOUNT_ACTIVE.at("username")])
        try:
            link = await self._tokens.issue(username, account.email)
        except LinkRefused:  # activated (or its email changed) since it was read
            raise AccountError(409, [ACCOUNT_ACTIVE.at("username")]) from None
        message = new_link_email(
            sender=self._sender,
            to=account.email,
            username=username,
            link=link.url,
            expires_at=link.expires_at,
            sent_at=self._clock(),
        )
        try:
            await self._mailer.send(message)
        except MailRefused:
            raise AccountError(422, [EMAIL_REFUSED.at("email")]) from None
        log.info("account %s: new confirmation link sent", username)
        return link


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
