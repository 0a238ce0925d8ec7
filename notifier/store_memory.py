"""In-memory fakes of the notifier's ports, for unit tests.

They pass the same conformance suite as the Redis implementations, so tests
that use them exercise the semantics production has.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from notifier.store import Account, Claim, Issue, TokenCheck, TokenStatus

SENT = "sent"


class MemoryMailLedger:
    """A dictionary of decision id -> (owner or "sent", lease deadline)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.records: dict[str, tuple[str, float | None]] = {}

    async def claim(self, decision_id: str, owner: str, lease_ms: int) -> Claim:
        """See :meth:`notifier.store.MailLedger.claim`."""
        now = self._clock()
        held = self.records.get(decision_id)
        if held is not None:
            value, deadline = held
            if value == SENT:
                return Claim.SENT
            if value != owner and (deadline is None or deadline > now):
                return Claim.BUSY
        self.records[decision_id] = (owner, now + lease_ms / 1000)
        return Claim.CLAIMED

    async def mark_sent(self, decision_id: str) -> None:
        """See :meth:`notifier.store.MailLedger.mark_sent`."""
        self.records[decision_id] = (SENT, None)

    async def release(self, decision_id: str, owner: str) -> None:
        """See :meth:`notifier.store.MailLedger.release`."""
        held = self.records.get(decision_id)
        if held is not None and held[0] == owner:
            del self.records[decision_id]


@dataclass
class _Token:
    username: str
    email: str
    expires_at_ms: int
    used: bool = False


@dataclass
class _Account:
    email: str
    current: str | None
    password_hash: str | None = None


class MemoryActivationStore:
    """Dictionaries standing in for Redis hashes."""

    def __init__(self) -> None:
        self.tokens: dict[str, _Token] = {}
        self.accounts: dict[str, _Account] = {}
        self.submissions: dict[str, str] = {}

    async def issue(self, username: str, email: str, token_hash: str, expires_at_ms: int) -> Issue:
        """See :meth:`notifier.store.ActivationStore.issue`."""
        known = self.accounts.get(username)
        if known is not None and known.password_hash is not None:
            return Issue.ACTIVE
        if known is not None and known.email != email:
            return Issue.EMAIL_MISMATCH
        self.tokens[token_hash] = _Token(username, email, expires_at_ms)
        if known is None:
            self.accounts[username] = _Account(email, token_hash)
        else:
            known.current = token_hash
        return Issue.ISSUED

    async def change_email(self, username: str, email: str) -> bool:
        """See :meth:`notifier.store.ActivationStore.change_email`."""
        known = self.accounts.get(username)
        if known is None:
            return False
        known.email, known.current = email, None
        return True

    async def account(self, username: str) -> Account | None:
        """See :meth:`notifier.store.ActivationStore.account`."""
        known = self.accounts.get(username)
        if known is None:
            return None
        return Account(username, known.email, activated=known.password_hash is not None)

    async def link_submission(self, submission_id: str, username: str) -> None:
        """See :meth:`notifier.store.ActivationStore.link_submission`."""
        self.submissions[submission_id] = username

    async def account_of_submission(self, submission_id: str) -> Account | None:
        """See :meth:`notifier.store.ActivationStore.account_of_submission`."""
        name = self.submissions.get(submission_id)
        return None if name is None else await self.account(name)

    async def check(self, token_hash: str, now_ms: int) -> TokenCheck:
        """See :meth:`notifier.store.ActivationStore.check`."""
        token = self.tokens.get(token_hash)
        if token is None:
            return TokenCheck(TokenStatus.UNKNOWN)
        if token.used:
            return TokenCheck(TokenStatus.USED, token.username)
        if now_ms >= token.expires_at_ms:
            return TokenCheck(TokenStatus.EXPIRED, token.username)
        known = self.accounts.get(token.username)
        if known is None or known.current != token_hash or known.email != token.email:
            return TokenCheck(TokenStatus.SUPERSEDED, token.username)
        return TokenCheck(TokenStatus.VALID, token.username)

    async def redeem(self, token_hash: str, now_ms: int, password_hash: str) -> TokenCheck:
        """See :meth:`notifier.store.ActivationStore.redeem`."""
        found = await self.check(token_hash, now_ms)
        if found.status is TokenStatus.VALID and found.username is not None:
            self.tokens[token_hash].used = True
            known = self.accounts[found.username]
            known.current, known.password_hash = None, password_hash
        return found
