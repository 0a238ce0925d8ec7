"""The gateway's two handlers: submissions in, agency answers in, decisions out.

Both take a whole batch (see :mod:`runtime.consumer` for the ack policy) and
are idempotent, keyed by submission id:

* a redelivered submission re-opens nothing (first write wins) and re-asks
  the agencies only if it is still undecided; asking twice is harmless;
* a redelivered answer overwrites the same answer;
* a decision is recorded in the store only after it is published, and a
  submission with a recorded decision is never decided again.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

from contracts import topics
from contracts.decision import Outcome, RegistrationDecided
from contracts.notification import NotificationRequested
from contracts.registration import RegistrationSubmitted
from contracts.verification import Check, VerificationCompleted
from gateway import usernames
from gateway.decisions import build_decision
from gateway.rules.decide import Verdict, decide, decide_on_form
from gateway.rules.form import FormResult, check_form, form_facts
from gateway.store import RegistrationStore
from gateway.verification import REQUEST_TOPIC, required_checks
from runtime.codec import decode, encode
from runtime.consumer import HandlerResult
from runtime.errors import PoisonMessage
from runtime.records import Inbound, Outbound, caused_by

DECISION_SCHEMA = "insw.registration.decided/v1"
REQUEST_SCHEMA = "insw.verification.requested/v1"
NOTIFICATION_SCHEMA = "insw.notification.requested/v1"

Decided = tuple[
    Inbound, RegistrationSubmitted, FormResult, Verdict, dict[Check, VerificationCompleted]
]


class Gateway:
    """Decides registrations; depends only on a store and a clock."""

    def __init__(
        self, store: RegistrationStore, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._store = store
        self._clock = clock

    def _today(self) -> date:
        return self._clock().date()

    async def on_submissions(self, batch: Sequence[Inbound]) -> HandlerResult:
        """Validate each submission; reject on the form, or ask the agencies."""
        result = HandlerResult()
        submissions: dict[str, tuple[Inbound, RegistrationSubmitted]] = {}
        for record in batch:
            try:
                sub = decode(RegistrationSubmitted, record.value)
            except PoisonMessage as error:
                result.dead.append((record, error))
                continue
            submissions.setdefault(sub.submission_id, (record, sub))
        done = await self._store.already_decided(list(submissions))
        to_open: list[tuple[RegistrationSubmitted, frozenset[Check]]] = []
        to_decide: list[Decided] = []
        for sid, (record, sub) in submissions.items():
            if sid in done:
                continue
            form = check_form(sub, self._today())
            verdict = decide_on_form(form)
            requests = [] if verdict else required_checks(sub, form)
            if verdict is None and not requests:
                verdict = decide(sub, form, {})
            if verdict is not None:
                to_decide.append((record, sub, form, verdict, {}))
                continue
            to_open.append((sub, frozenset(r.check for r in requests)))
            result.outbound += [
                Outbound(
                    REQUEST_TOPIC[r.check],
                    sid.encode(),
                    encode(r),
                    caused_by(record, correlation_id=sid, schema=REQUEST_SCHEMA),
                )
                for r in requests
            ]
        await self._store.open(to_open)
        await self._publish_decisions(to_decide, result)
        return result

    async def on_results(self, batch: Sequence[Inbound]) -> HandlerResult:
        """Store each agency answer; decide every application whose answers are all in."""
        result = HandlerResult()
        answers: list[tuple[Inbound, VerificationCompleted]] = []
        for record in batch:
            try:
                answers.append((record, decode(VerificationCompleted, record.value)))
            except PoisonMessage as error:
                result.dead.append((record, error))
        states = await self._store.record([answer for _, answer in answers])
        to_decide: dict[str, Decided] = {}
        for (record, answer), state in zip(answers, states, strict=True):
            if state is None:
                result.dead.append(
                    (
                        record,
                        PoisonMessage(
                            f"no application waiting for submission {answer.submission_id}"
                        ),
                    )
                )
            elif state.complete and not state.decided:
                form = form_facts(state.submission)
                verdict = decide(state.submission, form, state.results)
                to_decide[answer.submission_id] = (
                    record,
                    state.submission,
                    form,
                    verdict,
                    state.results,
                )
        await self._publish_decisions(list(to_decide.values()), result)
        return result

    @staticmethod
    def _notification(
        record: Inbound, sub: RegistrationSubmitted, event: RegistrationDecided
    ) -> Outbound:
        """Ask the notifier to email the applicant; only REFERRED waits for an officer."""
        request = NotificationRequested(
            decision_id=event.decision_id,
            submission_id=event.submission_id,
            outcome=event.outcome,
            reasons=event.reasons,
            username=event.username,
            applicant_name=(sub.applicant.full_name or "").strip(),
            email=(sub.applicant.email or "").strip(),
            organisation_name=(sub.organisation.name or "").strip() or None,
        )
        return Outbound(
            topics.NOTIFICATION_REQUESTED,
            sub.submission_id.encode(),
            encode(request),
            caused_by(record, correlation_id=sub.submission_id, schema=NOTIFICATION_SCHEMA),
        )

    async def _publish_decisions(self, decided: list[Decided], result: HandlerResult) -> None:
        approved = [
            sub.submission_id for _, sub, _, v, _ in decided if v.outcome is Outcome.APPROVED
        ]
        names = await usernames.allocate(self._store, approved)
        now = self._clock()
        events: list[RegistrationDecided] = []
        for record, sub, form, verdict, answers in decided:
            event = build_decision(
                sub, form, verdict, answers, decided_at=now, username=names.get(sub.submission_id)
            )
            events.append(event)
            result.outbound.append(self._notification(record, sub, event))
            result.outbound.append(
                Outbound(
                    topics.REGISTRATION_DECIDED,
                    sub.submission_id.encode(),
                    encode(event),
                    caused_by(record, correlation_id=sub.submission_id, schema=DECISION_SCHEMA),
                )
            )
        if events:

            async def remember() -> None:
                await self._store.mark_decided([(e.submission_id, encode(e)) for e in events])

            result.after_publish.append(remember)
