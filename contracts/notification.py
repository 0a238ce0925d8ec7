"""``insw.notification.requested.v1``: the gateway asks for the applicant's email.

Internal topic. The gateway is the only service that holds the submission, so
it issues one request per decision with the contact details the email needs;
the notifier never reads the public decision topic, and replaying that topic
cannot send mail. The value carries personal data (name, email) and so must
never be copied into logs, keys or headers.
"""

from pydantic import BaseModel, ConfigDict, Field

from contracts.decision import Outcome
from contracts.reasons import Reason


class NotificationRequested(BaseModel):
    """Send the decision email for one decision (R14 approval, R15 rejection)."""

    model_config = ConfigDict(frozen=True)

    decision_id: str = Field(description="Idempotency key: one email per decision id")
    submission_id: str
    outcome: Outcome
    reasons: list[Reason] = Field(default_factory=list)
    username: str | None = None
    applicant_name: str
    email: str
    organisation_name: str | None = None
