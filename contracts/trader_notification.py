"""``customs.trader-notification.requested.v1``: the customs service asks for the trader's email.

Internal topic. The customs lifecycle service is the one that knows what
customs said and which deadlines run, so it issues one request per customs
event the trader must act on or know about (proof of entry, TTP-RK, a
request for additional documents, acceptance, rejection, return, blocking,
unblocking, a refused unblock application, revocation, a data change's
receipt and outcome, a site check's result with any notice to apply for a
data change, and deadline warnings). The value carries ids, codes,
activities and dates only: the notifier finds the address itself, in the
account the approval email created for the submission, so no address ever
travels here.
"""

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from contracts.customs import CustomsReason


class TraderNotice(StrEnum):
    """What the email tells the trader; one template per member (``notifier.trader_emails``)."""

    ENTRY_PROVED = "ENTRY_PROVED"
    TTP_RK_ISSUED = "TTP_RK_ISSUED"
    DOCUMENTS_REQUESTED = "DOCUMENTS_REQUESTED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    RETURNED = "RETURNED"
    BLOCKED = "BLOCKED"
    UNBLOCKED = "UNBLOCKED"
    UNBLOCK_REFUSED = "UNBLOCK_REFUSED"
    REVOKED = "REVOKED"
    CHANGE_RECEIPTED = "CHANGE_RECEIPTED"
    CHANGE_APPROVED = "CHANGE_APPROVED"
    CHANGE_REJECTED = "CHANGE_REJECTED"
    SITE_CHECK_RECORDED = "SITE_CHECK_RECORDED"
    DEADLINE_APPROACHING = "DEADLINE_APPROACHING"
    DEADLINE_PASSED = "DEADLINE_PASSED"


class TraderNotificationRequested(BaseModel):
    """Email the trader about one customs event of one application."""

    model_config = ConfigDict(frozen=True)

    notification_id: str = Field(
        description="Idempotency key: the CEISA MessageId of the event, or for a deadline "
        "warning <submission id>|<rule>|<last day>|<moment>; one email per id"
    )
    submission_id: str
    notice: TraderNotice
    rule: str = Field(description="The PER-21 rule the event carries out (C2 to C14)")
    on: date = Field(description="The day of the event (customs' date, or the due day)")
    customs_id: str | None = None
    activities: list[str] = Field(
        default_factory=list,
        description="The activities concerned: approved, blocked, unblocked or revoked",
    )
    reasons: list[CustomsReason] = Field(default_factory=list)
    due_rule: str | None = Field(default=None, description="The deadline the trader must meet")
    due_on: date | None = Field(default=None, description="Its last day (still counts)")
