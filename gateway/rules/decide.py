"""The single decision: form rules first, then the agencies' facts.

``APPROVED`` only when every rule passes; ``REFERRED`` when an agency could not
give an answer (never a silent approval); ``REJECTED`` otherwise, with every
reason found.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from contracts.decision import Outcome
from contracts.reasons import Reason
from contracts.registration import RegistrationSubmitted
from contracts.verification import Check, VerificationCompleted
from gateway.rules.agency import referral_reasons, rejection_reasons
from gateway.rules.form import FormResult


@dataclass(frozen=True)
class Verdict:
    """Outcome and its reasons, before ids, times and usernames are attached."""

    outcome: Outcome
    reasons: list[Reason]


def decide_on_form(form: FormResult) -> Verdict | None:
    """A rejection when the form alone already fails; ``None`` when agencies must be asked."""
    if form.reasons:
        return Verdict(Outcome.REJECTED, list(form.reasons))
    return None


def decide(
    sub: RegistrationSubmitted,
    form: FormResult,
    results: Mapping[Check, VerificationCompleted],
) -> Verdict:
    """Decide a submission whose form passed, given every agency's answer."""
    rejections = rejection_reasons(
        results,
        applicant_name=sub.applicant.full_name or "",
        applicant_nik=form.nik,
        npwp=form.npwp,
    )
    if rejections:
        return Verdict(Outcome.REJECTED, rejections)
    referrals = referral_reasons(results)
    if referrals:
        return Verdict(Outcome.REFERRED, referrals)
    return Verdict(Outcome.APPROVED, [])
