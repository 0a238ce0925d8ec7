"""From a CEISA document to a lifecycle event: what customs said, reduced to what we track.

Pure (lxml in memory, no I/O). The bytes are read with
:func:`contracts.xml_reader.read_customs_document` first, so every value
here comes from a document its XSD accepted. Every refusal is a
:class:`runtime.errors.PoisonMessage` whose text names the refusal kind or
the message type, never a value from the document.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Final

from lxml import etree

from contracts import xml_messages as m
from contracts.xml_messages import CustomsMessage, Direction, UnknownMessage
from contracts.xml_parsing import XmlRefused
from contracts.xml_reader import CustomsDocument, read_customs_document
from contracts.xml_validation import XmlInvalid
from customs import events as ev
from runtime.errors import PoisonMessage


@dataclass(frozen=True)
class Reason:
    """One reason customs gave: code, text and, if stated, the article."""

    code: str
    text: str
    legal_basis: str | None = None


@dataclass(frozen=True)
class Notice:
    """One CEISA message as the lifecycle sees it."""

    message: CustomsMessage
    message_id: str
    event: ev.CustomsEvent
    submission_id: str | None = None  # replies name the application
    customs_id: str | None = None  # measures (C11, C12) name the customs id instead
    activities: frozenset[str] = frozenset()  # proof of entry: the activities applied for
    reasons: tuple[Reason, ...] = ()
    reference: str | None = None  # Header/ReferenceMessageId: the message answered


def read_notice(data: bytes | None) -> Notice:
    """The notice in ``data``, or :class:`PoisonMessage` saying why it cannot be one."""
    try:
        document = read_customs_document(data or b"")
    except XmlRefused as error:
        raise PoisonMessage(f"ceisa document refused: {error.reason.value}") from None
    except UnknownMessage:
        raise PoisonMessage("ceisa document refused: UNKNOWN_MESSAGE") from None
    except XmlInvalid as error:
        raise PoisonMessage(
            f"ceisa document refused: XSD_INVALID {'; '.join(error.errors)}"
        ) from None
    return to_notice(document)


def to_notice(document: CustomsDocument) -> Notice:
    """Map a validated document to its notice; messages the lifecycle does not track are refused."""
    message = document.message
    if message.direction is not Direction.FROM_CUSTOMS:
        raise PoisonMessage(f"ceisa document refused: WRONG_DIRECTION ({message.name})")
    mapper = _MAPPERS.get(message.name)
    if mapper is None:
        raise PoisonMessage(f"ceisa document refused: NOT_TRACKED ({message.name}, {message.rule})")
    return mapper(_Doc(document))


class _Doc:
    """Namespace-aware reading of one validated document."""

    def __init__(self, document: CustomsDocument) -> None:
        self.message = document.message
        self.root = document.root
        self.ns = f"{{{document.message.namespace(document.major)}}}"

    def text(self, path: str) -> str:
        found = self.root.findtext("/".join(self.ns + step for step in path.split("/")))
        return found or ""

    def day(self, path: str) -> date:
        return date.fromisoformat(self.text(path))

    def values(self, path: str) -> frozenset[str]:
        found = self.root.findall("/".join(self.ns + step for step in path.split("/")))
        return frozenset(e.text or "" for e in found)

    def scope(self) -> ev.Scope:
        if self.root.find(f"{self.ns}Scope/{self.ns}AllActivities") is not None:
            return ev.ALL
        return ev.Scope(self.values("Scope/Activity"))

    def reasons(self) -> tuple[Reason, ...]:
        found: list[etree._Element] = self.root.findall(f"{self.ns}Reasons/{self.ns}Reason")
        return tuple(
            Reason(
                e.findtext(self.ns + "Code") or "",
                e.findtext(self.ns + "Text") or "",
                e.findtext(self.ns + "LegalBasis"),
            )
            for e in found
        )

    def notice(self, event: ev.CustomsEvent, **extra: object) -> Notice:
        sid = self.text("SubmissionId") or None
        cid = self.text("CustomsId") or None
        return Notice(
            self.message,
            self.text("Header/MessageId"),
            event,
            submission_id=sid,
            customs_id=cid,
            reasons=self.reasons(),
            reference=self.text("Header/ReferenceMessageId") or None,
            **extra,  # type: ignore[arg-type]
        )


def _entry(d: _Doc) -> Notice:
    event = ev.EntryProved(d.day("EntryDate"), stated_due=d.day("DocumentsDueDate"))
    return d.notice(event, activities=d.values("Activities/Activity"))


def _accepted(d: _Doc) -> Notice:
    approved = d.values("ApprovedActivities/Activity")
    return d.notice(ev.Accepted(d.day("AcceptedOn"), d.text("CustomsId"), approved))


def _ttp_rk(d: _Doc) -> Notice:
    """C4: a TTP-RK straight after the form (Art. 8(2)) names the activities; it may open."""
    event = ev.TtpRkIssued(d.day("ReceiptDate"), stated_due=d.day("DecisionDueDate"))
    return d.notice(event, activities=d.values("Activities/Activity"))


def _site_check(d: _Doc) -> Notice:
    """C15: the result, with the Attachment XVI notice's date when one was sent (Art. 50(3))."""
    notice_on = d.text("Notice/NoticeDate")
    event = ev.SiteCheckRecorded(
        d.day("RecordedOn"),
        d.text("SiteCheckNumber"),
        d.day("AppointedOn"),
        d.text("Finding"),
        date.fromisoformat(notice_on) if notice_on else None,
    )
    return d.notice(event)


