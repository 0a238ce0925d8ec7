"""The audit trail's records (``insw.audit.v1``): what changed an outcome, chained and signed.

An :class:`AuditEvent` says what happened (an agency answer accepted, an
officer's action, a decision, a customs response), about which submission,
by whom and because of which message. It never holds personal data: ids,
outcomes and codes only (officer ids are staff identifiers, not applicants').

An :class:`AuditEntry` is an event as written: the writer's chain id, its
sequence number in that chain and the SHA-256 of the chain's previous entry
value (``prev``), so removing, reordering or altering any entry breaks the
link after it. The record is signed by its writer (``insw-signature``).
"""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

GENESIS = "0" * 64
"""``prev`` of the first entry of a chain."""


class AuditKind(StrEnum):
    """What kind of outcome-changing event an entry records."""

    ANSWER_ACCEPTED = "ANSWER_ACCEPTED"
    OFFICER_ACTION = "OFFICER_ACTION"
    OFFICER_VIEW = "OFFICER_VIEW"
    DECISION = "DECISION"
    CUSTOMS_RESPONSE = "CUSTOMS_RESPONSE"
    ACCOUNT_EMAIL_CHANGED = "ACCOUNT_EMAIL_CHANGED"


class AuditEvent(BaseModel):
    """One event: free of personal data (ids, outcomes, codes)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: AuditKind
    subject: str = Field(max_length=200)
    """The submission id the event is about (or another non-personal id)."""
    actor: str = Field(max_length=200)
    """Who caused it: a signer (``adapter-oss-nib``, ``ceisa``) or an officer id."""
    at: datetime
    cause: str | None = Field(default=None, max_length=200)
    """The message id of the record that caused the event."""
    details: dict[str, str] = Field(default_factory=dict)
    """Non-personal facts: ``check``, ``outcome``, ``decision_id``, ``message``…"""


class AuditEntry(BaseModel):
    """An event as chained by its writer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    chain: str
    """The writer's chain id (its transactional id): one live writer per chain."""
    seq: int = Field(ge=0)
    prev: str = Field(pattern=r"^[0-9a-f]{64}$")
    event: AuditEvent
