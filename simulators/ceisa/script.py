"""The scripted stories, as data: which messages customs sends, with which ids and dates.

Pure. A story depends only on the registration (its message id, submission id
and activities), the scenario and the start date, so a redelivered
registration yields the same message ids and references. Dates advance in
working days (PER-21 counts nothing else, C16) from the day of entry, like a
customs office that takes a few days per step; every deadline a document
states is the one PER-21 gives.
"""

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Final

from contracts import xml_messages as m
from contracts.xml_messages import CustomsMessage
from customs.periods import add_calendar_days
from customs.workdays import add_working_days


class Scenario(StrEnum):
    """The stories the simulator can play."""

    ACCEPT = "accept"
    REJECT = "reject"
    LATE_DOCUMENTS = "late_documents"
    ADDITIONAL_DOCUMENTS = "additional_documents"
    BLOCK_UNBLOCK = "block_unblock"
    REVOKE = "revoke"
    DATA_CHANGE = "data_change"
    DATA_CHANGE_REJECTED = "data_change_rejected"
    # Stories that wait for the trader (ceisa.trader.v1), see :mod:`simulators.ceisa.replies`:
    DOCUMENTS = "documents"
    """Proof of entry, then TTP-RK and acceptance once the trader delivers the documents."""
    DOCUMENTS_ADDITIONAL = "documents_additional"
    """As DOCUMENTS, but customs asks for more documents and accepts once they come."""
    REGISTERED = "registered"
    """Accept; then answer the trader's data-change notifications (receipt, approval)."""
    BLOCK_APPLY = "block_apply"
    """Accept, block one activity; lift it when the trader applies (Art. 35)."""
    BLOCK_REFUSE = "block_refuse"
    """Accept, block one activity; refuse the trader's unblock application."""
    SITE_CHECK = "site_check"
    """Accept; a site check finds protected data changed: the Attachment XVI notice (C15)."""


INTERIM_ACTIVITIES: Final = frozenset({"EKSPORTIR", "PENGANGKUT"})  # C14, Art. 42


