"""What customs tells us about an application, as plain past-tense facts.

Each event mirrors one CEISA message (``contracts.xml_messages``) reduced to
what the lifecycle needs; the mapping from XML to these is the future CEISA
consumer's job. Dates are calendar dates in Indonesia, as in the messages.
"""

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Scope:
    """The activities a blocking, unblocking or revocation covers (C11, C12): some, or all."""

    activities: frozenset[str] = frozenset()
    all_activities: bool = False

    def resolve(self, held: frozenset[str]) -> frozenset[str]:
        """The concrete activities meant, given those the customs id ``held``."""
        return held if self.all_activities else self.activities


ALL = Scope(all_activities=True)


def only(*activities: str) -> Scope:
    """A scope of the named activities."""
    return Scope(frozenset(activities))


@dataclass(frozen=True)
class EntryProved:
    """Proof of entry (C2, Art. 5): the documents clock (C3) starts."""

    on: date


@dataclass(frozen=True)
class ReturnedForLateDocuments:
    """Return receipt (C3, Art. 9): documents missing after 10 working days."""

    on: date


@dataclass(frozen=True)
class TtpRkIssued:
    """TTP-RK (C4, Art. 8): documents complete; the decision clock (C7) starts."""

    on: date


@dataclass(frozen=True)
class AdditionalDocumentsRequested:
    """Request for additional documents (C6, Art. 17): due in 7 working days."""

    on: date


@dataclass(frozen=True)
class AdditionalDocumentsReceived:
    """The requested documents arrived; checking resumes."""

    on: date


@dataclass(frozen=True)
class Accepted:
    """Acceptance (C8, Art. 21): one customs id for the approved activities."""

    on: date
    customs_id: str
    approved: frozenset[str]


@dataclass(frozen=True)
class Rejected:
    """Rejection (C9, Art. 22), with reason codes."""

    on: date
    reasons: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Blocked:
    """Blocking (C11, Art. 34, 36), per activity or for all."""

    on: date
    number: str
    scope: Scope


@dataclass(frozen=True)
class Unblocked:
    """Unblocking (C11, Art. 35) of an earlier blocking, per activity or for all."""

    on: date
    number: str
    scope: Scope


@dataclass(frozen=True)
class Revoked:
    """Revocation (C12, Art. 37-38), per activity or for all."""

    on: date
    number: str
    scope: Scope


CustomsEvent = (
    EntryProved
    | ReturnedForLateDocuments
    | TtpRkIssued
    | AdditionalDocumentsRequested
    | AdditionalDocumentsReceived
    | Accepted
    | Rejected
    | Blocked
    | Unblocked
    | Revoked
)
