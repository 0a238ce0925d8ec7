"""The gateway's two handlers: submissions in, agency answers in, decisions out.

Both take a whole batch of decoded records (see :mod:`runtime.typed` and
:mod:`runtime.consumer` for decoding and the ack policy) and are idempotent,
keyed by submission id:

* a redelivered submission re-opens nothing (first write wins) and re-asks
  the agencies only if it has no final decision; asking twice is harmless;
* a redelivered answer overwrites the same answer;
* a decision is recorded in the store only after it is published; an
  application with a final decision is never decided again, and a REFERRED
  one is published again only when its outcome changes.

Because of that, a batch that only asks the agencies (:meth:`Gateway.only_questions`)
or only records answers (:meth:`Gateway.only_receipts`) commits at least once:
read again, it changes nothing but its audit receipts. A batch that decides
commits in a Kafka transaction (``runtime.at_least_once.PerBatchDelivery``).

An application referred because an agency was unavailable is scheduled for
an automatic re-check (:mod:`gateway.recheck`); never approved by default.
Both paths decide with the one pipeline of :mod:`gateway.rules.pipeline`.
"""

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from contracts.audit import AuditKind
from contracts.channels import request_channel
from contracts.decision import Outcome
from contracts.registration import RegistrationSubmitted
from contracts.topics import AUDIT
from contracts.verification import AgencyAnswer, CheckOutcome
from gateway.decisions import ToDecide, promise_timers, publish_decisions
from gateway.rules.assess import Assessment, question_of, verification_requests
from gateway.rules.documents import StoredFacts
from gateway.rules.pipeline import SHIPPED_RULES, Rulebook
from gateway.store import PendingApplication, RegistrationStore, Timer
from runtime.audit import audit_event
from runtime.consumer import HandlerResult
from runtime.documents import DocumentStore
from runtime.errors import PoisonMessage
from runtime.records import Inbound, Outbound
from runtime.signing import SignatureInvalid

log = logging.getLogger(__name__)

DEFAULT_RECHECK_DELAY = timedelta(seconds=30)


def ask(
    cause: Inbound | None,
    assessment: Assessment,
    rulebook: Rulebook,
    only: frozenset[str] | None = None,
) -> list[Outbound]:
    """The verification requests for an assessed submission (``only`` those checks)."""
    return [
        Outbound.of(
            request_channel(spec), request, cause=cause, correlation_id=assessment.submission_id
        )
        for spec, request in verification_requests(assessment, rulebook.agencies, only)
    ]


