"""The XML the hub sends customs on the trader's behalf (``ceisa.trader.v1``), pure.

One builder per command: supporting documents (Art. 6, C3), the answer to an
additional-documents request (Art. 17, C6), a data-change notification
(Art. 24-26, C10) and an unblock application (Art. 35, C11); and, for an
officer, the Attachment V receipt of a manual registration (Art. 12, C13). Documents travel
as claim checks (code, store id, SHA-256), never as bytes. Every document is
validated against its XSD before it leaves; a failure is a bug here, raised
as :class:`runtime.errors.PoisonMessage` naming places, never values.

Message ids derive from the command id, so a redelivered command yields the
same document, which customs can recognise as a repeat. A reapplication's
derives from (submission id, attempt) instead (:func:`reapplication_id`): one
attempt has one message however many commands ask for it.
"""

import hashlib
from collections.abc import Sequence
from datetime import date, datetime

from lxml import etree

from contracts import xml_messages as m
from contracts.customs import (
    AnswerAdditionalDocuments,
    ApplyForUnblock,
    DeliverSupportingDocuments,
    NotifyDataChange,
    SupportingDocument,
)
from contracts.customs_officer import RecordManualRegistration
from contracts.xml_messages import CustomsMessage
from contracts.xml_validation import XmlInvalid, explain, validate
from runtime.errors import PoisonMessage

SENDER = "INSW"


def message_id(message: CustomsMessage, command_id: str, submission_id: str) -> str:
    """The document's MessageId: stable for one command of one application."""
    digest = hashlib.sha256(f"{submission_id}|{command_id}".encode()).hexdigest()[:24]
    return f"INSW-{message.name.upper()}-{digest}"


def reapplication_id(submission_id: str, attempt: int) -> str:
    """The MessageId of the reapplication starting ``attempt``: one per attempt, ever."""
    digest = hashlib.sha256(f"{submission_id}|attempt|{attempt}".encode()).hexdigest()[:24]
    return f"INSW-{m.REAPPLICATION.name.upper()}-{attempt}-{digest}"


class _Document:
    def __init__(self, message: CustomsMessage) -> None:
        self.message = message
        self.ns = f"{{{message.namespace()}}}"
        self.root = etree.Element(
            self.ns + message.root,
            nsmap={None: message.namespace()},
        )

    def add(
        self, name: str, text: object = None, parent: etree._Element | None = None
    ) -> etree._Element:
        element = etree.SubElement(self.root if parent is None else parent, self.ns + name)
        if text is not None:
            element.text = text.isoformat() if isinstance(text, date | datetime) else str(text)
        return element

    def header(self, mid: str, issued_at: datetime, reference: str | None) -> None:
        header = self.add("Header")
        for name, value in (
            ("SchemaVersion", "1.0"),
            ("MessageId", mid),
            ("FunctionCode", "9"),
            ("IssuedAt", issued_at),
            ("Sender", SENDER),
        ):
            self.add(name, value, header)
        if reference:
            self.add("ReferenceMessageId", reference, header)

    def documents(self, documents: Sequence[SupportingDocument]) -> None:
        parent = self.add("Documents")
        for document in documents:
            item = self.add("Document", None, parent)
            self.add("DocumentCode", document.code, item)
            self.add("DocumentId", document.document_id, item)
            self.add("Sha256", document.sha256, item)

    def done(self) -> bytes:
        schema = self.message.schema()
        try:
            validate(self.root, schema)
        except XmlInvalid as error:
            reasons = explain(self.root, schema) or error.errors
            raise PoisonMessage(f"{self.message.name} invalid: {'; '.join(reasons)}") from None
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8")


def supporting_documents(
    command: DeliverSupportingDocuments,
    *,
    mid: str,
    on: date,
    issued_at: datetime,
    entry_reference: str | None,
    entry_number: str | None,
) -> bytes:
    """Art. 6 delivery; names the proof of entry it follows, when there is one (Art. 8(2))."""
    doc = _Document(m.SUPPORTING_DOCUMENTS)
    doc.header(mid, issued_at, entry_reference)
    doc.add("SubmissionId", command.submission_id)
    if entry_number:
        doc.add("EntryNumber", entry_number)
    doc.add("DeliveredOn", on)
    doc.documents(command.documents)
    return doc.done()


