"""The bodies of the hub's HTTP endpoints, as models: what the OpenAPI documents publish.

Why here: the Kafka contract's models live in this package and the AsyncAPI
document is generated from them; the HTTP endpoints' bodies were plain dicts
in each service, so nothing tied a published description to what is sent.
The services build their answers with these models and ``docs/openapi/*.json``
is generated from them (``python -m devstack.openapi``), so the two cannot part.
"""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.reasons import PASSWORD_MAX_LENGTH, Reason

PASSWORD_MIN_LENGTH = 6
"""R18: at least six characters (with a symbol, a digit and a capital letter)."""


class Violation(BaseModel):
    """One broken rule of a refused request: where (part, field) and which (rule, code)."""

    part: str = Field(description="Multipart part, header (<request>) or <body>")
    rule: str = Field(description="R1 to R19, or HTTP for the protocol's own rules")
    code: str = Field(description="Stable reason code")
    field: str | None = Field(default=None, description="Dotted path inside the part")


class Problem(BaseModel):
    """An RFC 9457 problem: every 4xx and 5xx of the intake and the officers' API."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="URI naming the kind of problem (an identifier, not fetched)")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str = Field(description="Names fields and rules, never a value sent")
    errors: list[Violation] | None = Field(
        default=None, description="Intake: one entry per broken rule"
    )
    rule: str | None = Field(default=None, description="Officers' API: the rule broken")


class Receipt(BaseModel):
    """Proof that the intake received a registration and its Surat Kuasa."""

    receipt_id: str
    received_at: datetime
    document_id: str
    document_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    document_size: int = Field(ge=1)


class RegistrationAccepted(BaseModel):
    """``POST /registrations`` answer (201 first time, 200 for a repeated Idempotency-Key)."""

    submission_id: str
    receipt: Receipt


class AccountErrors(BaseModel):
    """Every refusal of the account endpoints: the shape of a decision's reasons."""

    errors: list[Reason]


class SetPassword(BaseModel):
    """``POST /accounts/password``: the emailed token and the new password (R18)."""

    token: str = Field(min_length=1)
    password: str = Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)


class PasswordSet(BaseModel):
    """The account is active."""

    username: str
    activated: Literal[True]


class ResendRequest(BaseModel):
    """``POST /accounts/activation-link`` (JSON or an HTML form post)."""

    username: str = Field(min_length=1)


class ResendAnswer(BaseModel):
    """One answer whatever the username (R19): it never tells whether the account exists."""

    accepted: Literal[True]
    text_id: str
    text_en: str


class EmailChange(BaseModel):
    """``POST /operator/accounts/{username}/email``: the new email on file, and who asked."""

    email: str = Field(min_length=1)
    operator_id: str = Field(min_length=1)


class EmailChanged(BaseModel):
    """The email on file was changed (after the audit entry was written)."""

    username: str
    changed: Literal[True]


class Health(BaseModel):
    """The process serves HTTP."""

    status: Literal["ok"]


class Ready(BaseModel):
    """Every dependency answers."""

    status: Literal["ready"]


class OfficerDecision(BaseModel):
    """``POST /referrals/{submission_id}/decision``: only these fields; the officer is the token."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal["APPROVED", "REJECTED"]
    note: str = Field(min_length=1, max_length=500, description="Why, in the officer's words")
    reason_codes: list[str] = Field(default_factory=list)


class DecisionAccepted(BaseModel):
    """The decision was put on ``insw.registration.manual-decision.v1``."""

    submission_id: str
    status: Literal["accepted"]
    decided_by: str = Field(description="The token's subject")


class ReferralLine(BaseModel):
    """One referred application and its 24-hour clock (R13)."""

    submission_id: str
    deadline_at: datetime
    seconds_left: int
    overdue: bool


class ReferralQueue(BaseModel):
    """``GET /referrals``: soonest deadline first."""

    referrals: list[ReferralLine]


class ActAccepted(BaseModel):
    """A customs officer's act (C13, C14) was put on ``customs.officer-command.v1``."""

    command_id: str = Field(
        description="Derived from the officer and the act: the same POST again gives the same id, "
        "and the customs service records it once"
    )
    submission_id: str
    status: Literal["accepted"]
    recorded_by: str = Field(description="The token's subject")
