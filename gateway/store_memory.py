"""An in-memory :class:`gateway.store.RegistrationStore` for unit tests.

It passes the same conformance suite as the Redis store, so tests that use it
exercise the semantics production has.
"""

from collections.abc import Sequence

from contracts.decision import Outcome
from contracts.registration import RegistrationSubmitted
from contracts.verification import AgencyAnswer
from gateway.rules.assess import Assessment, question_of
from gateway.store import FINAL_OUTCOMES, PendingApplication, PublishedDecision, Timer


class MemoryRegistrationStore:
    """Dictionaries standing in for Redis."""

    def __init__(self) -> None:
        self.applications: dict[str, tuple[bytes, bytes, dict[str, bytes]]] = {}
        self.outcomes: dict[str, Outcome] = {}
        self.deadlines: dict[str, float] = {}
        self.decisions: dict[str, bytes] = {}
        self.usernames: dict[str, str] = {}
        self.timers: dict[Timer, dict[str, float]] = {timer: {} for timer in Timer}

    async def already_decided(self, submission_ids: Sequence[str]) -> set[str]:
        """See :meth:`gateway.store.RegistrationStore.already_decided`."""
        return {sid for sid in submission_ids if sid in self.decisions}

    async def open(self, applications: Sequence[tuple[RegistrationSubmitted, Assessment]]) -> None:
        """See :meth:`gateway.store.RegistrationStore.open`."""
        for submission, assessment in applications:
            self.applications.setdefault(
                submission.submission_id,
                (
                    submission.model_dump_json().encode(),
                    assessment.model_dump_json().encode(),
                    {},
                ),
            )

    def _state(self, submission_id: str) -> PendingApplication | None:
        app = self.applications.get(submission_id)
        if app is None:
            return None
        submission, assessment, answers = app
        return PendingApplication(
            submission,
            frozenset(Assessment.model_validate_json(assessment).questions.values()),
            assessment,
            dict(answers),
            self.outcomes.get(submission_id),
            self.deadlines.get(submission_id),
        )

    async def record(self, results: Sequence[AgencyAnswer]) -> list[PendingApplication | None]:
        """See :meth:`gateway.store.RegistrationStore.record`."""
        states: list[PendingApplication | None] = []
        for result in results:
            app = self.applications.get(result.submission_id)
            if app is not None:
                app[2][question_of(result)] = result.model_dump_json().encode()
            states.append(self._state(result.submission_id))
        return states

    async def load(self, submission_ids: Sequence[str]) -> list[PendingApplication | None]:
        """See :meth:`gateway.store.RegistrationStore.load`."""
        return [self._state(sid) for sid in submission_ids]

    async def claim_username(self, candidates: Sequence[tuple[str, str]]) -> list[bool]:
        """See :meth:`gateway.store.RegistrationStore.claim_username`."""
        return [self.usernames.setdefault(name, sid) == sid for name, sid in candidates]

    async def mark_decided(self, decisions: Sequence[PublishedDecision]) -> None:
        """See :meth:`gateway.store.RegistrationStore.mark_decided`."""
        for decision in decisions:
            self.outcomes[decision.submission_id] = decision.outcome
            if decision.deadline_at is not None:
                first = self.deadlines.get(decision.submission_id, decision.deadline_at)
                self.deadlines[decision.submission_id] = min(first, decision.deadline_at)
            if decision.outcome in FINAL_OUTCOMES:
                self.decisions[decision.submission_id] = decision.decision_json
                if decision.had_timers:
                    for pending in self.timers.values():
                        pending.pop(decision.submission_id, None)

    async def schedule(self, timer: Timer, due: Sequence[tuple[str, float]]) -> None:
        """See :meth:`gateway.store.RegistrationStore.schedule`."""
        pending = self.timers[timer]
        for sid, when in due:
            pending[sid] = min(when, pending.get(sid, when))

    async def due(self, timer: Timer, now: float, *, lease_seconds: float, limit: int) -> list[str]:
        """See :meth:`gateway.store.RegistrationStore.due`."""
        pending = self.timers[timer]
        ready = sorted((when, sid) for sid, when in pending.items() if when <= now)[:limit]
        for _, sid in ready:
            pending[sid] = now + lease_seconds
        return [sid for _, sid in ready]

    async def cancel(self, timer: Timer, submission_ids: Sequence[str]) -> None:
        """See :meth:`gateway.store.RegistrationStore.cancel`."""
        for sid in submission_ids:
            self.timers[timer].pop(sid, None)

    async def final_decisions(self, submission_ids: Sequence[str]) -> list[bytes | None]:
        """See :meth:`gateway.store.RegistrationStore.final_decisions`."""
        return [self.decisions.get(sid) for sid in submission_ids]

    async def referrals(self, limit: int) -> list[tuple[str, float]]:
        """See :meth:`gateway.store.RegistrationStore.referrals`."""
        waiting = [
            (sid, self.deadlines[sid])
            for sid, outcome in self.outcomes.items()
            if outcome is Outcome.REFERRED and sid in self.deadlines
        ]
        return sorted(waiting, key=lambda item: (item[1], item[0]))[:limit]