def additional_documents_reply(
    command: AnswerAdditionalDocuments, *, mid: str, on: date, issued_at: datetime, request: str
) -> bytes:
    """Art. 17 answer; ``request`` is the MessageId of the request answered."""
    doc = _Document(m.ADDITIONAL_DOCUMENTS_REPLY)
    doc.header(mid, issued_at, request)
    doc.add("SubmissionId", command.submission_id)
    doc.add("RepliedOn", on)
    doc.documents(command.documents)
    return doc.done()


def data_change_notification(
    command: NotifyDataChange, *, mid: str, on: date, issued_at: datetime, customs_id: str
) -> bytes:
    """Art. 24-26 notification of the changed elements, with any documents already at hand."""
    doc = _Document(m.DATA_CHANGE_NOTIFICATION)
    doc.header(mid, issued_at, None)
    doc.add("CustomsId", customs_id)
    doc.add("NotifiedOn", on)
    changes = doc.add("Changes")
    for change in command.changes:
        item = doc.add("Change", None, changes)
        doc.add("DataGroup", change.group, item)
        doc.add("Element", change.element, item)
        doc.add("NewValue", change.new_value, item)
    if command.documents:
        doc.documents(command.documents)
    return doc.done()


def unblock_application(
    command: ApplyForUnblock,
    *,
    mid: str,
    on: date,
    issued_at: datetime,
    customs_id: str,
    activities: Sequence[str],
) -> bytes:
    """Art. 35(3) application to lift one blocking, for the activities it covers."""
    doc = _Document(m.UNBLOCK_APPLICATION)
    doc.header(mid, issued_at, None)
    doc.add("CustomsId", customs_id)
    doc.add("BlockingNumber", command.blocking_number)
    scope = doc.add("Scope")
    for activity in activities:
        doc.add("Activity", activity, scope)
    doc.add("AppliedOn", on)
    doc.add("Grounds", command.grounds)
    if command.documents:
        doc.documents(command.documents)
    return doc.done()


def manual_receipt(
    command: RecordManualRegistration,
    *,
    mid: str,
    issued_at: datetime,
    processing_due: date,
    ttp_rk_due: date,
) -> bytes:
    """Attachment V receipt of a registration received by hand (Art. 12; C13), for CEISA."""
    doc = _Document(m.MANUAL_RECEIPT)
    doc.header(mid, issued_at, None)
    doc.add("SubmissionId", command.submission_id)
    doc.add("OfficeCode", command.office_code)
    doc.add("OfficerId", command.officer_id)
    doc.add("ReceivedOn", command.received_on)
    doc.add("ProcessingDueDate", processing_due)
    doc.add("TtpRkDueDate", ttp_rk_due)
    activities = doc.add("Activities")
    for activity in command.activities:
        doc.add("Activity", activity, activities)
    doc.documents(command.documents)
    return doc.done()


def reapplication(
    submission_id: str,
    *,
    attempt: int,
    previous: str,
    answered: str,
    activities: Sequence[str],
    on: date,
    issued_at: datetime,
) -> bytes:
    """Art. 10 / 22 reapplication: attempt ``attempt``, answering the ``answered`` message.

    ``previous`` is how the last attempt ended (RETURNED or REJECTED).
    """
    doc = _Document(m.REAPPLICATION)
    doc.header(reapplication_id(submission_id, attempt), issued_at, answered)
    doc.add("SubmissionId", submission_id)
    doc.add("AttemptNumber", attempt)
    doc.add("PreviousOutcome", previous)
    doc.add("ReappliedOn", on)
    parent = doc.add("Activities")
    for activity in activities:
        doc.add("Activity", activity, parent)
    return doc.done()