@dataclass(frozen=True)
class Application:
    """What the simulator needs from a ``RegistrationApplication``."""

    message_id: str
    submission_id: str
    activities: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One document customs sends; fields a message type lacks stay empty."""

    message: CustomsMessage
    message_id: str
    on: date
    submission_id: str
    reference: str | None = None  # the message answered: the registration's MessageId
    entry_number: str = ""
    receipt_number: str = ""
    number: str = ""  # request, blocking or revocation number
    customs_id: str = ""
    activities: tuple[str, ...] = ()  # applied, approved, or a measure's scope (empty: all)
    due: date | None = None  # for a data-change rejection: reapply by (C10)
    approved: bool = True  # a data-change outcome's verdict (C10)
    interim_until: date | None = None
    reasons: tuple[tuple[str, str, str], ...] = field(default=())  # code, text, legal basis
    appointed: date | None = None  # a site check's appointment of officials (C15, Art. 47)
    finding: str = ""  # a site check's finding (C15, Art. 50)
    notice_on: date | None = None  # the Attachment XVI notice's date (C15, Art. 50(3))


def story(scenario: Scenario, application: Application, start: date) -> list[Step]:
    """The documents customs sends for ``application`` under ``scenario``, in order."""
    ids = _Ids(application.message_id)
    entry = Step(
        m.PROOF_OF_ENTRY,
        ids.message("POE"),
        start,
        application.submission_id,
        reference=application.message_id,
        entry_number=ids.number("REG"),
        activities=application.activities,
        due=add_working_days(start, 10),  # C3, Art. 7(1)
    )
    if scenario is Scenario.LATE_DOCUMENTS:
        returned = _after(entry, 11, m.RETURN_RECEIPT, ids.message("RET"))
        return [entry, _with(returned, reasons=(_LATE,))]
    if scenario in (Scenario.DOCUMENTS, Scenario.DOCUMENTS_ADDITIONAL):
        return [entry]  # the rest waits for the trader's documents
    ttp_on = add_working_days(start, 2)
    interim = bool(INTERIM_ACTIVITIES & set(application.activities))
    ttp_rk = Step(
        m.TTP_RK,
        ids.message("TTP"),
        ttp_on,
        application.submission_id,
        reference=application.message_id,
        entry_number=entry.entry_number,
        receipt_number=ids.number("TTPRK"),
        due=add_working_days(ttp_on, 14),  # C7, Art. 20
        interim_until=add_working_days(ttp_on, 14) if interim else None,  # C14
    )
    steps = [entry, ttp_rk]
    previous = ttp_rk
    if scenario is Scenario.ADDITIONAL_DOCUMENTS:
        request = _after(ttp_rk, 2, m.ADDITIONAL_DOCUMENTS_REQUEST, ids.message("ADR"))
        request = _with(request, number=ids.number("ADR"), due=add_working_days(request.on, 7))
        steps.append(request)
        previous = request
    if scenario is Scenario.REJECT:
        rejection = _after(previous, 5, m.REJECTION, ids.message("REJ"))
        return [*steps, _with(rejection, reasons=(_ADDRESS,))]
    acceptance = _after(previous, 4, m.ACCEPTANCE, ids.message("ACC"))
    acceptance = _with(acceptance, customs_id=ids.customs_id(), activities=application.activities)
    steps.append(acceptance)
    return steps + _measures(scenario, acceptance, application, ids)


def _measures(scenario: Scenario, accepted: Step, app: Application, ids: "_Ids") -> list[Step]:
    measure = {
        "customs_id": accepted.customs_id,
        "reference": None,
        "submission_id": app.submission_id,
    }
    if scenario in (Scenario.BLOCK_UNBLOCK, Scenario.BLOCK_APPLY, Scenario.BLOCK_REFUSE):
        one = (sorted(app.activities)[0],)  # C11: a blocking for ONE activity
        blocking = _with(
            _after(accepted, 10, m.BLOCKING, ids.message("BLK")),
            number=ids.number("BLK"),
            activities=one,
            reasons=(_EXPERT,),
            **measure,
        )
        if scenario is not Scenario.BLOCK_UNBLOCK:
            return [blocking]  # lifted, or not, when the trader applies
        unblocking = _with(_after(blocking, 5, m.UNBLOCKING, ids.message("UBL")), reasons=())
        return [blocking, unblocking]
    if scenario in (Scenario.DATA_CHANGE, Scenario.DATA_CHANGE_REJECTED):
        return [_data_change(scenario, accepted, ids)]
    if scenario is Scenario.SITE_CHECK:
        return [_site_check(accepted, ids)]
    if scenario is Scenario.REVOKE:
        revocation = _with(
            _after(accepted, 20, m.REVOCATION, ids.message("REV")),
            number=ids.number("REV"),
            activities=(),
            reasons=(_DISSOLVED,),
            **measure,
        )
        return [revocation]
    return []


def _data_change(scenario: Scenario, accepted: Step, ids: "_Ids") -> Step:
    """C10: the outcome of a change the user notified after acceptance (Art. 28-30).

    Customs decides 10 working days on (within the 14 of Art. 28); a rejection
    of protected data states the reapplication date, 30 calendar days on
    (Art. 30(2)). The notification answered is the user's, so the reference is
    a notification id derived like the others.
    """
    outcome = _with(
        _after(accepted, 10, m.DATA_CHANGE_OUTCOME, ids.message("DCO")),
        reference=ids.notification(),
        due=None,
        interim_until=None,
        reasons=(),
    )
    if scenario is Scenario.DATA_CHANGE:
        return outcome
    return _with(
        outcome,
        approved=False,
        due=add_calendar_days(outcome.on, 30),
        reasons=(_DOMICILE,),
    )


def _site_check(accepted: Step, ids: "_Ids") -> Step:
    """C15: officials appointed 5 working days after acceptance record their result 8 later
    (within Art. 49(1)'s 10); protected data changed, so the notice follows the next working
    day and the user has 30 working days to apply for the change (Art. 50(3), 51(1)).
    """
    appointed = add_working_days(accepted.on, 5)
    recorded = add_working_days(appointed, 8)
    notice_on = add_working_days(recorded, 1)
    return _with(
        accepted,
        message=m.SITE_CHECK_RESULT,
        message_id=ids.message("SCR"),
        on=recorded,
        reference=None,
        number=ids.number("SC"),
        receipt_number=ids.number("XVI"),
        appointed=appointed,
        finding="APPLY_FOR_CHANGE",
        notice_on=notice_on,
        due=add_working_days(notice_on, 30),
        activities=(),
        reasons=(_MOVED,),
    )


def _after(step: Step, days: int, message: CustomsMessage, message_id: str) -> Step:
    return _with(step, message=message, message_id=message_id, on=add_working_days(step.on, days))


def _with(step: Step, **changes: object) -> Step:
    return replace(step, **changes)  # type: ignore[arg-type]


class _Ids:
    """Message ids, numbers and the customs id, derived from the registration's message id."""

    def __init__(self, registration_id: str) -> None:
        self.digest = hashlib.sha256(registration_id.encode()).hexdigest()

    def message(self, kind: str) -> str:
        return f"CEISA-{kind}-{self.digest[:20]}"

    def number(self, kind: str) -> str:
        return f"{kind}-{self.digest[20:32].upper()}"

    def notification(self) -> str:
        return f"INSW-DCN-{self.digest[:20]}"

    def customs_id(self) -> str:
        return f"NIK-{int(self.digest[32:44], 16) % 10**10:010d}"


_LATE = (
    "DOCUMENTS_NOT_RECEIVED",
    "Supporting documents were not received within 10 working days.",
    "PER-21/BC/2011 Art. 9(1)",
)
_ADDRESS = (
    "ADDRESS_NOT_VERIFIED",
    "The business address could not be verified.",
    "PER-21/BC/2011 Art. 22(1)",
)
_EXPERT = (
    "CUSTOMS_EXPERT_MISSING",
    "The company no longer employs a customs expert.",
    "PER-21/BC/2011 Art. 34(2)",
)
_MOVED = (
    "ADDRESS_DIFFERS",
    "The business is no longer at the registered address.",
    "PER-21/BC/2011 Art. 50(3)",
)
_DISSOLVED = ("BUSINESS_DISSOLVED", "The company has been dissolved.", "PER-21/BC/2011 Art. 37(1)")
_DOMICILE = (
    "DOCUMENTS_DO_NOT_MATCH",
    "The domicile letter does not match the new address.",
    "PER-21/BC/2011 Art. 30",
)
