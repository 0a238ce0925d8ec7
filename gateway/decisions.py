"""From verdicts to published records: the decision event and the email request.

The submission path, the answer path, the re-check poller and officers'
manual decisions all publish decisions here, the same way, and the store
learns of a decision only after it is on the topic.
"""

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from contracts import channels, signers
from contracts.audit import AuditKind
from contracts.decision import AgencyCheckResult, Outcome, RegistrationDecided, RegistrationSummary
from contracts.notification import NotificationRequested
from contracts.registration import RegistrationSubmitted
from contracts.verification import AgencyAnswer, Check, NpwpAnswer
from gateway import usernames
from gateway.rules import RULES_VERSION
from gateway.rules.assess import Assessment
from gateway.rules.customs_data import normalised_expert, normalised_means
from gateway.rules.decide import Verdict, accepted_answers
from gateway.rules.identifiers import parse_npwp
from gateway.rules.pipeline import Rulebook
from gateway.store import PublishedDecision, RegistrationStore, Timer
from runtime import metrics
from runtime.audit import audit_event
from runtime.consumer import HandlerResult
from runtime.records import Inbound, Outbound

REFERRAL_DEADLINE = timedelta(hours=24)
"""R13: approval or rejection within 1x24 hours of submitting (manual §6, "setelah Submit")."""

REFERRAL_WARNING_LEAD = timedelta(hours=4)
"""How long before an open application's deadline officers are warned (R13)."""


def promise_deadline(submission: RegistrationSubmitted) -> datetime:
    """When the applicant must have an answer: 24 hours from submission, not from any referral.

    The manual promises the answer "setelah Submit … maksimal 1x24 jam", so time
    spent waiting for an agency or an officer is already part of the 24 hours.
    """
    return submission.submitted_at + REFERRAL_DEADLINE


def promise_timers(
    submissions: Sequence[RegistrationSubmitted], warning_lead: timedelta = REFERRAL_WARNING_LEAD
) -> dict[Timer, list[tuple[str, float]]]:
    """The R13 warning and overdue timers of applications that are not decided yet."""
    due = [(s.submission_id, promise_deadline(s).timestamp()) for s in submissions]
    lead = warning_lead.total_seconds()
    return {
        Timer.DEADLINE_WARNING: [(sid, at - lead) for sid, at in due],
        Timer.DEADLINE_OVERDUE: due,
    }


def decision_id(submission_id: str, outcome: Outcome, rules_version: str = RULES_VERSION) -> str:
    """Deterministic: the same submission, outcome and rules give the same id on redelivery."""
    key = f"{submission_id}|{outcome.value}|{rules_version}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class ToDecide:
    """One application ready to be decided, with what caused the decision."""

    cause: Inbound | None
    submission: RegistrationSubmitted
    assessment: Assessment
    verdict: Verdict
    answers: Mapping[str, AgencyAnswer]
    decided_by: str | None = None
    stored: bool = True
    """The application is in the store (it was opened); False when decided at intake."""
    previous: Outcome | None = None
    """The outcome already published for it, if any (REFERRED before a final decision)."""


def build_decision(
    item: ToDecide, rulebook: Rulebook, *, decided_at: datetime, username: str | None
) -> RegistrationDecided:
    """The decision event; approvals carry what customs needs to open its process."""
    verdict, assessment = item.verdict, item.assessment
    approved = verdict.outcome is Outcome.APPROVED
    referred = verdict.outcome is Outcome.REFERRED
    answered = accepted_answers(assessment, item.answers)
    agencies = rulebook.agencies
    return RegistrationDecided(
        decision_id=decision_id(item.submission.submission_id, verdict.outcome),
        submission_id=item.submission.submission_id,
        outcome=verdict.outcome,
        reasons=verdict.reasons,
        checks=[
            AgencyCheckResult(
                check=check, agency=agencies.spec(check).agency, outcome=answered[check].outcome
            )
            for check in sorted(answered, key=agencies.order)
        ],
        rules_version=RULES_VERSION,
        decided_at=decided_at,
        username=username if approved else None,
        registration=_summary(item.submission, assessment, answered) if approved else None,
        rules=rulebook.explain(verdict, assessment, item.answers),
        deadline_at=promise_deadline(item.submission) if referred else None,
        decided_by=item.decided_by,
        warnings=list(assessment.warnings),
    )