def _data_change(d: _Doc) -> Notice:
    """C10: ``ReapplyBy`` is stated only after a rejected change of protected data (Art. 30(2))."""
    event = ev.DataChangeDecided(
        d.day("DecidedOn"),
        approved=d.text("Outcome") == "APPROVED",
        by_customs=d.text("Initiative") == "CUSTOMS_SOURCES",
        protected=bool(d.text("ReapplyBy")),
        new_customs_id=d.text("NewCustomsId") or None,
    )
    return d.notice(event)


def _blocked(d: _Doc) -> Notice:
    """C11: a stated ``UnblockApplicationDueDate`` marks a cause with the Art. 35(4) limit."""
    limited = bool(d.text("UnblockApplicationDueDate"))
    event = ev.Blocked(d.day("BlockedOn"), d.text("BlockingNumber"), d.scope(), limited)
    return d.notice(event)


Mapper = Callable[[_Doc], Notice]


def _measure(kind: type[ev.Unblocked | ev.Revoked], number: str, on: str) -> Mapper:
    def mapper(d: _Doc) -> Notice:
        return d.notice(kind(d.day(on), d.text(number), d.scope()))

    return mapper


_MAPPERS: Final[dict[str, Mapper]] = {
    m.PROOF_OF_ENTRY.name: _entry,
    m.RETURN_RECEIPT.name: lambda d: d.notice(ev.ReturnedForLateDocuments(d.day("ReturnedOn"))),
    m.TTP_RK.name: _ttp_rk,
    m.ADDITIONAL_DOCUMENTS_REQUEST.name: lambda d: d.notice(
        ev.AdditionalDocumentsRequested(d.day("RequestDate"), stated_due=d.day("DueDate"))
    ),
    m.ACCEPTANCE.name: _accepted,
    m.REJECTION.name: lambda d: d.notice(
        ev.Rejected(d.day("RejectedOn"), tuple(r.code for r in d.reasons()))
    ),
    m.DATA_CHANGE_OUTCOME.name: _data_change,
    m.BLOCKING.name: _blocked,
    m.UNBLOCKING.name: _measure(ev.Unblocked, "BlockingNumber", "UnblockedOn"),
    m.REVOCATION.name: _measure(ev.Revoked, "RevocationNumber", "RevokedOn"),
    m.DATA_CHANGE_RECEIPT.name: lambda d: d.notice(
        ev.DataChangeReceipted(d.day("ReceivedOn"), d.day("DocumentsDueDate"))
    ),
    m.UNBLOCK_REFUSAL.name: lambda d: d.notice(
        ev.UnblockRefused(d.day("RefusedOn"), d.text("BlockingNumber"))
    ),
    m.SITE_CHECK_RESULT.name: _site_check,
}
