"""Kafka header names every hub message carries, and the dead-letter headers.

Headers never carry personal data: only ids, topic coordinates and error
classes. Dead-letter headers follow the Kafka Connect convention
(``__connect.errors.*``) so existing tooling can read them.
"""

import os
from collections.abc import Mapping, Sequence
from typing import Final

MESSAGE_ID: Final = "insw-message-id"
CORRELATION_ID: Final = "insw-correlation-id"
CAUSATION_ID: Final = "insw-causation-id"
SCHEMA: Final = "insw-schema"
CONTENT_TYPE: Final = "content-type"
SIGNATURE: Final = "insw-signature"
"""Detached Ed25519 signature (base64url) over :data:`SIGNED` (see :mod:`runtime.signing`)."""
SIGNER: Final = "insw-signer"
"""The key id that made :data:`SIGNATURE`; the trusted-keys registry names its signer."""
SIGNED: Final = (CORRELATION_ID, SCHEMA, CONTENT_TYPE)
"""The lineage headers a signature covers, besides key and value.

Message and causation ids are left out on purpose: a re-drive gives the
record a fresh message id (consumers see it once) caused by the failed one,
and it must still verify. Idempotency on signed channels comes from the
signed value (request id, decision id, CEISA message id), never the message id.
"""
SIGNATURE_PATH: Final = "insw-signature-path"
"""On a record signed with others under one signature: its place in their hash tree and
its path to the signed root (``<index>.<size>.<base64url hashes>``, see
:mod:`runtime.signature_batches`). Absent on a record signed alone."""
PROOF: Final = (SIGNATURE, SIGNER, SIGNATURE_PATH)
TRACEPARENT: Final = "traceparent"
"""W3C Trace Context: the span of the hop that produced the record (runtime.tracing).

Not signed, on purpose: it names a span, not a fact a decision rests on, and
each hop rewrites it; a forged one can only mislead a trace viewer."""
TRACESTATE: Final = "tracestate"
"""W3C Trace Context vendor state, carried along with :data:`TRACEPARENT`."""
TRACE: Final = (TRACEPARENT, TRACESTATE)
LINEAGE: Final = (
    MESSAGE_ID,
    CORRELATION_ID,
    CAUSATION_ID,
    SCHEMA,
    CONTENT_TYPE,
    *PROOF,
    *TRACE,
)
"""The headers a record keeps wherever it is moved (retry topic, dead-letter topic).

The signature headers are among them: a retried, dead-lettered, re-driven or
replayed record is still proven by its original signer.
"""

DLQ_TOPIC: Final = "__connect.errors.topic"
DLQ_PARTITION: Final = "__connect.errors.partition"
DLQ_OFFSET: Final = "__connect.errors.offset"
DLQ_EXCEPTION_CLASS: Final = "__connect.errors.exception.class.name"
DLQ_EXCEPTION_MESSAGE: Final = "__connect.errors.exception.message"
DLQ_FAILED_AT: Final = "__connect.errors.timestamp"
DLQ_SEALED: Final = "insw-dlq-sealed"
"""Present on dead letters whose value is sealed (encrypted); names the scheme."""
RETRY_ATTEMPT: Final = "insw-retry-attempt"
"""On a record parked on ``T.retry``: which retry it is (1, 2, ...)."""
RETRY_DUE_MS: Final = "insw-retry-due-ms"
"""On a parked record: not to be tried before this time (epoch milliseconds)."""
RETRY_ORIGIN: Final = "insw-retry-origin"
"""On a parked record: ``topic/partition/offset`` where it was first consumed."""
RETRY_LAST_ERROR: Final = "insw-retry-last-error"
"""On a parked record: class and text of its last failure, free of personal data."""
REDRIVEN_FROM: Final = "insw-redriven-from"
"""On a record re-driven from a dead-letter topic: ``<dlq topic>/<partition>/<offset>``."""

RawHeaders = Sequence[tuple[str, bytes]]


def new_message_id() -> str:
    """A fresh, globally unique message id: a random UUID (version 4) as 32 hex digits.

    Built from the random bytes directly, as ``uuid.uuid4().hex`` is: the same
    text at a third of the cost (every record the hub writes takes one).
    """
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    return raw.hex()


def lineage(
    *, correlation_id: str, causation_id: str | None, schema: str, content_type: str
) -> dict[str, str]:
    """Headers for a new message caused by another one (or by nothing).

    The correlation id is the submission id for the whole life of an
    application; the causation id is the message id of the direct cause.
    """
    message_id = new_message_id()
    return {
        MESSAGE_ID: message_id,
        CORRELATION_ID: correlation_id,
        CAUSATION_ID: causation_id or message_id,
        SCHEMA: schema,
        CONTENT_TYPE: content_type,
    }


def header(headers: RawHeaders | Mapping[str, str], name: str) -> str | None:
    """Read one header as text from raw Kafka headers or a decoded mapping."""
    if isinstance(headers, Mapping):
        return headers.get(name)
    for key, value in headers:
        if key == name:
            return value.decode("utf-8", errors="replace")
    return None
