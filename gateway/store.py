"""Where the gateway keeps applications between asking the agencies and deciding.

The port is :class:`RegistrationStore`; :class:`RedisRegistrationStore` is the
real one, :class:`MemoryRegistrationStore` the fake for unit tests. Both pass
the same conformance suite (``tests/store_conformance.py``).

Every method takes a whole batch so the Redis implementation pays one round
trip per batch, not per message.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from contracts.registration import RegistrationSubmitted
from contracts.verification import Check, VerificationCompleted


@dataclass
class PendingApplication:
    """An application waiting for agency answers, as stored (JSON).

    Parsing is deferred: most answers leave their application incomplete, and
    only a complete one needs its submission and answers as models.
    """

    submission_json: bytes
    expected: frozenset[Check]
    answers_json: dict[Check, bytes] = field(default_factory=dict)
    decided: bool = False

    @property
    def complete(self) -> bool:
        """Every agency that was asked has answered."""
        return self.expected <= self.answers_json.keys()

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


class RegistrationStore(Protocol):
    """State of applications in flight, and the record of what was decided."""

    async def already_decided(self, submission_ids: Sequence[str]) -> set[str]:
        """Those of ``submission_ids`` whose decision was published already."""

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

    async def claim_username(self, candidates: Sequence[tuple[str, str]]) -> list[bool]:
        """Claim ``(username, submission_id)`` pairs; True where the name is (now) that id's."""

    async def mark_decided(self, decisions: Sequence[tuple[str, bytes]]) -> None:
        """Record ``(submission_id, decision_json)`` once the decision is published."""
