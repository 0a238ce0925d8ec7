"""Validating CEISA documents: lxml on the hot path, xmlschema for explanations.

lxml (libxml2, C) validates in microseconds and is what every build and every
inbound read uses. When a document fails, :func:`explain` asks xmlschema
(pure Python, tens of times slower) for the failing paths, which read better
in a dead-letter reason. Neither ever quotes a value: the document may carry
personal data (names, addresses), so errors name the place and the kind of
failure only.

Exceptions::

    XmlInvalid (ValueError)      .errors: tuple[str, ...]
"""

from functools import cache
from typing import Any, Final, cast

import xmlschema
from lxml import etree

from contracts.xsd import load_schema, schema_path

MAX_EXPLAINED: Final = 5


class XmlInvalid(ValueError):
    """A document its schema refuses; ``errors`` hold ``path: kind`` lines without values."""

    def __init__(self, schema: str, errors: tuple[str, ...]) -> None:
        self.schema = schema
        self.errors = errors
        super().__init__(f"invalid for {schema}: {'; '.join(errors)}")


def is_valid(root: etree._Element, schema: str) -> bool:
    """Whether lxml accepts ``root`` against ``schemas/xsd/<schema>``."""
    return bool(load_schema(schema).validate(root))


def validate(root: etree._Element, schema: str) -> None:
    """Raise :class:`XmlInvalid` if lxml refuses ``root``; the hot-path check.

    The report is libxml2's element path and error kind (e.g.
    ``SCHEMAV_CVC_PATTERN_VALID``); its message text is dropped because it
    quotes the offending value.
    """
    compiled = load_schema(schema)
    if compiled.validate(root):
        return
    errors = tuple(
        f"{entry.path}: {entry.type_name}" for entry in list(compiled.error_log)[:MAX_EXPLAINED]
    )
    raise XmlInvalid(schema, errors)


@cache
def xmlschema_for(schema: str) -> xmlschema.XMLSchema10:
    """Compile (once) ``schemas/xsd/<schema>`` with xmlschema, sandboxed and defused.

    ``allow="sandbox"`` lets the schema include only files from its own
    directory; ``defuse="always"`` parses everything with a defused parser.
    """
    return xmlschema.XMLSchema10(
        str(schema_path(schema)), allow="sandbox", defuse="always", use_meta=True
    )


def explain(root: etree._Element, schema: str, limit: int = MAX_EXPLAINED) -> tuple[str, ...]:
    """Human-readable ``path: kind`` lines for what xmlschema refuses in ``root``.

    Empty when xmlschema accepts the document. Paths use local names; kinds
    are the failing schema component (``pattern``, ``enumeration``,
    ``content``, ``missing Header``, ``unexpected Foo``…), never the value.
    """
    lines: list[str] = []
    for error in xmlschema_for(schema).iter_errors(_resource(root)):
        lines.append(f"{_local_path(error.path)}: {_kind(error)}")
        if len(lines) >= limit:
            break
    return tuple(lines)


def xmlschema_accepts(root: etree._Element, schema: str) -> bool:
    """Whether xmlschema accepts ``root``: the second opinion for differential tests."""
    return bool(xmlschema_for(schema).is_valid(_resource(root)))


def _resource(root: etree._Element) -> xmlschema.XMLResource:
    # The instance is already parsed (by the hardened parser): the resource
    # wrapper may load nothing at all.
    # xmlschema reads lxml elements; its annotations describe ElementTree's protocol only.
    return xmlschema.XMLResource(cast(Any, root), allow="none", defuse="always")


def _local_path(path: str | None) -> str:
    if not path:
        return "/"
    return "/".join(step.rpartition("}")[2].rpartition(":")[2] for step in path.split("/"))


def _kind(error: xmlschema.XMLSchemaValidationError) -> str:
    if error.invalid_tag is not None:
        return f"unexpected {error.invalid_tag.rpartition('}')[2]}"
    expected = error.expected_tags
    if expected:
        return "missing " + "|".join(tag.rpartition("}")[2] for tag in expected)
    validator = type(error.validator).__name__
    for component, kind in _KINDS:
        if component in validator:
            return kind
    return "invalid"


_KINDS: Final = (
    ("Pattern", "pattern"),
    ("Enumeration", "enumeration"),
    ("Length", "length"),
    ("Group", "content"),
    ("Attribute", "attribute"),
    ("Atomic", "type"),
    ("Element", "element"),
)
