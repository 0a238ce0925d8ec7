"""The catalogue of CEISA messages: name, root element, direction, rule, schema.

Every message exchanged with customs has one root element and its own
namespace, ``urn:insw:ceisa:<name>:v<major>``, so a document names its own
schema version and a v1 reader never mistakes a v2 document for its own.
Schemas are versioned by directory: ``schemas/xsd/ceisa/v<major>/<name>.xsd``.
"""

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

NAMESPACE_PREFIX: Final = "urn:insw:ceisa:"
_NAMESPACE = re.compile(r"urn:insw:ceisa:(?P<name>[a-z][a-z-]*):v(?P<major>[1-9][0-9]*)")


class Direction(StrEnum):
    """Who sends the message."""

    TO_CUSTOMS = "TO_CUSTOMS"
    FROM_CUSTOMS = "FROM_CUSTOMS"


@dataclass(frozen=True)
class CustomsMessage:
    """One message type of the customs exchange."""

    name: str
    root: str
    direction: Direction
    rule: str

    def namespace(self, major: int = 1) -> str:
        """The namespace of this message in schema version ``major``."""
        return f"{NAMESPACE_PREFIX}{self.name}:v{major}"

    def schema(self, major: int = 1) -> str:
        """The XSD of this message, relative to ``schemas/xsd``."""
        return f"ceisa/v{major}/{self.name}.xsd"

    def qname(self, major: int = 1) -> str:
        """The root element's qualified name in Clark notation (``{ns}Root``)."""
        return f"{{{self.namespace(major)}}}{self.root}"


_TO, _FROM = Direction.TO_CUSTOMS, Direction.FROM_CUSTOMS

REGISTRATION: Final = CustomsMessage("registration", "RegistrationApplication", _TO, "C1")
DATA_CHANGE_NOTIFICATION: Final = CustomsMessage(
    "data-change-notification", "DataChangeNotification", _TO, "C10"
)
UNBLOCK_APPLICATION: Final = CustomsMessage("unblock-application", "UnblockApplication", _TO, "C11")
SUPPORTING_DOCUMENTS: Final = CustomsMessage(
    "supporting-documents", "SupportingDocumentsDelivery", _TO, "C3"
)
ADDITIONAL_DOCUMENTS_REPLY: Final = CustomsMessage(
    "additional-documents-reply", "AdditionalDocumentsReply", _TO, "C6"
)
PROOF_OF_ENTRY: Final = CustomsMessage("proof-of-entry", "ProofOfEntry", _FROM, "C2")
RETURN_RECEIPT: Final = CustomsMessage("return-receipt", "ReturnReceipt", _FROM, "C3")
TTP_RK: Final = CustomsMessage("ttp-rk", "TtpRkReceipt", _FROM, "C4")
ADDITIONAL_DOCUMENTS_REQUEST: Final = CustomsMessage(
    "additional-documents-request", "AdditionalDocumentsRequest", _FROM, "C6"
)
ACCEPTANCE: Final = CustomsMessage("acceptance", "RegistrationAcceptance", _FROM, "C8")
REJECTION: Final = CustomsMessage("rejection", "RegistrationRejection", _FROM, "C9")
DATA_CHANGE_OUTCOME: Final = CustomsMessage(
    "data-change-outcome", "DataChangeOutcome", _FROM, "C10"
)
BLOCKING: Final = CustomsMessage("blocking", "BlockingNotice", _FROM, "C11")
UNBLOCKING: Final = CustomsMessage("unblocking", "UnblockingNotice", _FROM, "C11")
REVOCATION: Final = CustomsMessage("revocation", "RevocationNotice", _FROM, "C12")
DATA_CHANGE_RECEIPT: Final = CustomsMessage(
    "data-change-receipt", "DataChangeReceipt", _FROM, "C10"
)
UNBLOCK_REFUSAL: Final = CustomsMessage("unblock-refusal", "UnblockRefusal", _FROM, "C11")
MANUAL_RECEIPT: Final = CustomsMessage("manual-receipt", "ManualRegistrationReceipt", _TO, "C13")
SITE_CHECK_RESULT: Final = CustomsMessage("site-check-result", "SiteCheckResult", _FROM, "C15")
REAPPLICATION: Final = CustomsMessage("reapplication", "RegistrationReapplication", _TO, "C3/C9")
"""A new attempt after a return (Art. 9-10) or rejection (Art. 22): ids and activities only."""

MESSAGES: Final[tuple[CustomsMessage, ...]] = (
    REGISTRATION,
    DATA_CHANGE_NOTIFICATION,
    UNBLOCK_APPLICATION,
    SUPPORTING_DOCUMENTS,
    ADDITIONAL_DOCUMENTS_REPLY,
    PROOF_OF_ENTRY,
    RETURN_RECEIPT,
    TTP_RK,
    ADDITIONAL_DOCUMENTS_REQUEST,
    ACCEPTANCE,
    REJECTION,
    DATA_CHANGE_OUTCOME,
    BLOCKING,
    UNBLOCKING,
    REVOCATION,
    DATA_CHANGE_RECEIPT,
    UNBLOCK_REFUSAL,
    MANUAL_RECEIPT,
    SITE_CHECK_RESULT,
    REAPPLICATION,
)
_BY_NAME: Final = {message.name: message for message in MESSAGES}


class UnknownMessage(ValueError):
    """A root element that is not a CEISA message this hub knows."""


def by_name(name: str) -> CustomsMessage:
    """The message type called ``name`` (e.g. ``"ttp-rk"``)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownMessage(f"no CEISA message named {name!r}") from None


def identify(qname: str) -> tuple[CustomsMessage, int]:
    """Message type and major version of a root element given as ``{namespace}Local``.

    The error names the namespace and element, which come from the schema
    vocabulary, never from data values.
    """
    namespace, _, local = qname[1:].partition("}") if qname.startswith("{") else ("", "", qname)
    match = _NAMESPACE.fullmatch(namespace)
    message = _BY_NAME.get(match["name"]) if match else None
    if match is None or message is None or message.root != local:
        raise UnknownMessage(f"not a CEISA message root: {qname[:200]}")
    return message, int(match["major"])
