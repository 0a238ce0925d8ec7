"""From verdicts to published records: the decision event and the email request.

Kept apart from the handlers so the submission path, the answer path, the
re-check poller and officers' manual decisions all publish decisions the same
way, and the store learns of a decision only after it is on the topic.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from contracts import topics
from contracts.decision import Outcome, RegistrationDecided
from contracts.notification import NotificationRequested
from contracts.registration import RegistrationSubmitted
from contracts.verification import Check, VerificationCompleted
from gateway import usernames
from gateway.decisions import build_decision
from gateway.rules.decide import Verdict
from gateway.rules.form import FormResult
from gateway.store import PublishedDecision, RegistrationStore, Timer
from runtime.codec import encode
from runtime.consumer import HandlerResult
from runtime.records import Inbound, Outbound, caused_by

DECISION_SCHEMA = "insw.registration.decided/v1"
NOTIFICATION_SCHEMA = "insw.notification.requested/v1"


@dataclass(frozen=True)
class ToDecide:
    """One application ready to be decided, with what caused the decision."""

    cause: Inbound | None
    submission: RegistrationSubmitted
    form: FormResult
    verdict: Verdict
    answers: dict[Check, VerificationCompleted]
    decided_by: str | None = None
    stored: bool = True
    """The application is in the store (it was opened); False when decided at intake."""
    previous: Outcome | None = None
    """The outcome already published for it, if any (REFERRED before a final decision)."""


REFERRAL_WARNING_LEAD = timedelta(hours=4)
"""How long before a referred application's deadline officers are warned (R13)."""


async def publish_decisions(
    store: RegistrationStore,
    decided: Sequence[ToDecide],
    result: HandlerResult,
    clock: Callable[[], datetime],
    warning_lead: timedelta = REFERRAL_WARNING_LEAD,
) -> list[RegistrationDecided]:
    """Add decision events and email requests to ``result``; remember them once published.

    A new referral also sets the 24-hour promise's two timers (warning and
    overdue), only once its decision is on the topic.
    """
    approved = [
        d.submission.submission_id for d in decided if d.verdict.outcome is Outcome.APPROVED
    ]
    names = await usernames.allocate(store, approved)
    now = clock()
    events: list[RegistrationDecided] = []
    for item in decided:
        sid = item.submission.submission_id
        event = build_decision(
            item.submission,
            item.form,
            item.verdict,
            item.answers,
            decided_at=now,
            username=names.get(sid),
            decided_by=item.decided_by,
        )
        events.append(event)
        headers = caused_by(item.cause, correlation_id=sid, schema=DECISION_SCHEMA)
        result.outbound.append(
            Outbound(topics.REGISTRATION_DECIDED, sid.encode(), encode(event), headers)
        )
        result.outbound.append(_email_request(item.cause, item.submission, event))
    if events:
        published = [
            PublishedDecision(
                e.submission_id,
                e.outcome,
                encode(e),
                e.deadline_at.timestamp() if e.deadline_at else None,
                stored=item.stored,
                had_timers=item.previous is Outcome.REFERRED,
            )
            for e, item in zip(events, decided, strict=True)
        ]
        referred = [(p.submission_id, p.deadline_at) for p in published if p.deadline_at]
        lead = warning_lead.total_seconds()

        async def remember() -> None:
            await store.mark_decided(published)
            await store.schedule(Timer.DEADLINE_WARNING, [(sid, at - lead) for sid, at in referred])
            await store.schedule(Timer.DEADLINE_OVERDUE, referred)

        result.after_publish.append(remember)
    return events


def _email_request(
    cause: Inbound | None, sub: RegistrationSubmitted, event: RegistrationDecided
) -> Outbound:
    """Ask the notifier to email the applicant (it decides what REFERRED warrants)."""
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
    sid = sub.submission_id
    return Outbound(
        topics.NOTIFICATION_REQUESTED,
        sid.encode(),
        encode(request),
        caused_by(cause, correlation_id=sid, schema=NOTIFICATION_SCHEMA),
    )
