"""The hub's view of a customs application (PER-21/BC/2011), as published to integrators.

* ``customs.application.status.v1`` (compacted, keyed by submission id): the
  application's status after every change customs reported, so the latest
  record per key is its current status;
* ``customs.deadline.v1``: a PER-21 deadline (counted in working days, C16) is
  approaching or has passed.

Both carry ids, codes, activities and dates only: no personal data.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CustomsStage = Literal[
    "SUBMITTED",
    "ENTERED",
    "RETURNED",
    "RECEIPTED",
    "DOCUMENTS_REQUESTED",
    "ACCEPTED",
    "REJECTED",
    "REVOKED",
]
"""Where an application stands in the PER-21 process (mirrors ``customs.state.Stage``)."""


class CustomsReason(BaseModel):
    """One reason customs gave for a rejection, a return or a measure."""

    model_config = ConfigDict(frozen=True)

    code: str
    text: str
    legal_basis: str | None = None


class CustomsBlocking(BaseModel):
    """A blocking in force (C11): its number and the activities it covers."""

    model_config = ConfigDict(frozen=True)

    number: str
    activities: list[str]


class CustomsApplicationStatus(BaseModel):
    """The status of one customs application after the last message customs sent about it."""

    model_config = ConfigDict(frozen=True)

    submission_id: str
    stage: CustomsStage
    version: int = Field(description="How many customs messages have been applied so far")
    message_id: str = Field(description="MessageId of the CEISA message applied last")
    message: str = Field(description="Its catalogue name, e.g. acceptance or blocking")
    rule: str = Field(description="The PER-21 rule that message carries out (C2 to C12)")
    customs_id: str | None = Field(description="Customs identity number, once accepted (C8)")
    activities: list[str] = Field(description="Activities applied for (C1)")
    approved: list[str] = Field(description="Activities the customs id was issued for (C8)")
    active: list[str] = Field(description="Approved activities neither blocked nor revoked")
    blocked: list[str] = Field(description="Activities under a blocking (C11)")
    revoked: list[str] = Field(description="Activities revoked (C12)")
    blockings: list[CustomsBlocking]
    reasons: list[CustomsReason] = Field(
        description="Reasons the last applied message gave (rejection, return, measure)"
    )
    deadlines: dict[str, date] = Field(
        description="Open deadlines by rule (C3, C6, C7, C14, C10/documents, C10/decision, "
        "C10/reapply, C11/<blocking number>): the last day that still counts"
    )
    updated_at: datetime


class DeadlineMoment(StrEnum):
    """Which moment of a deadline this event is about."""

    APPROACHING = "APPROACHING"
    PASSED = "PASSED"


class CustomsDeadline(BaseModel):
    """A PER-21 deadline of one application is approaching or has passed."""

    model_config = ConfigDict(frozen=True)

    submission_id: str
    rule: str = Field(
        description="C3, C6, C7, C14, C10/documents, C10/decision, C10/reapply or C11/<blocking>"
    )
    moment: DeadlineMoment
    due_on: date = Field(description="The last working day of the period")
    emitted_at: datetime
