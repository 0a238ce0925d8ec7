"""Referred applications: officers' decisions and the 24-hour promise (R13).

* ``insw.registration.manual-decision.v1`` (consumed by the gateway): an
  officer decides an application the hub referred. The decision then flows on
  like an automatic one: decision event, email, customs.
* ``insw.referral.deadline.v1`` (produced by the gateway): a warning before a
  referred application's 24 hours are up, and an overdue event when they are.
* ``insw.officer.audit.v1`` (produced by the officers' console): who looked at
  which application's personal data, and when.
"""

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ManualDecision(BaseModel):
    """An officer's decision on a referred application."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    submission_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    outcome: Literal["APPROVED", "REJECTED"]
    officer_id: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="Staff identifier of the deciding officer (not a name)",
    )
    note: str = Field(min_length=1, max_length=500, description="Why, in the officer's words")
    reason_codes: list[str] = Field(
        default_factory=list, description="Catalogue reason codes that apply, if any"
    )


class DeadlineKind(StrEnum):
    """Which moment of the 24-hour promise this is."""

    WARNING = "WARNING"
    OVERDUE = "OVERDUE"


class ReferralDeadline(BaseModel):
    """A referred application is about to miss, or has missed, its 24-hour deadline."""

    model_config = ConfigDict(frozen=True)

    submission_id: str
    kind: DeadlineKind
    deadline_at: datetime
    emitted_at: datetime


class OfficerAuditKind(StrEnum):
    """What an officer did that the audit trail must show."""

    VIEWED_APPLICATION = "VIEWED_APPLICATION"
    DOWNLOADED_POWER_OF_ATTORNEY = "DOWNLOADED_POWER_OF_ATTORNEY"


class OfficerAudit(BaseModel):
    """One officer's access to an application's personal data (no personal data itself)."""

    model_config = ConfigDict(frozen=True)

    kind: OfficerAuditKind
    actor: str = Field(description="The officer: the subject of their identity provider token")
    submission_id: str
    at: datetime
