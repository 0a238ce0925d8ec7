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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Protocol

from contracts.agencies import SHIPPED, Agencies
from contracts.decision import Outcome
from contracts.registration import RegistrationSubmitted
from contracts.verification import AgencyAnswer
from gateway.rules.assess import Assessment, question_of

FINAL_OUTCOMES = frozenset({Outcome.APPROVED, Outcome.REJECTED})


class Timer(StrEnum):
    """Things the gateway must do later for an application that is not closed yet."""

    RECHECK = "recheck"
    """Ask an agency that was unavailable again."""
    DEADLINE_WARNING = "deadline-warning"
    """Warn officers that an open application's 24 hours from submission are nearly up (R13)."""
    DEADLINE_OVERDUE = "deadline-overdue"
    """Tell officers that an open application's 24 hours from submission are up (R13)."""


def _as_stored(value: bytes) -> bytes:
    return value


@dataclass
class PendingApplication:
    """An application waiting for agency answers or for a final decision, as stored (JSON).

    Parsing is deferred: most answers leave their application incomplete, and
    only a complete one needs its submission and answers as models. So is
    opening: a store that seals values at rest passes them sealed with
    ``opened``, and only what is read gets decrypted.
    """

    stored_submission: bytes
    expected: frozenset[str]
    """The ids of the questions asked when the application was opened (kept apart from the
    assessment: read on every answer). Answers are filed by the question they answer."""
    stored_assessment: bytes
    stored_answers: dict[str, bytes] = field(default_factory=dict)
    last_outcome: Outcome | None = None
    deadline_at: float | None = None
    """When an officer must have decided, while the application is referred (epoch s)."""
    filed_as: Callable[[str], str] = str
    """How the store names a question id in ``expected`` and ``stored_answers`` (the Redis
    store keys them with an HMAC, so a question id, which hashes an identifier, never rests
    in the clear)."""
    opened: Callable[[bytes], bytes] = _as_stored
    """How the stored submission, assessment and answers read as JSON (the Redis store's
    at-rest key ring opens them)."""

    @cached_property
    def submission_json(self) -> bytes:
        """The submission as JSON."""
        return self.opened(self.stored_submission)

    @cached_property
    def assessment_json(self) -> bytes:
        """The assessment as JSON."""
        return self.opened(self.stored_assessment)

    @cached_property
    def assessment(self) -> Assessment:
        """What the gateway assessed when it opened the application: the identifiers asked."""
        return Assessment.model_validate_json(self.assessment_json)

    def asked(self, answer: AgencyAnswer) -> bool:
        """``answer`` is about a question this application asked (its check and identifier)."""
        return self.filed_as(question_of(answer)) in self.expected

    @property
    def complete(self) -> bool:
        """Every agency that was asked has answered."""
        return self.expected <= self.stored_answers.keys()

    @property
    def final(self) -> bool:
        """A final decision (approved or rejected) was published."""
        return self.last_outcome in FINAL_OUTCOMES

    @cached_property
    def submission(self) -> RegistrationSubmitted:
        """The stored submission."""
        return RegistrationSubmitted.model_validate_json(self.submission_json)

    def answers(self, agencies: Agencies = SHIPPED) -> dict[str, AgencyAnswer]:
        """The answers to the questions asked, by check, each read with its agency's model."""
        found = {}
        for question in self.expected:
            raw = self.stored_answers.get(question)
            if raw is not None:
                answer = agencies.decode_answer(self.opened(raw))
                found[answer.check] = answer
        return found


@dataclass(frozen=True)
class PublishedDecision:
    """What is remembered of a decision once it is on the topic."""

    submission_id: str
    outcome: Outcome
    decision_json: bytes
    deadline_at: float | None = None
    stored: bool = True
    """The application was opened in the store; one decided at intake has nothing to update."""
    had_timers: bool = False
    """It was opened (R13 timers run from submission) or referred before, so timers may be
    set that a final decision must clear."""


class RegistrationStore(Protocol):
    """State of applications in flight, and the record of what was decided."""

    async def already_decided(self, submission_ids: Sequence[str]) -> set[str]:
        """Those of ``submission_ids`` whose final decision was published already."""

    async def open(self, applications: Sequence[tuple[RegistrationSubmitted, Assessment]]) -> None:
        """Start waiting for answers; re-opening keeps the first submission (idempotent).

        The assessment is kept with the submission, so later decisions read
        the identifiers that were asked instead of deriving them again.
        """

    async def record(self, results: Sequence[AgencyAnswer]) -> list[PendingApplication | None]:
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
        """Record decisions once published; a final one also cancels every timer."""

    async def schedule(self, timer: Timer, due: Sequence[tuple[str, float]]) -> None:
        """Set ``timer`` for submissions at ``due`` (epoch seconds); an earlier time wins."""

    async def due(self, timer: Timer, now: float, *, lease_seconds: float, limit: int) -> list[str]:
        """Submissions whose ``timer`` is due by ``now``, each leased until ``now + lease``.

        The lease keeps a crashed poller's work from being lost (it comes due
        again) and another poller from taking it meanwhile.
        """

    async def cancel(self, timer: Timer, submission_ids: Sequence[str]) -> None:
        """Clear ``timer`` for these submissions (its work is done)."""

    async def final_decisions(self, submission_ids: Sequence[str]) -> list[bytes | None]:
        """The final decision published for each id (its JSON), ``None`` where there is none."""

    async def referrals(self, limit: int) -> list[tuple[str, float]]:
        """Referred applications still waiting for an officer, soonest deadline first.

        ``(submission_id, deadline_at)`` pairs (epoch seconds): the officers' queue.
        Kept apart from the deadline timers, which are cleared once their event is
        published, so an overdue application stays in the queue until decided.
        """
