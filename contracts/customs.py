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
from typing import Annotated, Literal

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


DueSource = Literal["CEISA", "HUB"]
"""Whose date a deadline follows: the one CEISA stated, or the hub's own count."""


class CustomsDueDate(BaseModel):
    """One deadline as both sides count it (C16): the hub's working days and CEISA's stated day."""

    model_config = ConfigDict(frozen=True)

    hub: date = Field(description="Last day by the hub's working-day count")
    ceisa: date | None = Field(description="Last day CEISA stated in its message, if it did")
    follows: DueSource = Field(description="CEISA when it stated a day (it owns the process)")
    discrepancy: bool = Field(description="CEISA stated a day other than the hub's count")

    @property
    def due_on(self) -> date:
        """The day followed."""
        return self.ceisa if self.follows == "CEISA" and self.ceisa else self.hub


class CustomsStep(BaseModel):
    """One customs message applied to the application, in order, over every attempt."""

    model_config = ConfigDict(frozen=True)

    attempt: int = Field(ge=1, description="Which attempt of the registration it belongs to")
    message: str = Field(description="Catalogue name, e.g. proof-of-entry, reapplication")
    rule: str
    message_id: str
    on: date = Field(description="The date the message states for the act")
    stage: CustomsStage = Field(description="The stage it left the application in")
    due: dict[str, CustomsDueDate] = Field(
        default_factory=dict, description="Deadlines this step opened, by rule (working days)"
    )


NextActionCode = Literal[
    "NONE",
    "DELIVER_SUPPORTING_DOCUMENTS",
    "ANSWER_ADDITIONAL_DOCUMENTS_REQUEST",
    "REAPPLY_OR_STOP",
    "DELIVER_DATA_CHANGE_DOCUMENTS",
    "REAPPLY_DATA_CHANGE",
    "APPLY_FOR_UNBLOCK",
    "APPLY_FOR_DATA_CHANGE",
]


class NextAction(BaseModel):
    """What the trader must do next, by when, and under which rule (``NONE``: wait)."""

    model_config = ConfigDict(frozen=True)

    code: NextActionCode
    due_on: date | None = None
    rule: str | None = None


class InswDecision(BaseModel):
    """The INSW decision that started the customs process.

    CEISA only ever receives approved decisions (``adapters.ceisa``), so an
    application customs answered was approved; it is named by the
    registration message the decision produced.
    """

    model_config = ConfigDict(frozen=True)

    outcome: Literal["APPROVED"] = "APPROVED"
    registration_message_id: str | None = None


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
    interim_import: str | None = Field(
        default=None,
        description="The one import notification served before a customs id (C14, Art. 40)",
    )
    attempt: int = Field(default=1, description="The current attempt (C3/C9 reapplications)")
    due_dates: dict[str, CustomsDueDate] = Field(
        default_factory=dict,
        description="Every open deadline as the hub counts it and, for C3, C6 and C7, as CEISA "
        "stated it; the day followed is in deadlines",
    )
    insw_decision: InswDecision = Field(default_factory=InswDecision)
    steps: list[CustomsStep] = Field(default_factory=list, description="Every attempt's steps")
    next_action: NextAction = Field(default_factory=lambda: NextAction(code="NONE"))


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
    follows: DueSource = Field(
        default="HUB", description="Whose date due_on is: CEISA's stated one, or the hub's count"
    )
    hub_due_on: date | None = Field(default=None, description="The hub's working-day count")
    ceisa_due_on: date | None = Field(default=None, description="The day CEISA stated")
    discrepancy: bool = Field(default=False, description="The two days differ")


_ID = r"^[A-Za-z0-9._:-]+$"
_CODE = r"^[A-Z][A-Z0-9_]{0,63}$"


class _Command(BaseModel):
    """What every trader command carries: who it is about and its idempotency key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    command_id: str = Field(
        min_length=1,
        max_length=48,
        pattern=_ID,
        description="Chosen by the portal, unique per action: a repeat changes nothing",
    )
    submission_id: str = Field(min_length=1, max_length=64, pattern=_ID)


class SupportingDocument(BaseModel):
    """A document already in the hub's document store, sent to customs by reference."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=_CODE, description="Kind of document, e.g. AKTA_PENDIRIAN")
    document_id: str = Field(min_length=1, max_length=64, pattern=_ID)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class DeliverSupportingDocuments(_Command):
    """Deliver the Art. 6 documents of the application (C3: 10 working days from entry)."""

    kind: Literal["DELIVER_SUPPORTING_DOCUMENTS"] = "DELIVER_SUPPORTING_DOCUMENTS"
    documents: list[SupportingDocument] = Field(min_length=1, max_length=20)


class AnswerAdditionalDocuments(_Command):
    """Answer customs' request for additional documents (C6, Art. 17: 7 working days)."""

    kind: Literal["ANSWER_ADDITIONAL_DOCUMENTS"] = "ANSWER_ADDITIONAL_DOCUMENTS"
    documents: list[SupportingDocument] = Field(min_length=1, max_length=20)


DataGroup = Literal["REGISTRATION_DATA", "CUSTOMS_EXPERT", "TRANSPORT_MEANS", "OTHER"]
"""The Art. 24 group of a changed element; the first three are protected (Art. 30(2))."""


class DataChange(BaseModel):
    """One changed registration data element."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    group: DataGroup
    element: str = Field(pattern=_CODE, description="e.g. ADDRESS, RESPONSIBLE_PERSON")
    new_value: str = Field(min_length=1, max_length=512)


class NotifyDataChange(_Command):
    """Notify changed registration data of the customs id (C10, Art. 24-26)."""

    kind: Literal["NOTIFY_DATA_CHANGE"] = "NOTIFY_DATA_CHANGE"
    changes: list[DataChange] = Field(min_length=1, max_length=50)
    documents: list[SupportingDocument] = Field(default_factory=list, max_length=20)


class Reapply(_Command):
    """Apply again after a return receipt (C3, Art. 10) or a rejection (C9, Art. 22).

    Starts a new *attempt* of the same registration: customs gets a
    reapplication naming the submission and the attempt number, and the
    application's customs lifecycle starts again from SUBMITTED, keeping the
    steps of earlier attempts. Refused unless the application is RETURNED or
    REJECTED.
    """

    kind: Literal["REAPPLY"] = "REAPPLY"


class ApplyForUnblock(_Command):
    """Apply to lift a blocking of the customs id (C11, Art. 35)."""

    kind: Literal["APPLY_FOR_UNBLOCK"] = "APPLY_FOR_UNBLOCK"
    blocking_number: str = Field(min_length=1, max_length=64, pattern=_ID)
    grounds: str = Field(min_length=1, max_length=512)
    documents: list[SupportingDocument] = Field(default_factory=list, max_length=20)


TraderCommand = Annotated[
    DeliverSupportingDocuments
    | AnswerAdditionalDocuments
    | NotifyDataChange
    | ApplyForUnblock
    | Reapply,
    Field(discriminator="kind"),
]
"""``customs.trader-command.v1``: what the trader does in the customs process, one per record."""
