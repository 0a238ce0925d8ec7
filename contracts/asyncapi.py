"""The AsyncAPI 3.0 document of the hub's Kafka contract, generated from this package.

``python -m contracts.asyncapi`` prints it; ``docs/asyncapi.json`` is that
output, committed, and a unit test fails when the two differ, so the published
description cannot drift from the models the services actually use.
"""

import json
import sys
from typing import Any

from pydantic import TypeAdapter

from contracts import headers as h
from contracts import topics
from contracts.channels import Channel, channels
from contracts.xml_parsing import MAX_DEPTH, MAX_ELEMENTS, MAX_XML_BYTES

_LINEAGE = {
    h.MESSAGE_ID: "Unique id of this message.",
    h.CORRELATION_ID: "The submission id, for the whole life of an application.",
    h.CAUSATION_ID: "Message id of the direct cause (its own id when nothing caused it).",
}
_FROM_OUTSIDE = (
    " Written by a participant outside the hub: optional (a record without it is read as "
    "this channel's schema); when present it must be exactly this value, or the record is "
    "dead-lettered naming the header."
)


def headers_of(channel: Channel) -> dict[str, Any]:
    """The headers of ``channel``'s messages: which are required, and the values fixed by it.

    The hub stamps every lineage header on what it writes (``Outbound.of``);
    participants writing to a ``receive`` channel may omit them, except the
    signature of a signed channel.
    """
    outside = channel.action == "receive"
    properties: dict[str, Any] = {
        name: {"type": "string", "description": text} for name, text in _LINEAGE.items()
    }
    properties[h.SCHEMA] = {
        "type": "string",
        "const": channel.schema_id,
        "description": "Payload schema and major version." + (_FROM_OUTSIDE if outside else ""),
    }
    properties[h.CONTENT_TYPE] = {"type": "string", "const": channel.content_type}
    required = [] if outside else [*_LINEAGE, h.SCHEMA, h.CONTENT_TYPE]
    if channel.signed:
        properties[h.SIGNATURE] = {
            "type": "string",
            "description": "Detached Ed25519 signature (base64url) over key, value and "
            f"{', '.join(h.SIGNED)}; a record without a valid one is dead-lettered "
            "SIGNATURE_INVALID.",
        }
        properties[h.SIGNER] = {
            "type": "string",
            "description": "Key id of the signature; its signer must be one of "
            f"{', '.join(sorted(channel.signers))}.",
        }
        properties[h.SIGNATURE_PATH] = {
            "type": "string",
            "pattern": r"^(0|[1-9][0-9]*)\.[1-9][0-9]*\.[A-Za-z0-9_-]*$",
            "description": "Present when the signature covers a batch: the record's index, "
            "the batch's size and its path (base64url SHA-256 hashes) to the signed root "
            "of the batch's hash tree; absent when the record is signed alone.",
        }
        required += [h.SIGNATURE, h.SIGNER]
    return {"type": "object", "required": required, "properties": properties}


def _kafka_key(channel: Channel) -> dict[str, Any]:
    """The record key, which is also what partitions the topic."""
    if channel.topic == topics.AUDIT:
        text = "the audit chain id (the writer's transactional id): one chain, one partition"
    else:
        text = "the submission id: every record of one application on one partition, in order"
    return {"type": "string", "description": text}


def _string_headers(described: list[tuple[str, str]]) -> dict[str, Any]:
    """A JSON schema of string headers, each with its description."""
    return {
        "type": "object",
        "properties": {name: {"type": "string", "description": text} for name, text in described},
    }


_DLQ_HEADERS = _string_headers(
    [
        (h.DLQ_TOPIC, "Topic the record was first consumed from (never T.retry)."),
        (h.DLQ_PARTITION, "Its partition."),
        (h.DLQ_OFFSET, "Its offset."),
        (h.DLQ_EXCEPTION_CLASS, "Class of the error that stopped it."),
        (h.DLQ_EXCEPTION_MESSAGE, "What went wrong, free of personal data."),
        (h.DLQ_FAILED_AT, "When, in epoch milliseconds."),
        (h.DLQ_SEALED, "Sealing scheme of the value (fernet-v1)."),
    ]
    + [(name, "Kept from the original record.") for name in h.LINEAGE]
)


