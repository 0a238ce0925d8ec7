"""AsyncAPI completeness (enumerations, limits, headers, keys), $refs resolve, offline HTML."""

import json
import re
from pathlib import Path
from typing import Any

from contracts import asyncapi, channels, topics
from contracts import headers as h
from contracts.registration import BusinessType, IdentityKind, TraderType
from contracts.xml_parsing import MAX_XML_BYTES
from devstack import contract_html, openapi

ROOT = Path(__file__).resolve().parents[2]


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def _message(doc: dict[str, Any], topic: str) -> dict[str, Any]:
    key = topic.replace(".", "_")
    message: dict[str, Any] = doc["channels"][key]["messages"][key]
    return message


def test_every_reference_resolves_in_every_document():
    documents = [asyncapi.document()] + [openapi.document(api) for api in openapi.apis()]
    for doc in documents:
        refs = _refs(doc)
        assert refs, "no reference at all: the walk is broken"
        for ref in refs:
            assert ref.startswith("#/"), ref
            node = doc
            for step in ref[2:].split("/"):
                assert step in node, ref
                node = node[step]


def test_enumerations_of_the_lenient_submission_are_published():
    schemas = asyncapi.document()["components"]["schemas"]
    organisation = schemas["Organisation"]["properties"]
    assert organisation["trader_type"]["x-insw-values"] == [t.value for t in TraderType]
    assert organisation["business_types"]["x-insw-values"] == [b.value for b in BusinessType]
    identity = schemas["ApplicantIdentity"]["properties"]["kind"]
    assert identity["x-insw-values"] == [k.value for k in IdentityKind]


def test_headers_name_their_values_and_which_are_required():
    doc = asyncapi.document()
    submitted = _message(doc, topics.REGISTRATION_SUBMITTED)["headers"]
    assert submitted["properties"][h.SCHEMA]["const"] == "insw.registration.submitted/v1"
    assert submitted["required"] == []  # portals may omit lineage headers (README)
    decided = _message(doc, topics.REGISTRATION_DECIDED)["headers"]
    assert set(decided["required"]) == {
        h.MESSAGE_ID,
        h.CORRELATION_ID,
        h.CAUSATION_ID,
        h.SCHEMA,
        h.CONTENT_TYPE,
    }
    for channel in channels.channels():
        headers = _message(doc, channel.topic)["headers"]
        assert headers["properties"][h.SCHEMA]["const"] == channel.schema_id
        assert headers["properties"][h.CONTENT_TYPE]["const"] == channel.content_type
        if channel.signed:
            assert {h.SIGNATURE, h.SIGNER} <= set(headers["required"]), channel.topic


def test_keys_limits_and_sealed_dead_letters_are_documented():
    doc = asyncapi.document()
    key = _message(doc, topics.REGISTRATION_DECIDED)["bindings"]["kafka"]["key"]
    assert "submission id" in key["description"] and "partition" in key["description"]
    audit_key = _message(doc, topics.AUDIT)["bindings"]["kafka"]["key"]["description"]
    assert "chain id" in audit_key
    xml = _message(doc, topics.CEISA_REGISTRATION)["payload"]
    assert xml["maxLength"] == MAX_XML_BYTES
    dlq = doc["channels"][topics.dead_letter_topic(topics.REGISTRATION_SUBMITTED).replace(".", "_")]
    assert "sealed" in dlq["description"]
    dlq_headers = next(iter(dlq["messages"].values()))["headers"]["properties"]
    assert h.DLQ_SEALED in dlq_headers and h.SCHEMA in dlq_headers


def test_readme_no_longer_says_dead_letters_keep_the_original_bytes():
    readme = (ROOT / "README.md").read_text()
    assert "| the original bytes |" not in readme
    assert "sealed (Fernet under `DLQ_SEAL_KEY`)" in readme


def test_committed_html_pages_are_the_generated_ones():
    assert contract_html.main(["--check"]) == 0, "run: python -m devstack.contract_html"


def test_asyncapi_html_lists_every_channel_and_fetches_nothing():
    page = contract_html.asyncapi_html(asyncapi.document())
    for channel in asyncapi.document()["channels"].values():
        assert f"<code>{channel['address']}</code>" in page, channel["address"]
    _offline(page)


def test_openapi_html_lists_every_path_and_method_and_fetches_nothing():
    for api in openapi.apis():
        doc = openapi.document(api)
        page = contract_html.openapi_html(doc)
        for path, operations in doc["paths"].items():
            for method in operations:
                assert f'id="{method}{path}"' in page, (api.name, method, path)
        _offline(page)


def test_a_missing_channel_would_be_noticed():
    doc = asyncapi.document()
    doc["channels"].pop(topics.REGISTRATION_DECIDED.replace(".", "_"))
    assert f"<code>{topics.REGISTRATION_DECIDED}</code>" not in contract_html.asyncapi_html(doc)


def test_values_are_escaped_in_the_html():
    page = contract_html.fields({"properties": {"x": {"type": "string", "description": "<b>"}}})
    assert "&lt;b&gt;" in page and "<b>" not in page


def _offline(page: str) -> None:
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.IGNORECASE)
    assert "@import" not in page
    json.dumps(page)  # plain text
