"""The state of one customs application, shared by the lifecycle's transition modules."""

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from customs.events import CustomsEvent


class Stage(StrEnum):
    """Where an application stands."""

    SUBMITTED = "SUBMITTED"
    ENTERED = "ENTERED"
    RETURNED = "RETURNED"
    RECEIPTED = "RECEIPTED"
    DOCUMENTS_REQUESTED = "DOCUMENTS_REQUESTED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    REVOKED = "REVOKED"


class InvalidTransition(ValueError):
    """An event that cannot happen in the application's current state."""

    def __init__(self, code: str, rule: str, text: str) -> None:
        self.code, self.rule = code, rule
        super().__init__(f"{code} ({rule}): {text}")


@dataclass(frozen=True)
class CustomsApplication:
    """One application and, once accepted, its customs id and activities."""

    submission_id: str
    activities: frozenset[str]
    stage: Stage = Stage.SUBMITTED
    documents_due: date | None = None
    decision_due: date | None = None
    interim_service_until: date | None = None
    additional_documents_due: date | None = None
    customs_id: str | None = None
    approved: frozenset[str] = frozenset()
    revoked: frozenset[str] = frozenset()
    blockings: dict[str, frozenset[str]] = field(default_factory=dict)
    unblock_by: dict[str, date] = field(default_factory=dict)  # C11, per blocking number
    change_documents_due: date | None = None  # C10, Art. 26(2)
    change_decision_due: date | None = None  # C10, Art. 28
    reapply_by: date | None = None  # C10, Art. 30(2)
    documents_delivered_on: date | None = None  # C3, Art. 6-7: the trader's delivery
    unblock_applied: dict[str, date] = field(default_factory=dict)  # C11, per blocking number
    manual_office: str | None = None  # C13, Art. 11-12: the office that received it by hand
    manual_processing_due: date | None = None  # C13, Art. 12(3): 1 working day
    manual_ttp_rk_due: date | None = None  # C13, Art. 13: 10 working days
    change_notice_due: date | None = None  # C15, Art. 51(1): 30 working days
    interim_import: str | None = None  # C14, Art. 40: the one import notification served
    attempt: int = 1  # C3/C9: 2 and up after reapplications
    stated_due: dict[str, date] = field(default_factory=dict)  # CEISA's own C3, C6, C7 days

    @property
    def blocked(self) -> frozenset[str]:
        """Activities under at least one blocking."""
        return frozenset().union(*self.blockings.values())

    @property
    def active(self) -> frozenset[str]:
        """Approved activities neither blocked nor revoked: what the customs id serves."""
        return self.approved - self.revoked - self.blocked


def expect(app: CustomsApplication, event: CustomsEvent, *stages: Stage) -> None:
    """Raise :class:`InvalidTransition` unless ``app`` is in one of ``stages``."""
    if app.stage not in stages:
        name = type(event).__name__
        raise InvalidTransition("INVALID_STAGE", "PER-21", f"{name} cannot follow {app.stage}")
