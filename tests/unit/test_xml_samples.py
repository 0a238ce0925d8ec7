"""Every CEISA message has a documented schema and samples that three validators agree on.

lxml (libxml2 via Python), xmlschema (pure Python) and ``xmllint`` (libxml2's
own command line, the tool a customs engineer would reach for) must give the
same verdict on every sample: valid ones valid, invalid ones invalid. A
disagreement means a schema leans on a corner where implementations differ,
which is a contract bug even if our own validator is happy.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from contracts.xml_messages import MESSAGES, Direction, by_name, identify
from contracts.xml_parsing import parse_untrusted
from contracts.xml_validation import explain, is_valid, xmlschema_accepts
from contracts.xsd import schema_path

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "ceisa"
XS = "{http://www.w3.org/2001/XMLSchema}"


def _samples() -> list[tuple[int, str, Path]]:
    found = []
    for path in sorted(SAMPLES.glob("v*/*/*.xml")):
        major = int(path.parents[1].name[1:])
        found.append((major, path.parent.name, path))
    return found


SAMPLE_CASES = _samples()


def _xmllint_accepts(schema: Path, document: Path) -> bool:
    xmllint = shutil.which("xmllint")
    assert xmllint, "xmllint is installed by ./hub (libxml2-utils)"
    checked = subprocess.run(
        [xmllint, "--noout", "--nonet", "--schema", str(schema), str(document)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode in {0, 3}, checked.stderr  # 3: document invalid; else a tool error
    return checked.returncode == 0


@pytest.mark.parametrize(
    ("major", "name", "path"),
    SAMPLE_CASES,
    ids=[f"v{m}/{n}/{p.name}" for m, n, p in SAMPLE_CASES],
)
def test_lxml_xmlschema_and_xmllint_agree_on_every_sample(major: int, name: str, path: Path):
    expected = path.name.startswith("valid")
    assert expected or path.name.startswith("invalid"), "name samples valid-* or invalid-*"
    message = by_name(name)
    schema = message.schema(major)
    root = parse_untrusted(path.read_bytes())
    assert identify(str(root.tag)) == (message, major)

    verdicts = {
        "lxml": is_valid(root, schema),
        "xmlschema": xmlschema_accepts(root, schema),
        "xmllint": _xmllint_accepts(schema_path(schema), path),
    }
    assert verdicts == dict.fromkeys(verdicts, expected)
    assert bool(explain(root, schema)) is not expected


@pytest.mark.parametrize("message", MESSAGES, ids=[m.name for m in MESSAGES])
def test_every_message_has_a_schema_a_valid_and_an_invalid_v1_sample(message):
    schema = schema_path(message.schema())
    assert schema.is_file()
    names = [p.name for p in (SAMPLES / "v1" / message.name).glob("*.xml")]
    assert any(n.startswith("valid") for n in names)
    assert any(n.startswith("invalid") for n in names)


@pytest.mark.parametrize("message", MESSAGES, ids=[m.name for m in MESSAGES])
def test_each_schema_has_one_root_named_as_catalogued_in_its_own_namespace(message):
    tree = etree.parse(str(schema_path(message.schema())))
    assert tree.getroot().get("targetNamespace") == message.namespace()
    roots = tree.getroot().findall(f"{XS}element")
    assert [r.get("name") for r in roots] == [message.root]


@pytest.mark.parametrize("message", MESSAGES, ids=[m.name for m in MESSAGES])
def test_every_element_and_type_in_the_schema_and_its_includes_is_documented(message):
    for path in (schema_path(message.schema()), schema_path("ceisa/v1/common.xsd")):
        tree = etree.parse(str(path))
        for node in tree.iter(f"{XS}element", f"{XS}simpleType", f"{XS}complexType"):
            named = node.get("name") is not None
            if not named:  # anonymous types are documented by their element
                continue
            docs = node.findall(f"{XS}annotation/{XS}documentation")
            assert docs and (docs[0].text or "").strip(), f"{path.name}: {node.get('name')}"


def test_messages_in_both_directions_and_the_customs_id_is_never_called_nik():
    assert {m.direction for m in MESSAGES} == set(Direction)
    for path in schema_path("ceisa/v1").glob("*.xsd"):
        tree = etree.parse(str(path))
        names = {node.get("name") for node in tree.iter(f"{XS}element")}
        assert not {n for n in names if n and n.lower() == "nik"}, path.name


INVALID_CASES = [case for case in SAMPLE_CASES if case[2].name.startswith("invalid")]


@pytest.mark.parametrize(
    ("major", "name", "path"),
    INVALID_CASES,
    ids=[f"v{m}/{n}/{p.name}" for m, n, p in INVALID_CASES],
)
def test_error_reports_name_places_never_values(major: int, name: str, path: Path):
    from contracts.xml_validation import XmlInvalid, validate

    schema = by_name(name).schema(major)
    root = parse_untrusted(path.read_bytes())
    tags = {etree.QName(node).localname for node in root.iter()}
    values = {
        text.strip()
        for node in root.iter()
        for text in (node.text, *node.attrib.values())
        if text and len(text.strip()) >= 3 and text.strip() not in tags
    }
    with pytest.raises(XmlInvalid) as lxml_error:
        validate(root, schema)
    reports = [str(lxml_error.value), *explain(root, schema)]
    assert reports[1:], "xmlschema explains the failure"
    for report in reports:
        assert not [value for value in values if value in report], report