def _key(topic: str) -> str:
    return topic.replace(".", "_")


_RETRY_HEADERS = _string_headers(
    [
        (h.RETRY_ATTEMPT, "Which retry this is: 1, 2, ..."),
        (h.RETRY_DUE_MS, "Not to be tried before this time, in epoch milliseconds."),
        (h.RETRY_ORIGIN, "topic/partition/offset where the record was first consumed."),
        (h.RETRY_LAST_ERROR, "Class and text of the last failure, free of personal data."),
    ]
)


def _json_schema(model: Any) -> dict[str, Any]:
    return TypeAdapter(model).json_schema(ref_template="#/components/schemas/{model}")


def _message(topic: str, channel: Channel | None, headers: dict[str, Any]) -> dict[str, Any]:
    if channel is None or channel.model is None:
        content_type = channel.content_type if channel else "application/xml"
        payload: dict[str, Any] = {"type": "string", "contentMediaType": content_type}
        if channel is not None:
            payload["description"] = (
                f"XML valid against its XSD under schemas/xsd; at most {MAX_XML_BYTES} bytes, "
                f"{MAX_DEPTH} levels and {MAX_ELEMENTS} elements, no DTD or entities."
            )
            payload["maxLength"] = MAX_XML_BYTES
    else:
        payload = _json_schema(channel.model)
        payload.pop("$defs", None)
        content_type = channel.content_type
    if channel is not None:
        payload = {**payload, "x-insw-schema": channel.schema_id}
    return {
        "name": topic,
        "contentType": content_type,
        "headers": headers,
        "payload": payload,
        "bindings": {
            "kafka": {
                "key": _kafka_key(channel)
                if channel is not None
                else {"type": "string", "description": "the original record's key"}
            }
        },
    }


def _schemas() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for channel in channels():
        if channel.model is not None:
            found.update(_json_schema(channel.model).get("$defs", {}))
    return dict(sorted(found.items()))


def document() -> dict[str, Any]:
    """The AsyncAPI 3.0.0 document as a JSON-ready dict."""
    documented: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for channel in channels():
        topic, key = channel.topic, _key(channel.topic)
        documented[key] = {
            "address": topic,
            "description": channel.description,
            "messages": {key: _message(topic, channel, headers_of(channel))},
        }
        if channel.configs:
            documented[key]["x-insw-topic-configs"] = dict(channel.configs)
        operations[f"{channel.action}_{key}"] = {
            "action": channel.action,
            "channel": {"$ref": f"#/channels/{key}"},
        }
        if channel.retried:
            dlq = topics.dead_letter_topic(topic)
            documented[_key(dlq)] = {
                "address": dlq,
                "description": f"Dead letters of {topic}: the original key, the original "
                "value sealed (Fernet under DLQ_SEAL_KEY: it holds personal data), the original "
                "lineage and signature headers and the Kafka Connect error headers.",
                "messages": {
                    _key(dlq): _message(dlq, None, _DLQ_HEADERS)
                    | {
                        "contentType": "application/octet-stream",
                        "payload": {
                            "type": "string",
                            "description": "the original value sealed with Fernet under "
                            "DLQ_SEAL_KEY: it holds personal data",
                        },
                    }
                },
            }
            retry = topics.retry_topic(topic)
            documented[_key(retry)] = {
                "address": retry,
                "description": f"Delayed retries of {topic}: the original key, value and "
                "lineage headers, with the attempt number and the time it is due. Read back "
                "by the same service; after the last attempt the record goes to "
                f"{dlq}.",
                "messages": {
                    _key(retry): _message(retry, None, _RETRY_HEADERS)
                    | {
                        "payload": {
                            "type": "string",
                            "description": "the original value, unchanged",
                        },
                    }
                },
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "INSW registration hub",
            "version": "1.0.0",
            "description": "Kafka contract of the Indonesia National Single Window "
            "registration hub: one submission, one decision.",
        },
        "defaultContentType": "application/json",
        "channels": documented,
        "operations": operations,
        "components": {"schemas": _schemas()},
    }


def render() -> str:
    """The document as stable, indented JSON text."""
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
