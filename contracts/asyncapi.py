"""The AsyncAPI 3.0 document of the hub's Kafka contract, generated from this package.

``python -m contracts.asyncapi`` prints it; ``docs/asyncapi.json`` is that
output, committed, and a unit test fails when the two differ, so the published
description cannot drift from the models the services actually use.
"""

import json
import sys
from typing import Any

from pydantic import BaseModel

from contracts import headers as h
from contracts import topics
from contracts.customs import CustomsApplicationStatus, CustomsDeadline
from contracts.decision import RegistrationDecided
from contracts.notification import NotificationRequested
from contracts.referral import ManualDecision, ReferralDeadline
from contracts.registration import RegistrationSubmitted
from contracts.verification import VerificationCompleted, VerificationRequested
from contracts.xsd import CEISA_REGISTRATION_V1

CHANNELS: list[tuple[str, type[BaseModel] | None, str, str]] = [
    (
        topics.REGISTRATION_SUBMITTED,
        RegistrationSubmitted,
        "receive",
        "Public. One message per application from a partner portal, keyed by submission id. "
        "The Surat Kuasa travels by reference (document id and SHA-256), never inline.",
    ),
    (
        topics.REGISTRATION_DECIDED,
        RegistrationDecided,
        "send",
        "Public. The one decision per submission, keyed by submission id. decision_id is "
        "stable across redelivery: consumers drop repeats by it.",
    ),
    (
        topics.CEISA_REGISTRATION,
        None,
        "send",
        f"Public. XML for customs (CEISA), one per approved decision, valid against "
        f"schemas/xsd/{CEISA_REGISTRATION_V1}; keyed by submission id.",
    ),
    (
        topics.NIB_VERIFICATION_REQUESTED,
        VerificationRequested,
        "send",
        "Internal. The gateway asks the OSS adapter about an NIB.",
    ),
    (
        topics.NPWP_VERIFICATION_REQUESTED,
        VerificationRequested,
        "send",
        "Internal. The gateway asks the DJP adapter about an NPWP.",
    ),
    (
        topics.NIK_VERIFICATION_REQUESTED,
        VerificationRequested,
        "send",
        "Internal. The gateway asks the Dukcapil adapter about a NIK and name.",
    ),
    (
        topics.MANUAL_DECISION,
        ManualDecision,
        "receive",
        "Officers' decisions on referred applications (R13), keyed by submission id; also "
        "accepted over HTTP by the gateway's officer endpoint.",
    ),
    (
        topics.REFERRAL_DEADLINE,
        ReferralDeadline,
        "send",
        "The 24-hour promise (R13): a WARNING before a referred application's deadline and "
        "an OVERDUE event when it passes, keyed by submission id.",
    ),
    (
        topics.NOTIFICATION_REQUESTED,
        NotificationRequested,
        "send",
        "Internal. The gateway asks the notifier to email the applicant about a decision; "
        "decision_id is the idempotency key. Carries personal data in the value only.",
    ),
    (
        topics.VERIFICATION_COMPLETED,
        VerificationCompleted,
        "receive",
        "Internal. Every adapter's answer, keyed by submission id so one gateway instance "
        "sees all answers of one submission.",
    ),
    (
        topics.CEISA_RESPONSE,
        None,
        "receive",
        "Public. XML from customs (CEISA) about an application, keyed by submission id: proof "
        "of entry, TTP-RK, additional documents request, acceptance, rejection, return receipt, "
        "blocking, unblocking, revocation; each valid against schemas/xsd/ceisa/v1/<message>.xsd. "
        "Read with the hardened reader; anything refused, and any transition PER-21 does not "
        "allow, is dead-lettered with the reason.",
    ),
    (
        topics.CUSTOMS_APPLICATION_STATUS,
        CustomsApplicationStatus,
        "send",
        "Public. Compacted (cleanup.policy=compact): the customs status of an application after "
        "every change customs reported, keyed by submission id; the latest record per key is "
        "the current status. version counts the customs messages applied.",
    ),
    (
        topics.CUSTOMS_DEADLINE,
        CustomsDeadline,
        "send",
        "A PER-21 deadline (C3, C6, C7, C14, C10, C11; working days per C16, calendar where "
        "Art. 30 and 35 say so) of an application is "
        "APPROACHING or has PASSED, each once, keyed by submission id.",
    ),
]

_LINEAGE_HEADERS = {
    "type": "object",
    "properties": {
        h.MESSAGE_ID: {"type": "string", "description": "Unique id of this message."},
        h.CORRELATION_ID: {"type": "string", "description": "The submission id."},
        h.CAUSATION_ID: {"type": "string", "description": "Message id of the direct cause."},
        h.SCHEMA: {"type": "string", "description": "Payload schema and major version."},
    },
}


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


def _message(topic: str, model: type[BaseModel] | None, headers: dict[str, Any]) -> dict[str, Any]:
    if model is None:
        payload: dict[str, Any] = {"type": "string", "contentMediaType": "application/xml"}
        content_type = "application/xml"
    else:
        payload = model.model_json_schema(ref_template="#/components/schemas/{model}")
        payload.pop("$defs", None)
        content_type = "application/json"
    return {
        "name": topic,
        "contentType": content_type,
        "headers": headers,
        "payload": payload,
        "bindings": {"kafka": {"key": {"type": "string", "description": "submission id"}}},
    }


def _schemas() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for _, model, _, _ in CHANNELS:
        if model is not None:
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            found.update(schema.get("$defs", {}))
    return dict(sorted(found.items()))


def document() -> dict[str, Any]:
    """The AsyncAPI 3.0.0 document as a JSON-ready dict."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic, model, action, description in CHANNELS:
        key = _key(topic)
        channels[key] = {
            "address": topic,
            "description": description,
            "messages": {key: _message(topic, model, _LINEAGE_HEADERS)},
        }
        operations[f"{action}_{key}"] = {
            "action": action,
            "channel": {"$ref": f"#/channels/{key}"},
        }
        if action == "receive" or topic in (
            topics.NIB_VERIFICATION_REQUESTED,
            topics.NPWP_VERIFICATION_REQUESTED,
            topics.NIK_VERIFICATION_REQUESTED,
            topics.NOTIFICATION_REQUESTED,
            topics.REGISTRATION_DECIDED,
        ):
            dlq = topics.dead_letter_topic(topic)
            channels[_key(dlq)] = {
                "address": dlq,
                "description": f"Dead letters of {topic}: original key and value, "
                "Kafka Connect error headers.",
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
            channels[_key(retry)] = {
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
        "channels": channels,
        "operations": operations,
        "components": {"schemas": _schemas()},
    }


def render() -> str:
    """The document as stable, indented JSON text."""
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
