"""An in-memory :class:`gateway.store.RegistrationStore` for unit tests.

It passes the same conformance suite as the Redis store, so tests that use it
exercise the semantics production has.
"""

from collections.abc import Sequence

from contracts.registration import RegistrationSubmitted
from contracts.verification import Check, VerificationCompleted
from gateway.store import PendingApplication


class MemoryRegistrationStore:
    """Dictionaries standing in for Redis."""

    def __init__(self) -> None:
        self.applications: dict[str, tuple[bytes, frozenset[Check], dict[Check, bytes]]] = {}
        self.decisions: dict[str, bytes] = {}
        self.usernames: dict[str, str] = {}

    async def already_decided(self, submission_ids: Sequence[str]) -> set[str]:
        """See :meth:`gateway.store.RegistrationStore.already_decided`."""
        return {sid for sid in submission_ids if sid in self.decisions}

    async def open(
        self, applications: Sequence[tuple[RegistrationSubmitted, frozenset[Check]]]
    ) -> None:
        """See :meth:`gateway.store.RegistrationStore.open`."""
        for submission, expected in applications:
            self.applications.setdefault(
                submission.submission_id, (submission.model_dump_json().encode(), expected, {})
            )

    async def record(
        self, results: Sequence[VerificationCompleted]
    ) -> list[PendingApplication | None]:
        """See :meth:`gateway.store.RegistrationStore.record`."""
        states: list[PendingApplication | None] = []
        for result in results:
            app = self.applications.get(result.submission_id)
            if app is None:
                states.append(None)
                continue
            submission, expected, answers = app
            answers[result.check] = result.model_dump_json().encode()
            decided = result.submission_id in self.decisions
            states.append(PendingApplication(submission, expected, dict(answers), decided))
        return states

    async def claim_username(self, candidates: Sequence[tuple[str, str]]) -> list[bool]:
        """See :meth:`gateway.store.RegistrationStore.claim_username`."""
        return [self.usernames.setdefault(name, sid) == sid for name, sid in candidates]

    async def mark_decided(self, decisions: Sequence[tuple[str, bytes]]) -> None:
        """See :meth:`gateway.store.RegistrationStore.mark_decided`."""
        self.decisions.update(decisions)
