"""Reading a document customs sent: parse safely, recognise, validate.

One function for every inbound CEISA document, so no consumer can forget a
step: :func:`contracts.xml_parsing.parse_untrusted` first (size, DTD,
entities, depth), then the root element names the message type and its
major version (its namespace), then lxml validates against that version's
schema. A document of a version the hub has no schema for is refused rather
than read with the wrong schema.

Exceptions (all ``ValueError``, none quoting the document)::

    XmlRefused       unsafe or malformed bytes      contracts.xml_parsing
    UnknownMessage   not a CEISA root, or unknown version   contracts.xml_messages
    XmlInvalid       the version's XSD refuses it   contracts.xml_validation
"""

from dataclasses import dataclass

from lxml import etree

from contracts.xml_messages import CustomsMessage, UnknownMessage, identify
from contracts.xml_parsing import MAX_XML_BYTES, parse_untrusted
from contracts.xml_validation import validate
from contracts.xsd import schema_path


@dataclass(frozen=True)
class CustomsDocument:
    """A parsed, recognised and schema-valid CEISA document."""

    message: CustomsMessage
    major: int
    root: etree._Element


def read_customs_document(data: bytes, *, max_bytes: int = MAX_XML_BYTES) -> CustomsDocument:
    """The validated document in ``data``; raises one of the errors listed above."""
    root = parse_untrusted(data, max_bytes=max_bytes)
    message, major = identify(str(root.tag))
    schema = message.schema(major)
    if not schema_path(schema).is_file():
        raise UnknownMessage(f"no schema for {message.name} v{major}")
    validate(root, schema)
    return CustomsDocument(message, major, root)
