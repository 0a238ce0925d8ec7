"""Referred applications: officers' decisions and the 24-hour promise (R13).

* ``insw.registration.manual-decision.v1`` (consumed by the gateway): an
  officer decides an application the hub referred. The decision then flows on
  like an automatic one: decision event, email, customs.
* ``insw.referral.deadline.v1`` (produced by the gateway): a warning before an
  undecided application's 24 hours from submission are up, and an overdue
  event when they are; applications still waiting for an agency included.
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


class WaitingFor(StrEnum):
    """What an undecided application is waiting for when its deadline event is emitted."""

    AGENCIES = "AGENCIES"
    """Not every agency has answered yet; no decision was published."""
    OFFICER = "OFFICER"
    """Referred: an officer must decide."""


class ReferralDeadline(BaseModel):
    """An undecided application is about to miss, or has missed, its 24-hour deadline.

    ``deadline_at`` is 24 hours from submission (R13), whether the application
    was referred or is still waiting for an agency.
    """

    model_config = ConfigDict(frozen=True)

    submission_id: str
    kind: DeadlineKind
    deadline_at: datetime
    emitted_at: datetime
    waiting_for: WaitingFor | None = Field(
        default=None, description="Absent in events from before this field existed"
    )


class OfficerAuditKind(StrEnum):
    """What an officer did that the audit trail must show."""

    VIEWED_APPLICATION = "VIEWED_APPLICATION"
    DOWNLOADED_POWER_OF_ATTORNEY = "DOWNLOADED_POWER_OF_ATTORNEY"
