"""The gateway's two handlers: submissions in, agency answers in, decisions out.

Both take a whole batch (see :mod:`runtime.consumer` for the ack policy) and
are idempotent, keyed by submission id:

* a redelivered submission re-opens nothing (first write wins) and re-asks
  the agencies only if it has no final decision; asking twice is harmless;
* a redelivered answer overwrites the same answer;
* a decision is recorded in the store only after it is published; an
  application with a final decision is never decided again, and a REFERRED
  one is published again only when its outcome changes.

An application referred because an agency was unavailable is scheduled for
an automatic re-check (:mod:`gateway.recheck`); never approved by default.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from contracts.decision import Outcome
from contracts.registration import RegistrationSubmitted
from contracts.verification import Check, CheckOutcome, VerificationCompleted
from gateway.outcomes import ToDecide, publish_decisions
from gateway.rules.decide import decide, decide_on_form
from gateway.rules.documents import document_reasons
from gateway.rules.form import check_form, form_facts
from gateway.store import PendingApplication, RegistrationStore, Timer
from gateway.verification import REQUEST_TOPIC, required_checks
from runtime.codec import decode, encode
from runtime.consumer import HandlerResult
from runtime.documents import DocumentStore, StoredDocument
from runtime.errors import PoisonMessage
from runtime.records import Inbound, Outbound, caused_by

REQUEST_SCHEMA = "insw.verification.requested/v1"
DEFAULT_RECHECK_DELAY = timedelta(seconds=30)


class Gateway:
    """Decides registrations; depends only on a store and a clock."""

    def __init__(
        self,
        store: RegistrationStore,
        documents: DocumentStore,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        recheck_delay: timedelta = DEFAULT_RECHECK_DELAY,
    ) -> None:
        self._store = store
        self._documents = documents
        self._clock = clock
        self._recheck_delay = recheck_delay

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
        stored = await self._stored_documents(sub for _, sub in submissions.values())
        to_open: list[tuple[RegistrationSubmitted, frozenset[Check]]] = []
        to_decide: list[ToDecide] = []
        for sid, (record, sub) in submissions.items():
            if sid in done:
                continue
            form = check_form(sub, self._clock().date())
            reference = sub.attachments.power_of_attorney
            found = stored.get(reference.document_id or "") if reference else None
            document_problems = document_reasons(reference, found.sha256 if found else None)
            if document_problems:
                form = replace(form, reasons=[*form.reasons, *document_problems])
            verdict = decide_on_form(form)
            requests = [] if verdict else required_checks(sub, form)
            if verdict is None and not requests:
                verdict = decide(sub, form, {})
            if verdict is not None:
                to_decide.append(ToDecide(record, sub, form, verdict, {}, stored=False))
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
        await publish_decisions(self._store, to_decide, result, self._clock)
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
        to_decide: dict[str, ToDecide] = {}
        rechecks: dict[str, float] = {}
        for (record, answer), state in zip(answers, states, strict=True):
            sid = answer.submission_id
            if state is None:
                stray = PoisonMessage(f"no application waiting for submission {sid}")
                result.dead.append((record, stray))
            elif state.complete and not state.final:
                item = self._decide(record, state)
                if item.verdict.outcome is Outcome.REFERRED and _waits_for_an_agency(state):
                    rechecks[sid] = (self._clock() + self._recheck_delay).timestamp()
                if item.verdict.outcome is not state.last_outcome:
                    to_decide[sid] = item
        await self._store.schedule(Timer.RECHECK, list(rechecks.items()))
        await publish_decisions(self._store, list(to_decide.values()), result, self._clock)
        return result

    async def _stored_documents(
        self, submissions: Iterable[RegistrationSubmitted]
    ) -> dict[str, StoredDocument]:
        """The stored documents the submissions refer to, in one round trip."""
        ids = sorted(
            {
                ref.document_id
                for sub in submissions
                if (ref := sub.attachments.power_of_attorney) is not None and ref.document_id
            }
        )
        found = await self._documents.describe(ids)
        return {doc.document_id: doc for doc in found if doc is not None}

    @staticmethod
    def _decide(cause: Inbound, state: PendingApplication) -> ToDecide:
        form = form_facts(state.submission)
        verdict = decide(state.submission, form, state.results)
        return ToDecide(
            cause, state.submission, form, verdict, state.results, previous=state.last_outcome
        )


def _waits_for_an_agency(state: PendingApplication) -> bool:
    """True when some agency could not answer: worth asking again later."""
    return any(r.outcome is CheckOutcome.UNAVAILABLE for r in state.results.values())
