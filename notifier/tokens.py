"""Confirmation tokens (R14, R16, R19): random, single use, expiring, stored as hashes.

Why hashes: a token is a bearer credential for setting the password, so a copy
of Redis must not be enough to take over an account. Tokens carry 256 bits of
randomness (:mod:`secrets`), so a plain SHA-256 is an adequate one-way hash; no
slow hash is needed for such inputs. The store keeps one *current* token per
account: issuing a new link makes every older one stop working (R19).
"""

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from notifier.store import ActivationStore, Issue, TokenCheck, TokenStatus
from runtime.errors import HubError

TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")
"""What :func:`secrets.token_urlsafe` (32 bytes) produces; anything else is unknown."""

ACTIVATION_PATH = "/accounts/password"


def new_token() -> str:
    """A fresh random token for one link."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The only form in which a token is stored or used as a key."""
    return hashlib.sha256(token.encode()).hexdigest()


def activation_link(base_url: str, token: str) -> str:
    """The link in the email: the set-password page, carrying the token."""
    return f"{base_url.rstrip('/')}{ACTIVATION_PATH}?token={quote(token, safe='')}"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class IssuedLink:
    """A link just issued: the URL for the email (never stored) and its expiry."""

    url: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class PendingLink:
    """A link made but not yet the account's current one (see :meth:`Tokens.prepare`)."""

    link: IssuedLink
    username: str
    email: str
    token_hash: str
    expires_at_ms: int


class LinkRefused(HubError):
    """No link was issued: the account is active, or the email is not the one on file."""

    def __init__(self, why: Issue) -> None:
        super().__init__(f"set-password link refused: {why.value}")
        self.why = why


class Tokens:
    """Issue, check and redeem confirmation tokens over an :class:`ActivationStore`."""

    def __init__(
        self,
        store: ActivationStore,
        *,
        base_url: str,
        ttl: timedelta,
        clock: Callable[[], datetime] = _utcnow,
        generate: Callable[[], str] = new_token,
    ) -> None:
        self._store = store
        self._base_url = base_url
        self._ttl = ttl
        self._clock = clock
        self._generate = generate

    async def issue(
        self, username: str, email: str, *, submission_id: str | None = None
    ) -> IssuedLink:
        """A new link for ``username`` bound to ``email``; older links stop working.

        Raises :class:`LinkRefused` for an account whose password is set, or
        whose email on file is not ``email`` (see ActivationStore.issue).
        ``submission_id``, the approved submission, is linked to the account
        once the link is issued (never after a refusal), so the customs
        lifecycle's emails, which name the submission, reach the email on file.
        """
        pending = self.prepare(username, email)
        await self.commit(pending)
        if submission_id is not None:
            await self._store.link_submission(submission_id, username)
        return pending.link

    def prepare(self, username: str, email: str) -> PendingLink:
        """A new link that works only once :meth:`commit` makes it current.

        Why two steps: a resend must not void the applicant's live link before
        the new email has been accepted by SMTP (issue 12): prepare, send,
        then commit.
        """
        token = self._generate()
        expires_at = self._clock() + self._ttl
        link = IssuedLink(activation_link(self._base_url, token), expires_at)
        return PendingLink(link, username, email, token_hash(token), _ms(expires_at))

    async def commit(self, pending: PendingLink) -> None:
        """Make ``pending`` the account's one current link; every older one stops working.

        Raises :class:`LinkRefused` when the store refuses (issue 11): an
        account whose password is set gets no link, and a link goes only to
        the email on file.
        """
        issued = await self._store.issue(
            pending.username, pending.email, pending.token_hash, pending.expires_at_ms
        )
        if issued is not Issue.ISSUED:
            raise LinkRefused(issued)

    async def check(self, token: str) -> TokenCheck:
        """Whether ``token`` could set a password now."""
        if not _TOKEN_SHAPE.match(token):
            return TokenCheck(TokenStatus.UNKNOWN)
        return await self._store.check(token_hash(token), _ms(self._clock()))

    async def redeem(self, token: str, password_hash: str) -> TokenCheck:
        """Use ``token`` up and store ``password_hash``, if the token is still valid."""
        if not _TOKEN_SHAPE.match(token):
            return TokenCheck(TokenStatus.UNKNOWN)
        return await self._store.redeem(token_hash(token), _ms(self._clock()), password_hash)