class Gateway:
    """Decides registrations; depends only on a store, a document store, a clock and the rules."""

    def __init__(
        self,
        store: RegistrationStore,
        documents: DocumentStore,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        recheck_delay: timedelta = DEFAULT_RECHECK_DELAY,
        rulebook: Rulebook = SHIPPED_RULES,
    ) -> None:
        self._store = store
        self._documents = documents
        self._clock = clock
        self._recheck_delay = recheck_delay
        self.rulebook = rulebook
        self._question_topics = rulebook.agencies.request_topics()
        self.strays = 0
        """Answers dropped because no question of an open application matches them."""

    async def on_submissions(
        self, batch: Sequence[tuple[Inbound, RegistrationSubmitted]]
    ) -> HandlerResult:
        """Assess each submission; reject or refer at once, or ask the agencies."""
        result = HandlerResult()
        submissions: dict[str, tuple[Inbound, RegistrationSubmitted]] = {}
        for record, sub in batch:
            submissions.setdefault(sub.submission_id, (record, sub))
        done = await self._store.already_decided(list(submissions))
        stored = await self._stored_documents(sub for _, sub in submissions.values())
        today = self._clock().date()
        to_open: list[tuple[RegistrationSubmitted, Assessment]] = []
        to_decide: list[ToDecide] = []
        for sid, (record, sub) in submissions.items():
            if sid in done:
                continue
            assessment = self.rulebook.assess(sub, today, stored)
            if not assessment.checks_needed:
                verdict = self.rulebook.decide(assessment, {})
                # A referral at intake is opened too: an officer must find it, and R13's
                # clock must run for it like for any other undecided application.
                keep = verdict.outcome is Outcome.REFERRED
                if keep:
                    to_open.append((sub, assessment))
                to_decide.append(ToDecide(record, sub, assessment, verdict, {}, stored=keep))
                continue
            to_open.append((sub, assessment))
            result.outbound += ask(record, assessment, self.rulebook)
        await self._store.open(to_open)
        # R13 runs from submission: an application waiting for its agencies is on the clock.
        for timer, due in promise_timers([sub for sub, _ in to_open]).items():
            await self._store.schedule(timer, due)
        await publish_decisions(self._store, to_decide, result, self._clock, self.rulebook)
        return result

    async def on_results(self, batch: Sequence[tuple[Inbound, AgencyAnswer]]) -> HandlerResult:
        """Store each agency answer; decide every application whose answers are all in.

        An answer counts only when signed by the adapter that owns its check
        (``AgencySpec.signer``): the runtime verified the signature, this
        checks the signer's right to this check. Anything else, unsigned
        included, is dead-lettered with ``SIGNATURE_INVALID`` before the store
        sees it.
        """
        result = HandlerResult()
        owned: list[tuple[Inbound, AgencyAnswer]] = []
        for record, answer in batch:
            refusal = self._not_owner(record, answer)
            if refusal is None:
                owned.append((record, answer))
            else:
                result.dead.append((record, refusal))
        batch = owned
        states = await self._store.record([answer for _, answer in batch])
        complete: dict[str, tuple[Inbound, PendingApplication]] = {}
        for (record, answer), state in zip(batch, states, strict=True):
            sid = answer.submission_id
            if state is None:
                stray = PoisonMessage(f"no application waiting for submission {sid}")
                result.dead.append((record, stray))
                continue
            if not state.asked(answer) or answer.request_id != question_of(answer):
                # A stray (another check, an identifier never asked, or a request id that
                # is not the question's) is filed apart by the store or ignored by the
                # rules (accepted_answers): it never completes or decides an application.
                self.strays += 1
                log.warning(
                    "answer dropped: %s for %s answers no question asked (%d so far)",
                    answer.check,
                    sid,
                    self.strays,
                )
                continue
            result.outbound.append(_accepted(record, answer))
            if state.complete and not state.final:
                # Decided once per batch, caused by its last answer: every answer of one
                # application in a batch shares the state the store read for the batch.
                complete[sid] = (record, state)
        to_decide: dict[str, ToDecide] = {}
        rechecks: dict[str, float] = {}
        for sid, (record, state) in complete.items():
            item = self._decide(record, state)
            if item.verdict.outcome is Outcome.REFERRED and _waits_for_an_agency(item):
                rechecks[sid] = (self._clock() + self._recheck_delay).timestamp()
            if item.verdict.outcome is not state.last_outcome:
                to_decide[sid] = item
        await self._store.schedule(Timer.RECHECK, list(rechecks.items()))
        await publish_decisions(
            self._store, list(to_decide.values()), result, self._clock, self.rulebook
        )
        return result

    def only_questions(self, records: Sequence[Outbound]) -> bool:
        """Whether a batch's outputs only ask the agencies: its intake may commit at least once.

        A question asked twice is answered twice, and :meth:`on_results`
        drops the second answer (an answer overwrites its field; an
        application is decided once). A batch that also decides at intake, or
        parks or dead-letters a record, commits in a transaction.
        """
        questions = self._question_topics
        return all(record.topic in questions for record in records)

    def only_receipts(self, records: Sequence[Outbound]) -> bool:
        """Whether an answers batch decided nothing: it may commit at least once.

        Such a batch writes the answers to the store and one
        ``ANSWER_ACCEPTED`` audit entry each, nothing else. Read again after a
        crash, it writes the same answers and a second entry for each (the
        audit trail then says the answer arrived twice, which it did). A batch
        with a decision, or a record parked or dead-lettered, commits in a
        transaction.
        """
        return all(record.topic == AUDIT for record in records)

    def _not_owner(self, record: Inbound, answer: AgencyAnswer) -> SignatureInvalid | None:
        """Why the answer's signer may not answer its check, or None when it may."""
        agencies = self.rulebook.agencies
        owner = agencies.spec(answer.check).signer if answer.check in agencies else None
        if owner is None or record.signer != owner:
            return SignatureInvalid(
                f"signer {record.signer or 'none'} does not answer check {answer.check}"
            )
        return None

    async def _stored_documents(
        self, submissions: Iterable[RegistrationSubmitted]
    ) -> dict[str, StoredFacts]:
        """What the document store holds for the submissions' documents, in one round trip."""
        ids = sorted(
            {
                ref.document_id
                for sub in submissions
                if (ref := sub.attachments.power_of_attorney) is not None and ref.document_id
            }
        )
        found = await self._documents.describe(ids)
        return {
            doc.document_id: StoredFacts(doc.sha256, doc.media_type)
            for doc in found
            if doc is not None
        }

    def _decide(self, cause: Inbound, state: PendingApplication) -> ToDecide:
        answers = state.answers(self.rulebook.agencies)
        verdict = self.rulebook.decide(state.assessment, answers)
        return ToDecide(
            cause,
            state.submission,
            state.assessment,
            verdict,
            answers,
            previous=state.last_outcome,
        )


def _accepted(record: Inbound, answer: AgencyAnswer) -> Outbound:
    """The audit entry of an answer the gateway took into an application."""
    return audit_event(
        AuditKind.ANSWER_ACCEPTED,
        answer.submission_id,
        actor=record.signer or "",
        cause=record,
        details={
            "check": str(answer.check),
            "outcome": answer.outcome.value,
            "request_id": answer.request_id or "",
        },
    )


def _waits_for_an_agency(item: ToDecide) -> bool:
    """True when some agency could not answer: worth asking again later."""
    return any(a.outcome is CheckOutcome.UNAVAILABLE for a in item.answers.values())
