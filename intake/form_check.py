"""What the intake judges before it stores anything: the form's shape and its facts.

The submission must parse as the contract (pydantic), and each identifier
and contact it gives must pass :mod:`contracts.facts`, the validators the
gateway and the notifier use too; the Surat Kuasa must be a PDF of at most
1 MB (R11). Only then is the document stored: a refused upload leaves
nothing behind. The remaining rules (trader-type matrix, business types,
consent, the agencies' answers) are the gateway's one decision.
"""

import hashlib
import json
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from contracts import facts
from contracts import reasons as rc
from contracts.reasons import ReasonCode
from contracts.registration import WITHOUT_IDENTIFIER, IdentityKind, RegistrationSubmitted
from intake.multipart import POWER_OF_ATTORNEY, SUBMISSION
from intake.pdf import pdf_problem
from intake.problems import Problem, Violation, refused
from runtime.codec import describe

PDF = "application/pdf"
_HUB_FIELDS = ("submission_id", "submitted_at", "attachments")


def submission_from(
    parts: dict[str, bytes], submission_id: str, document_id: str, received_at: datetime
) -> RegistrationSubmitted:
    """The submission to publish, or a :class:`Problem` naming every part and rule it breaks."""
    if SUBMISSION not in parts:
        raise refused(422, SUBMISSION, "HTTP", "PART_REQUIRED", "submission: part is required")
    if POWER_OF_ATTORNEY not in parts:
        raise refused(
            422,
            POWER_OF_ATTORNEY,
            "R11",
            "POWER_OF_ATTORNEY_REQUIRED",
            "power_of_attorney: part is required (R11)",
        )
    form = _json_object(parts[SUBMISSION])
    document = parts[POWER_OF_ATTORNEY]
    problem = pdf_problem(document)
    if problem is not None:
        raise refused(
            422,
            POWER_OF_ATTORNEY,
            "R11",
            "POWER_OF_ATTORNEY_NOT_PDF",
            f"power_of_attorney: {problem} (R11)",
        )
    payload = {
        **{k: v for k, v in form.items() if k not in _HUB_FIELDS},
        "submission_id": submission_id,
        "submitted_at": received_at.isoformat(),
        "attachments": {
            POWER_OF_ATTORNEY: {
                "document_id": document_id,
                "sha256": hashlib.sha256(document).hexdigest(),
                "size_bytes": len(document),
                "media_type": PDF,
            }
        },
    }
    try:
        submission = RegistrationSubmitted.model_validate(payload)
    except ValidationError as error:
        summary = describe(error)
        raise Problem(
            422,
            "submission-invalid",
            "Registration refused",
            f"submission: {summary}",
            [Violation(SUBMISSION, "CONTRACT", "SUBMISSION_INVALID")],
        ) from None
    broken = fact_violations(submission)
    if broken:
        fields = ", ".join(f"{v.field} ({v.rule})" for v in broken)
        raise Problem(
            422, "submission-facts", "Registration refused", f"submission: {fields}", broken
        )
    return submission


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        parsed = None
    if not isinstance(parsed, dict):
        raise refused(
            422, SUBMISSION, "HTTP", "SUBMISSION_NOT_JSON", "submission: must be a JSON object"
        )
    return parsed


def fact_violations(sub: RegistrationSubmitted) -> list[Violation]:
    """Identifiers and contacts that break :mod:`contracts.facts` (value-free)."""
    broken: list[Violation] = []

    def fail(code: ReasonCode, field: str) -> None:
        broken.append(Violation(SUBMISSION, code.rule, code.code, field))

    org, applicant = sub.organisation, sub.applicant
    nib, npwp = (org.nib or "").strip(), (org.npwp or "").strip()
    if nib not in ("", WITHOUT_IDENTIFIER) and not facts.is_nib(nib):
        fail(rc.NIB_FORMAT, "organisation.nib")
    if npwp not in ("", WITHOUT_IDENTIFIER) and facts.parse_npwp(npwp) is None:
        fail(rc.NPWP_FORMAT, "organisation.npwp")
    number = (applicant.identity.number or "").strip()
    if applicant.identity.kind == IdentityKind.NIK and facts.nik_problem(
        number, sub.submitted_at.date()
    ):
        fail(rc.NIK_FORMAT, "applicant.identity.number")
    if applicant.identity.kind == IdentityKind.PASSPORT and not facts.is_passport(number):
        fail(rc.PASSPORT_FORMAT, "applicant.identity.number")
    if facts.email_address(applicant.email or "") is None:
        fail(rc.EMAIL_FORMAT, "applicant.email")
    if facts.phone_e164(applicant.phone or "") is None:
        fail(rc.PHONE_FORMAT, "applicant.phone")
    return broken
