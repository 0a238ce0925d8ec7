"""The notifier's two ports: the mail ledger (one email per decision) and activations.

:class:`MailLedger` is the idempotency record behind "no email twice";
:class:`ActivationStore` keeps confirmation links (as hashes) and accounts.
Each has a Redis implementation and an in-memory fake; both pass one
conformance suite (``tests/unit/test_notifier_stores.py``), so the fake cannot
drift from production. Keys hold a decision id, a username or a token hash,
never personal data.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Claim(StrEnum):
    """What :meth:`MailLedger.claim` found."""

    CLAIMED = "CLAIMED"
    """Nobody sent this decision's email and nobody is sending it: the caller may send."""
    SENT = "SENT"
    """Already sent: skip it."""
    BUSY = "BUSY"
    """Another owner holds the lease: try again later (after it expires, if that one died)."""


class MailLedger(Protocol):
    """One record per decision id: unclaimed, claimed by an owner (with a lease) or sent."""

    async def claim(self, decision_id: str, owner: str, lease_ms: int) -> Claim:
        """Atomically take the lease on ``decision_id`` unless it is sent or leased by another.

        An owner's own lease is its to take again (and renew): an owner is
        one process that never runs two attempts at one decision at once, so
        a lease it still holds is one it failed to release (Redis was down),
        and waiting for it to expire would only delay the email.
        """
        ...

    async def mark_sent(self, decision_id: str) -> None:
        """Record for good that the email was accepted by the SMTP server."""
        ...

    async def release(self, decision_id: str, owner: str) -> None:
        """Drop ``owner``'s lease (the send failed); someone else's lease is left alone."""
        ...


class TokenStatus(StrEnum):
    """Why a confirmation token can or cannot be used."""

    VALID = "VALID"
    UNKNOWN = "UNKNOWN"
    EXPIRED = "EXPIRED"
    USED = "USED"
    SUPERSEDED = "SUPERSEDED"
    """A newer link was sent (R19): every older link stops working."""


class Issue(StrEnum):
    """What :meth:`ActivationStore.issue` did."""

    ISSUED = "ISSUED"
    ACTIVE = "ACTIVE"
    """Refused: the account's password is set; no link is ever issued for it again."""
    EMAIL_MISMATCH = "EMAIL_MISMATCH"
    """Refused: the account exists with another email; links go only to the email on file."""


@dataclass(frozen=True, slots=True)
class TokenCheck:
    """A token's status and, when known, the username it is bound to."""

    status: TokenStatus
    username: str | None = None


@dataclass(frozen=True, slots=True)
class Account:
    """An approved account as the notifier knows it: where its links go, and if activated."""

    username: str
    email: str
    activated: bool


class ActivationStore(Protocol):
    """Accounts and their confirmation tokens, stored by hash only."""

    async def issue(self, username: str, email: str, token_hash: str, expires_at_ms: int) -> Issue:
        """Make ``token_hash`` the one current link of ``username``, bound to ``email``.

        Every older token of the account stops working (R19). Creates the
        account with ``email`` when there is none. Never rewrites the email
        on file and never issues a link for an account whose password is set
        (issue 11: a forged notification could otherwise take an account
        over): those are refused, atomically with the check.
        """
        ...

    async def change_email(self, username: str, email: str) -> bool:
        """Replace the email on file (operators only); every link issued so far stops working.

        False when there is no such account.
        """
        ...

    async def account(self, username: str) -> Account | None:
        """The account, or None if no approval email ever created it."""
        ...

    async def link_submission(self, submission_id: str, username: str) -> None:
        """Remember that ``submission_id`` was approved as ``username`` (idempotent).

        The customs lifecycle names applications by submission id and never
        holds an address: its email requests reach the trader through this
        link to the account, and so through the email on file (issue 13).
        """
        ...

    async def account_of_submission(self, submission_id: str) -> Account | None:
        """The account approved for ``submission_id``, or None if no approval named it."""
        ...

    async def check(self, token_hash: str, now_ms: int) -> TokenCheck:
        """Whether the token could be redeemed now (no change)."""
        ...

    async def redeem(self, token_hash: str, now_ms: int, password_hash: str) -> TokenCheck:
        """Atomically: if the token is valid, use it up and store the password hash."""
        ...
