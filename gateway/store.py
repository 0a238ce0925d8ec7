"""Where the gateway keeps applications between asking the agencies and deciding.

The port is :class:`RegistrationStore`; :class:`RedisRegistrationStore` is the
real one, :class:`MemoryRegistrationStore` the fake for unit tests. Both pass
the same conformance suite (``tests/store_conformance.py``).

Every method takes a whole batch so the Redis implementation pays one round
trip per batch, not per message.

An application's life: opened when agencies are asked; answers recorded;
decided. ``REFERRED`` is a decision but not a final one: the application stays
open for automatic re-checks and for an officer, until ``APPROVED`` or
``REJECTED`` closes it.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from contracts.decision import Outcome
from contracts.registration import RegistrationSubmitted
from contracts.verification import Check, VerificationCompleted

FINAL_OUTCOMES = frozenset({Outcome.APPROVED, Outcome.REJECTED})


@dataclass
class PendingApplication:
    """An application waiting for agency answers or for a final decision, as stored (JSON).

    Parsing is deferred: most answers leave their application incomplete, and
    only a complete one needs its submission and answers as models.
    """

    submission_json: bytes
    expected: frozenset[Check]
    answers_json: dict[Check, bytes] = field(default_factory=dict)
    last_outcome: Outcome | None = None

    @property
    def complete(self) -> bool:
        """Every agency that was asked has answered."""
        return self.expected <= self.answers_json.keys()

    @property
    def final(self) -> bool:
        """A final decision (approved or rejected) was published."""
        return self.last_outcome in FINAL_OUTCOMES

    @cached_property
    def submission(self) -> RegistrationSubmitted:
        """The stored submission."""
        return RegistrationSubmitted.model_validate_json(self.submission_json)

    @cached_property
    def results(self) -> dict[Check, VerificationCompleted]:
        """The stored answers, by check."""
        return {
            check: VerificationCompleted.model_validate_json(raw)
            for check, raw in self.answers_json.items()
        }


@dataclass(frozen=True)
class PublishedDecision:
    """What is remembered of a decision once it is on the topic."""

    submission_id: str
    outcome: Outcome
    decision_json: bytes


class RegistrationStore(Protocol):
    """State of applications in flight, and the record of what was decided."""

    async def already_decided(self, submission_ids: Sequence[str]) -> set[str]:
        """Those of ``submission_ids`` whose final decision was published already."""

    async def open(
        self, applications: Sequence[tuple[RegistrationSubmitted, frozenset[Check]]]
    ) -> None:
        """Start waiting for answers; re-opening keeps the first submission (idempotent)."""

    async def record(
        self, results: Sequence[VerificationCompleted]
    ) -> list[PendingApplication | None]:
        """Store answers and return, per answer, the application as it stands.

        The state returned for an answer includes that answer and every earlier
        one; it may include later answers of the same batch too, and the last
        answer of an application in the batch always sees them all. ``None``
        means no application is waiting under that submission id.
        """

    async def load(self, submission_ids: Sequence[str]) -> list[PendingApplication | None]:
        """The applications as stored, ``None`` for unknown ids."""

    async def claim_username(self, candidates: Sequence[tuple[str, str]]) -> list[bool]:
        """Claim ``(username, submission_id)`` pairs; True where the name is (now) that id's."""

    async def mark_decided(self, decisions: Sequence[PublishedDecision]) -> None:
        """Record decisions once published; a final one also cancels pending re-checks."""

    async def schedule_recheck(self, due: Sequence[tuple[str, float]]) -> None:
        """Ask again at ``due`` (epoch seconds); an earlier time already set wins."""

    async def due_rechecks(self, now: float, *, lease_seconds: float, limit: int) -> list[str]:
        """Re-checks due by ``now``, each leased until ``now + lease_seconds``.

        The lease keeps a crashed poller's work from being lost (it comes due
        again) and another poller from taking it meanwhile.
        """
