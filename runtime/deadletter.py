"""Dead-letter records in the Kafka Connect convention.

A dead letter keeps the original key, and the original value sealed (see
:mod:`runtime.sealing`: it holds personal data), so it can be re-driven to its
topic after a fix; it adds headers naming where it came from and why it
failed: the topic and offset where it was first consumed, even when it
failed last on ``T.retry`` (see :mod:`runtime.retry`). The error text is produced by the hub (see
:class:`runtime.errors.PoisonMessage`), never copied from the payload.
"""

import time

from contracts import headers as h
from contracts.topics import dead_letter_topic
from runtime.errors import safe_error_text
from runtime.records import Inbound, Outbound
from runtime.retry import lineage, origin_coordinates
from runtime.sealing import SCHEME, DeadLetterSeal


def dead_letter(record: Inbound, error: BaseException, seal: DeadLetterSeal) -> Outbound:
    """The dead-letter record for ``record`` that failed with ``error``, its value sealed."""
    kept = lineage(record)
    topic, partition, offset = origin_coordinates(record)
    kept.update(
        {
            h.DLQ_TOPIC: topic,
            h.DLQ_PARTITION: str(partition),
            h.DLQ_OFFSET: str(offset),
            h.DLQ_EXCEPTION_CLASS: f"{type(error).__module__}.{type(error).__qualname__}",
            h.DLQ_EXCEPTION_MESSAGE: safe_error_text(error),
            h.DLQ_FAILED_AT: str(int(time.time() * 1000)),
            h.DLQ_SEALED: SCHEME,
        }
    )
    return Outbound(
        topic=dead_letter_topic(topic),
        key=record.key,
        value=seal.seal(record.value),
        headers=kept,
    )
