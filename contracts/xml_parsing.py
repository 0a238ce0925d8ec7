"""Parsing untrusted XML: bounded, no DTD, no entities, no disk, no network.

Every XML document that reaches the hub from outside goes through
:func:`parse_untrusted`. The checks run cheapest first:

1. the size of the raw bytes, before the parser sees anything;
2. a scan for a document type declaration, which is refused outright: the
   messages we accept never need one, and every entity attack (XXE, billion
   laughs, external DTDs) needs one;
3. parsing with :func:`contracts.xsd.hardened_parser` (no DTD loading, no
   entity resolution, no network, no huge-tree mode) as a second line;
4. a bound on nesting depth and element count of the tree.

Exceptions::

    XmlRefused (ValueError)      .reason: RefusalReason
"""

from enum import StrEnum
from typing import Any, Final

from lxml import etree

from contracts.xsd import hardened_parser

MAX_XML_BYTES: Final = 256 * 1024
MAX_DEPTH: Final = 32
MAX_ELEMENTS: Final = 10_000

# The declaration in the encodings libxml2 would auto-detect from a BOM or
# the first bytes; the post-parse check catches anything more exotic.
_DOCTYPE_MARKERS: Final = tuple(
    "<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be")
)


class RefusalReason(StrEnum):
    """Why an inbound document was refused; safe to put in a dead-letter header."""

    TOO_LARGE = "TOO_LARGE"
    DTD_FORBIDDEN = "DTD_FORBIDDEN"
    ENTITY_FORBIDDEN = "ENTITY_FORBIDDEN"
    TOO_DEEP = "TOO_DEEP"
    TOO_MANY_ELEMENTS = "TOO_MANY_ELEMENTS"
    MALFORMED = "MALFORMED"


class XmlRefused(ValueError):
    """An inbound document the hub will not parse. The text never quotes the document."""

    def __init__(self, reason: RefusalReason, detail: str = "") -> None:
        self.reason = reason
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)


def parse_untrusted(
    data: bytes,
    *,
    max_bytes: int = MAX_XML_BYTES,
    max_depth: int = MAX_DEPTH,
    max_elements: int = MAX_ELEMENTS,
) -> etree._Element:
    """The root element of ``data``, or :class:`XmlRefused` naming why not."""
    if len(data) > max_bytes:
        raise XmlRefused(RefusalReason.TOO_LARGE, f"{len(data)} bytes > {max_bytes}")
    if any(marker in data for marker in _DOCTYPE_MARKERS):
        raise XmlRefused(RefusalReason.DTD_FORBIDDEN, "document type declaration present")
    root = parse_with_hardened_parser(data)
    _check_shape(root, max_depth, max_elements)
    return root


def parse_with_hardened_parser(data: bytes) -> etree._Element:
    """Parse with the hardened parser and refuse what slipped past the byte scan.

    Public so tests can prove the parser is safe on its own, without the scan.
    """
    try:
        root = etree.fromstring(data, hardened_parser())
    except etree.XMLSyntaxError as error:
        # libxml2's message can quote the document: report only its error kind and place.
        last = error.error_log.last_error
        kind = last.type_name if last is not None else "XML_SYNTAX_ERROR"
        raise XmlRefused(RefusalReason.MALFORMED, f"{kind} at line {error.lineno}") from None
    docinfo: Any = root.getroottree().docinfo  # stubs lack DocInfo.doctype
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise XmlRefused(RefusalReason.DTD_FORBIDDEN, "document type declaration present")
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise XmlRefused(RefusalReason.ENTITY_FORBIDDEN, "entity reference present")
    return root


def _check_shape(root: etree._Element, max_depth: int, max_elements: int) -> None:
    depth = elements = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        depth += 1
        elements += 1
        if depth > max_depth:
            raise XmlRefused(RefusalReason.TOO_DEEP, f"nesting deeper than {max_depth}")
        if elements > max_elements:
            raise XmlRefused(RefusalReason.TOO_MANY_ELEMENTS, f"more than {max_elements}")