def _summary(
    sub: RegistrationSubmitted, assessment: Assessment, answers: Mapping[str, AgencyAnswer]
) -> RegistrationSummary:
    org, applicant = sub.organisation, sub.applicant
    document = sub.attachments.power_of_attorney
    assert document is not None  # an approved form always has its Surat Kuasa (R11)
    return RegistrationSummary(
        trader_type=org.trader_type or "",
        organisation_name=(org.name or "").strip(),
        nib=assessment.identifiers.get(Check.NIB),
        npwp=_npwp16(assessment, answers),
        business_types=list(org.business_types),
        address=(org.address or "").strip(),
        applicant_name=(applicant.full_name or "").strip(),
        applicant_position=(applicant.position or "").strip(),
        power_of_attorney_id=document.document_id or "",
        power_of_attorney_sha256=(document.sha256 or "").lower(),
        customs_expert=normalised_expert(org.customs_expert),
        transport_means=normalised_means(org.transport_means),
    )


def _npwp16(assessment: Assessment, answers: Mapping[str, AgencyAnswer]) -> str | None:
    """The 16-digit NPWP for customs: DJP's when it answered, else the organisation form."""
    answer = answers.get(Check.NPWP)
    if isinstance(answer, NpwpAnswer) and answer.npwp_record is not None:
        return answer.npwp_record.npwp
    asked = assessment.identifiers.get(Check.NPWP)
    parsed = parse_npwp(asked) if asked else None
    return parsed.canonical if parsed else None


async def publish_decisions(
    store: RegistrationStore,
    decided: Sequence[ToDecide],
    result: HandlerResult,
    clock: Callable[[], datetime],
    rulebook: Rulebook,
    *,
    warning_lead: timedelta = REFERRAL_WARNING_LEAD,
) -> list[RegistrationDecided]:
    """Add decision events and email requests to ``result``; remember them once published.

    A new referral also sets the 24-hour promise's two timers (warning and
    overdue, counted from submission), only once its decision is on the topic;
    an application opened for the agencies has them already (an earlier time wins).
    """
    approved = [
        d.submission.submission_id for d in decided if d.verdict.outcome is Outcome.APPROVED
    ]
    names = await usernames.allocate(store, approved)
    now = clock()
    events: list[RegistrationDecided] = []
    encoded: list[bytes] = []
    for item in decided:
        sid = item.submission.submission_id
        event = build_decision(item, rulebook, decided_at=now, username=names.get(sid))
        events.append(event)
        encoded.append(event.model_dump_json().encode())  # once: published and remembered
        result.outbound.append(
            Outbound.of(
                channels.REGISTRATION_DECIDED, encoded[-1], cause=item.cause, correlation_id=sid
            )
        )
        result.outbound.append(_email_request(item.cause, item.submission, event))
        result.outbound.append(_decision_audit(item, event))
    if events:
        published = [
            PublishedDecision(
                e.submission_id,
                e.outcome,
                value,
                e.deadline_at.timestamp() if e.deadline_at else None,
                stored=item.stored,
                had_timers=item.stored,
            )
            for e, value, item in zip(events, encoded, decided, strict=True)
        ]
        referred = [
            item.submission
            for e, item in zip(events, decided, strict=True)
            if e.outcome is Outcome.REFERRED
        ]

        async def remember() -> None:
            await store.mark_decided(published)
            for timer, due in promise_timers(referred, warning_lead).items():
                await store.schedule(timer, due)

        result.after_publish.append(lambda: count_decisions(events))
        result.after_publish.append(remember)
    return events


async def count_decisions(events: Sequence[RegistrationDecided]) -> None:
    """Decisions by outcome and reason code, once they are on the topic (metrics)."""
    for event in events:
        for code in [r.code for r in event.reasons] or [metrics.NO_REASON]:
            metrics.DECISIONS.labels(event.outcome.value, code).inc()


def _decision_audit(item: ToDecide, event: RegistrationDecided) -> Outbound:
    """The audit entry of a decision: by the gateway's rules, or by the officer named."""
    return audit_event(
        AuditKind.DECISION,
        event.submission_id,
        actor=item.decided_by or signers.GATEWAY,
        cause=item.cause,
        details={
            "decision_id": event.decision_id,
            "outcome": event.outcome.value,
            "rules_version": event.rules_version,
            "reasons": ",".join(r.code for r in event.reasons),
        },
        at=event.decided_at,
    )


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
    return Outbound.of(
        channels.NOTIFICATION_REQUESTED, request, cause=cause, correlation_id=sub.submission_id
    )
