"""``insw.registration.decided.v1``: the one decision per submission.

Customs systems and integrators consume this topic. An approved decision
carries the registration summary customs needs to open its own process, so a
consumer never has to call back into the hub.
"""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from contracts.reasons import Reason
from contracts.verification import Check, CheckOutcome


class Outcome(StrEnum):
    """The single decision of the single window."""

    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    REFERRED = "REFERRED"


class AgencyCheckResult(BaseModel):
    """What one agency check contributed to the decision."""

    model_config = ConfigDict(frozen=True)

    check: Check
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


class RegistrationDecided(BaseModel):
    """The decision event.

    ``decision_id`` is derived from the submission and the rules version, so a
    redelivered decision has the same id and consumers can drop the copy.
    """

    model_config = ConfigDict(frozen=True)

    decision_id: str
    submission_id: str
    outcome: Outcome
    reasons: list[Reason] = Field(default_factory=list)
    checks: list[AgencyCheckResult] = Field(default_factory=list)
    rules_version: str
    decided_at: datetime
    username: str | None = None
    registration: RegistrationSummary | None = None
