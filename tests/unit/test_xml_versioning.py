"""Schema versions live side by side; a new version must not break the old one's users."""

from pathlib import Path

import pytest

from contracts.xml_messages import MESSAGES, REJECTION, UnknownMessage
from contracts.xml_parsing import parse_untrusted
from contracts.xml_reader import read_customs_document
from contracts.xml_validation import XmlInvalid, is_valid
from contracts.xsd import schema_path
from devstack.xml_compat import Break, IncompatibleSchema, check_compatible, compare_schemas

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "ceisa"
V1_REJECTION = SAMPLES / "v1" / "rejection" / "valid.xml"
V2_REJECTION = SAMPLES / "v2" / "rejection" / "valid.xml"


def test_a_v2_directory_exists_beside_v1():
    assert schema_path(REJECTION.schema(2)).is_file()
    assert schema_path(REJECTION.schema(1)).is_file()


@pytest.mark.parametrize(
    "path", sorted(SAMPLES.glob("v1/*/valid*.xml")), ids=lambda p: p.parent.name
)
def test_v1_documents_still_read_and_validate_as_v1_when_v2_exists(path: Path):
    document = read_customs_document(path.read_bytes())
    assert document.major == 1
    assert document.message.name == path.parent.name


def test_each_version_is_read_with_its_own_schema():
    assert read_customs_document(V2_REJECTION.read_bytes()).major == 2
    v1_root = parse_untrusted(V1_REJECTION.read_bytes())
    v2_root = parse_untrusted(V2_REJECTION.read_bytes())
    # The namespace carries the version, so the schemas never accept each other's documents.
    assert not is_valid(v1_root, REJECTION.schema(2))
    assert not is_valid(v2_root, REJECTION.schema(1))


def test_a_version_without_a_schema_is_refused_not_read_with_another_schema():
    v3 = V2_REJECTION.read_bytes().replace(b":v2", b":v3")
    with pytest.raises(UnknownMessage, match="v3"):
        read_customs_document(v3)


def test_a_v1_document_claiming_another_schema_version_is_invalid():
    wrong = V1_REJECTION.read_bytes().replace(b"<SchemaVersion>1.0", b"<SchemaVersion>2.0")
    with pytest.raises(XmlInvalid):
        read_customs_document(wrong)


def test_the_v2_rejection_is_backward_compatible_with_v1():
    check_compatible(schema_path(REJECTION.schema(1)), schema_path(REJECTION.schema(2)))


@pytest.mark.parametrize("message", MESSAGES, ids=[m.name for m in MESSAGES])
def test_every_v1_schema_is_compatible_with_itself(message):
    path = schema_path(message.schema())
    assert compare_schemas(path, path) == []


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of v1 rejection.xsd (with its common.xsd) with one edit applied."""
    source = schema_path("ceisa/v1/rejection.xsd").read_text()
    assert old in source or old in schema_path("ceisa/v1/common.xsd").read_text()
    common = schema_path("ceisa/v1/common.xsd").read_text()
    (tmp_path / "common.xsd").write_text(common.replace(old, new))
    (tmp_path / "rejection.xsd").write_text(source.replace(old, new))
    return tmp_path / "rejection.xsd"


BREAKING_EDITS = [
    pytest.param(
        '<xs:element name="ReceiptNumber" type="Identifier">',
        '<xs:element name="ReceiptNumber" type="Identifier" minOccurs="0">'
        '</xs:element><xs:element name="Officer" type="Text">',
        Break.NEW_REQUIRED_ELEMENT,
        id="new-required-element",
    ),
    pytest.param(
        '<xs:element name="ReceiptNumber" type="Identifier">',
        '<xs:element name="ReceiptNo" type="Identifier">',
        Break.REMOVED_ELEMENT,
        id="renamed-element-is-removed",
    ),
    pytest.param(
        '<xs:enumeration value="4"/>',
        "",
        Break.NARROWED_ENUMERATION,
        id="narrowed-function-code",
    ),
    pytest.param(
        '<xs:element name="Reason" type="Reason" maxOccurs="20">',
        '<xs:element name="Reason" type="Reason" maxOccurs="2">',
        Break.TIGHTER_OCCURS,
        id="fewer-reasons",
    ),
    pytest.param(
        '<xs:maxLength value="512"/>',
        '<xs:maxLength value="100"/>',
        Break.TIGHTER_LENGTH,
        id="shorter-text",
    ),
    pytest.param(
        '<xs:element name="RejectedOn" type="xs:date">',
        '<xs:element name="RejectedOn" type="xs:dateTime">',
        Break.CHANGED_TYPE,
        id="date-becomes-datetime",
    ),
]


@pytest.mark.parametrize(("old", "new", "kind"), BREAKING_EDITS)
def test_breaking_changes_are_reported_as_incompatible(tmp_path: Path, old, new, kind):
    changed = _variant(tmp_path, old, new)
    with pytest.raises(IncompatibleSchema) as error:
        check_compatible(schema_path(REJECTION.schema(1)), changed)
    assert kind in {problem.kind for problem in error.value.problems}


def test_additive_changes_are_compatible(tmp_path: Path):
    widened = _variant(
        tmp_path,
        '<xs:enumeration value="1"/>',
        '<xs:enumeration value="1"/><xs:enumeration value="5"/>',
    )
    assert compare_schemas(schema_path(REJECTION.schema(1)), widened) == []
