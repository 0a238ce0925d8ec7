"""``insw.registration.decided.v1``: the one decision per submission.

Customs systems and integrators consume this topic. An approved decision
carries the registration summary customs needs to open its own process, so a
consumer never has to call back into the hub.
"""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from contracts.reasons import Reason
from contracts.registration import CustomsExpert, TransportMeans
from contracts.verification import CheckOutcome


class Outcome(StrEnum):
    """The single decision of the single window."""

    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    REFERRED = "REFERRED"


class AgencyCheckResult(BaseModel):
    """What one agency check contributed to the decision."""

    model_config = ConfigDict(frozen=True)

    check: str
    agency: str
    outcome: CheckOutcome


class RegistrationSummary(BaseModel):
    """The approved registration as customs needs it (no identity numbers)."""

    model_config = ConfigDict(frozen=True)

    trader_type: str
    organisation_name: str
    nib: str | None
    npwp: str | None
    business_types: list[str]
    address: str
    applicant_name: str
    applicant_position: str
    power_of_attorney_id: str
    power_of_attorney_sha256: str
    customs_expert: CustomsExpert | None = Field(
        default=None, description="A PPJK's customs expert, as checked (C5, Art. 15(3))"
    )
    transport_means: list[TransportMeans] = Field(
        default_factory=list, description="A carrier's transport means, as checked (C5, Art. 15(4))"
    )


class RuleStatus(StrEnum):
    """How one rule fared for this submission."""

    PASSED = "PASSED"
    FAILED = "FAILED"
    UNDECIDED = "UNDECIDED"


class RuleResult(BaseModel):
    """One rule of the registration manual, applied to this submission."""

    model_config = ConfigDict(frozen=True)

    rule: str
    status: RuleStatus


class RegistrationDecided(BaseModel):
    """The decision event.

    ``decision_id`` is derived from the submission, the rules version and the
    outcome, so a redelivered decision has the same id and consumers can drop
    the copy, while a REFERRED application that is later approved or rejected
    gets a second, distinct decision. ``rules`` says which rules were applied
    and how each fared; ``deadline_at`` is when an officer must have decided a
    REFERRED application (R13: 1x24 hours); ``decided_by`` names the officer
    for manual decisions.
    """

    model_config = ConfigDict(frozen=True)

    decision_id: str
    submission_id: str
    outcome: Outcome
    reasons: list[Reason] = Field(default_factory=list)
    checks: list[AgencyCheckResult] = Field(default_factory=list)
    rules_version: str
    decided_at: datetime
    rules: list[RuleResult] = Field(default_factory=list)
    username: str | None = None
    registration: RegistrationSummary | None = None
    deadline_at: datetime | None = None
    decided_by: str | None = None
    warnings: list[Reason] = Field(default_factory=list)
    """Signals that neither reject nor refer (an NIK region code the hub's table lacks):
    for officers and integrators to see, never a reason for the outcome."""
