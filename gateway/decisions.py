"""Turning a verdict into the published decision event."""

import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta

from contracts.decision import AgencyCheckResult, Outcome, RegistrationDecided, RegistrationSummary
from contracts.registration import RegistrationSubmitted
from contracts.verification import Check, VerificationCompleted
from gateway.rules import RULES_VERSION
from gateway.rules.decide import Verdict
from gateway.rules.explain import explain
from gateway.rules.form import FormResult

AGENCY = {Check.NIB: "OSS", Check.NPWP: "DJP", Check.NIK: "DUKCAPIL"}


REFERRAL_DEADLINE = timedelta(hours=24)
"""R13: approval or rejection within 1x24 hours; officers' deadline for referred applications."""


def decision_id(submission_id: str, outcome: Outcome, rules_version: str = RULES_VERSION) -> str:
    """Deterministic: the same submission, outcome and rules give the same id on redelivery."""
    key = f"{submission_id}|{outcome.value}|{rules_version}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def build_decision(
    sub: RegistrationSubmitted,
    form: FormResult,
    verdict: Verdict,
    results: Mapping[Check, VerificationCompleted],
    *,
    decided_at: datetime,
    username: str | None,
    decided_by: str | None = None,
) -> RegistrationDecided:
    """The decision event; approvals carry what customs needs to open its process."""
    approved = verdict.outcome is Outcome.APPROVED
    referred = verdict.outcome is Outcome.REFERRED
    return RegistrationDecided(
        decision_id=decision_id(sub.submission_id, verdict.outcome),
        submission_id=sub.submission_id,
        outcome=verdict.outcome,
        reasons=verdict.reasons,
        checks=[
            AgencyCheckResult(check=check, agency=AGENCY[check], outcome=result.outcome)
            for check, result in sorted(results.items())
        ],
        rules_version=RULES_VERSION,
        decided_at=decided_at,
        username=username if approved else None,
        registration=_summary(sub, form, results) if approved else None,
        rules=explain(verdict, results, agencies_asked=not form.reasons),
        deadline_at=decided_at + REFERRAL_DEADLINE if referred else None,
        decided_by=decided_by,
    )


def _summary(
    sub: RegistrationSubmitted, form: FormResult, results: Mapping[Check, VerificationCompleted]
) -> RegistrationSummary:
    org, applicant = sub.organisation, sub.applicant
    document = sub.attachments.power_of_attorney
    assert document is not None  # an approved form always has its Surat Kuasa (R11)
    return RegistrationSummary(
        trader_type=org.trader_type or "",
        organisation_name=(org.name or "").strip(),
        nib=form.nib,
        npwp=_npwp16(form, results),
        business_types=list(org.business_types),
        address=(org.address or "").strip(),
        applicant_name=(applicant.full_name or "").strip(),
        applicant_position=(applicant.position or "").strip(),
        power_of_attorney_id=document.document_id or "",
        power_of_attorney_sha256=(document.sha256 or "").lower(),
    )


def _npwp16(form: FormResult, results: Mapping[Check, VerificationCompleted]) -> str | None:
    """The 16-digit NPWP for customs: DJP's when it answered, else the organisation form."""
    answer = results.get(Check.NPWP)
    if answer is not None and answer.npwp_record is not None:
        return answer.npwp_record.npwp
    return form.npwp.canonical if form.npwp else None
