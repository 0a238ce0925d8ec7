"""Steps of a story as CEISA XML: built with lxml, validated against their XSD before sending.

Pure. Customs never sends a document its own schema refuses, so neither does
the simulator: a step that does not validate is a bug here and raises.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Final

from lxml import etree

from contracts import xml_messages as m
from contracts.xml_validation import validate
from simulators.ceisa.script import Step

SENDER: Final = "CEISA"


class _Builder:
    def __init__(self, step: Step) -> None:
        self.step = step
        self.ns = f"{{{step.message.namespace()}}}"
        self.root = etree.Element(
            self.ns + step.message.root,
            nsmap={None: step.message.namespace()},
        )

    def add(
        self, name: str, text: object = None, parent: etree._Element | None = None
    ) -> etree._Element:
        element = etree.SubElement(self.root if parent is None else parent, self.ns + name)
        if text is not None:
            element.text = text.isoformat() if hasattr(text, "isoformat") else str(text)
        return element

    def header(self, issued_at: datetime) -> None:
        header = self.add("Header")
        for name, value in (
            ("SchemaVersion", "1.0"),
            ("MessageId", self.step.message_id),
            ("FunctionCode", "9"),
            ("IssuedAt", issued_at.isoformat()),
            ("Sender", SENDER),
        ):
            self.add(name, value, header)
        if self.step.reference is not None:
            self.add("ReferenceMessageId", self.step.reference, header)

    def activities(self, name: str, item: str = "Activity") -> None:
        parent = self.add(name)
        for activity in self.step.activities:
            self.add(item, activity, parent)

    def scope(self) -> None:
        scope = self.add("Scope")
        if not self.step.activities:
            self.add("AllActivities", None, scope)
        for activity in self.step.activities:
            self.add("Activity", activity, scope)

    def reasons(self) -> None:
        if not self.step.reasons:
            return
        reasons = self.add("Reasons")
        for code, text, basis in self.step.reasons:
            reason = self.add("Reason", None, reasons)
            self.add("Code", code, reason)
            self.add("Text", text, reason)
            self.add("LegalBasis", basis, reason)


def _proof_of_entry(b: _Builder) -> None:
    s = b.step
    b.add("SubmissionId", s.submission_id)
    b.add("EntryNumber", s.entry_number)
    b.add("EntryDate", s.on)
    b.add("DocumentsDueDate", s.due)
    b.activities("Activities")


def _return_receipt(b: _Builder) -> None:
    b.add("SubmissionId", b.step.submission_id)
    b.add("EntryNumber", b.step.entry_number)
    b.add("ReturnedOn", b.step.on)
    b.reasons()


def _ttp_rk(b: _Builder) -> None:
    s = b.step
    for name, value in (
        ("SubmissionId", s.submission_id),
        ("EntryNumber", s.entry_number),
        ("ReceiptNumber", s.receipt_number),
        ("ReceiptDate", s.on),
        ("DecisionDueDate", s.due),
    ):
        b.add(name, value)
    if s.interim_until is not None:
        b.add("InterimServiceUntil", s.interim_until)
    if s.activities:  # documents first (Art. 8(2)) or a manual registration (Art. 13)
        b.activities("Activities")


def _additional_documents(b: _Builder) -> None:
    s = b.step
    for name, value in (
        ("SubmissionId", s.submission_id),
        ("ReceiptNumber", s.receipt_number),
        ("RequestNumber", s.number),
        ("RequestDate", s.on),
        ("DueDate", s.due),
    ):
        b.add(name, value)
    wanted = b.add("RequestedDocument", None, b.add("RequestedDocuments"))
    b.add("DocumentCode", "AKTA_PENDIRIAN", wanted)
    b.add("Description", "Deed of establishment of the company, certified copy.", wanted)


def _acceptance(b: _Builder) -> None:
    s = b.step
    for name, value in (
        ("SubmissionId", s.submission_id),
        ("ReceiptNumber", s.receipt_number),
        ("CustomsId", s.customs_id),
        ("AcceptedOn", s.on),
    ):
        b.add(name, value)
    b.activities("ApprovedActivities")


def _rejection(b: _Builder) -> None:
    b.add("SubmissionId", b.step.submission_id)
    b.add("ReceiptNumber", b.step.receipt_number)
    b.add("RejectedOn", b.step.on)
    b.reasons()


def _data_change_outcome(b: _Builder) -> None:
    s = b.step
    b.add("CustomsId", s.customs_id)
    b.add("Initiative", "USER_NOTIFICATION")
    b.add("Outcome", "APPROVED" if s.approved else "REJECTED")
    b.add("DecidedOn", s.on)
    if s.due is not None:
        b.add("ReapplyBy", s.due)
    b.reasons()


def _measure(on: str) -> Callable[[_Builder], None]:
    def build(b: _Builder) -> None:
        b.add("CustomsId", b.step.customs_id)
        b.add(
            "RevocationNumber" if b.step.message is m.REVOCATION else "BlockingNumber",
            b.step.number,
        )
        b.scope()
        b.add(on, b.step.on)
        b.reasons()

    return build


def _data_change_receipt(b: _Builder) -> None:
    s = b.step
    b.add("CustomsId", s.customs_id)
    b.add("ReceiptNumber", s.receipt_number)
    b.add("ReceivedOn", s.on)
    b.add("DocumentsDueDate", s.due)


def _unblock_refusal(b: _Builder) -> None:
    s = b.step
    b.add("CustomsId", s.customs_id)
    b.add("BlockingNumber", s.number)
    b.add("RefusedOn", s.on)
    b.reasons()


def _site_check_result(b: _Builder) -> None:
    s = b.step
    for name, value in (
        ("SubmissionId", s.submission_id),
        ("CustomsId", s.customs_id),
        ("SiteCheckNumber", s.number),
        ("AppointedOn", s.appointed),
        ("RecordedOn", s.on),
        ("Finding", s.finding),
    ):
        b.add(name, value)
    if s.notice_on is not None:
        notice = b.add("Notice")
        b.add("NoticeNumber", s.receipt_number, notice)
        b.add("NoticeDate", s.notice_on, notice)
        b.add("ApplyByDate", s.due, notice)
    b.reasons()


_BODIES: Final[dict[str, Callable[[_Builder], None]]] = {
    m.DATA_CHANGE_RECEIPT.name: _data_change_receipt,
    m.UNBLOCK_REFUSAL.name: _unblock_refusal,
    m.PROOF_OF_ENTRY.name: _proof_of_entry,
    m.RETURN_RECEIPT.name: _return_receipt,
    m.TTP_RK.name: _ttp_rk,
    m.ADDITIONAL_DOCUMENTS_REQUEST.name: _additional_documents,
    m.ACCEPTANCE.name: _acceptance,
    m.REJECTION.name: _rejection,
    m.DATA_CHANGE_OUTCOME.name: _data_change_outcome,
    m.BLOCKING.name: _measure("BlockedOn"),
    m.UNBLOCKING.name: _measure("UnblockedOn"),
    m.REVOCATION.name: _measure("RevokedOn"),
    m.SITE_CHECK_RESULT.name: _site_check_result,
}


def render(step: Step, issued_at: datetime) -> bytes:
    """The step as a UTF-8 XML document, valid against its message's XSD."""
    builder = _Builder(step)
    builder.header(issued_at)
    _BODIES[step.message.name](builder)
    validate(builder.root, step.message.schema())
    return etree.tostring(builder.root, xml_declaration=True, encoding="UTF-8")
