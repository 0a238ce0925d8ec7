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
    stated_due: date | None = None  # CEISA's DocumentsDueDate


@dataclass(frozen=True)
class ReturnedForLateDocuments:
    """Return receipt (C3, Art. 9): documents missing after 10 working days."""

    on: date


@dataclass(frozen=True)
class TtpRkIssued:
    """TTP-RK (C4, Art. 8): documents complete; the decision clock (C7) starts."""

    on: date
    stated_due: date | None = None  # CEISA's DecisionDueDate


@dataclass(frozen=True)
class AdditionalDocumentsRequested:
    """Request for additional documents (C6, Art. 17): due in 7 working days."""

    on: date
    stated_due: date | None = None  # CEISA's DueDate


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
    time_limited: bool = False
    """Blocked for a cause of Art. 34(1) b, d, e or f: unblocking must be applied for
    within 3 months (Art. 35(4)); CEISA says so by stating ``UnblockApplicationDueDate``."""


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


@dataclass(frozen=True)
class DataChangeNotified:
    """The user notified changed registration data (C10, Art. 24-26).

    Documents are due within 10 working days (Art. 26(2)) and the decision
    within 14 (Art. 28). ``protected`` says the change touches the groups of
    Art. 24(1)-(3), whose rejection obliges the user to reapply (Art. 30(2)).
    """

    on: date
    protected: bool = True


@dataclass(frozen=True)
class DataChangeDecided:
    """A data change approved or rejected (C10, Art. 28-30), or made by customs (Art. 31).

    ``by_customs`` is a change on customs' own or other agencies' sources:
    applied without an application and only notified (Art. 31(1)-(3)).
    ``protected`` marks a rejected change of the Art. 24(1)-(3) groups, after
    which the user must reapply within 30 days (Art. 30(2)). An approval may
    issue a new customs id (Art. 29(1)).
    """

    on: date
    approved: bool
    by_customs: bool = False
    protected: bool = False
    new_customs_id: str | None = None


@dataclass(frozen=True)
class SupportingDocumentsDelivered:
    """The trader delivered the Art. 6 documents (C3): the documents clock is met."""

    on: date


@dataclass(frozen=True)
class DataChangeReceipted:
    """Customs' receipt of a notified data change (C10, Art. 25), with the due date it states."""

    on: date
    documents_due: date


@dataclass(frozen=True)
class UnblockApplied:
    """The trader applied to lift a blocking (C11, Art. 35(3))."""

    on: date
    number: str


@dataclass(frozen=True)
class UnblockRefused:
    """Customs refused to lift a blocking (C11, Art. 35): it stays in force."""

    on: date
    number: str


@dataclass(frozen=True)
class ManualRegistrationRecorded:
    """A customs office received an exporter's registration by hand (C13, Art. 11-12).

    The office issues the Attachment V receipt and must process the application
    in CEISA within 1 working day (Art. 12(3)); the form came with the Art. 6(2)
    documents (Art. 11(2)), so the documents clock (C3) is met on receipt.
    """

    on: date
    office: str


@dataclass(frozen=True)
class SiteCheckRecorded:
    """The result of a site check of a registered user, recorded in CEISA (C15, Art. 45-50).

    ``finding`` is ``NO_DIFFERENCE``, ``CHANGED_BY_CUSTOMS`` (other data, which
    customs changes itself, Art. 50(1)-(2)) or ``APPLY_FOR_CHANGE`` (data of the
    Art. 24(1)-(3) groups: the user is told to apply for a change, Art. 50(3)),
    which comes with the Attachment XVI notice dated ``notice_on``.
    """

    on: date
    number: str
    appointed_on: date
    finding: str
    notice_on: date | None = None


@dataclass(frozen=True)
class InterimImportApproved:
    """The head of a customs office approved one import notification without a customs id.

    C14, Art. 40: an importer not yet holding a customs id is served for one
    (1) import customs notification, after this approval; never a second.
    """

    on: date
    notification: str


@dataclass(frozen=True)
class Reapplied:
    """The trader applied again after a return (C3, Art. 10) or rejection (C9, Art. 22)."""

    on: date
    attempt: int


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
    | DataChangeNotified
    | DataChangeDecided
    | SupportingDocumentsDelivered
    | DataChangeReceipted
    | UnblockApplied
    | UnblockRefused
    | ManualRegistrationRecorded
    | SiteCheckRecorded
    | InterimImportApproved
    | Reapplied
)
