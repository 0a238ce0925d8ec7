"""Delayed retries: a record that failed once gets later chances on ``T.retry``.

Why a retry topic rather than retrying in place: a record that fails for a
reason of its own (not an outage, which rewinds the whole batch, see
:mod:`runtime.consumer`) must not hold its partition, and must not be
retried in a hot loop. It is parked on ``T.retry`` with the attempt number
and the time it is due; the same service consumes ``T.retry`` with the same
handler once the record is due. After the last attempt it goes to
``T.dlq``. Records that can never succeed (:class:`~runtime.errors.PoisonMessage`:
bad bytes, wrong schema) skip the retries and go to ``T.dlq`` at once.

The parked record keeps its key, value and lineage headers, and names where
it was first consumed, so its dead letter points at the original topic and
offset and can be re-driven there.
"""

import time
from dataclasses import dataclass

from contracts import headers as h
from contracts.topics import original_topic, retry_topic
from runtime.errors import safe_error_text
from runtime.records import Inbound, Outbound


@dataclass(frozen=True)
class RetryPolicy:
    """Delays before each retry; ``len(delays_s)`` retries, then the dead-letter topic."""

    delays_s: tuple[float, ...] = (2.0, 10.0, 30.0)

    def park(self, record: Inbound, error: BaseException) -> Outbound | None:
        """The record for ``T.retry``, or ``None`` when its retries are spent."""
        attempt = attempts_made(record)
        if attempt >= len(self.delays_s):
            return None
        due_ms = int((time.time() + self.delays_s[attempt]) * 1000)
        headers = lineage(record)
        headers.update(
            {
                h.RETRY_ATTEMPT: str(attempt + 1),
                h.RETRY_DUE_MS: str(due_ms),
                h.RETRY_ORIGIN: origin_of(record),
                h.RETRY_LAST_ERROR: f"{type(error).__qualname__}: {safe_error_text(error)}",
            }
        )
        parked_on = retry_topic(original_topic(record.topic))
        return Outbound(parked_on, record.key, record.value, headers)


def lineage(record: Inbound) -> dict[str, str]:
    """The record's lineage headers (:data:`contracts.headers.LINEAGE`), decoded, to carry along."""
    return {n: v.decode("utf-8", "replace") for n, v in record.headers if n in h.LINEAGE}


def attempts_made(record: Inbound) -> int:
    """How many retries this record has already had (0 on its original topic)."""
    value = h.header(record.headers, h.RETRY_ATTEMPT)
    return int(value) if value and value.isdigit() else 0


def due_at(record: Inbound) -> float:
    """When (epoch seconds) a parked record may be tried again; 0 for any other record."""
    value = h.header(record.headers, h.RETRY_DUE_MS)
    return int(value) / 1000 if value and value.isdigit() else 0.0


def origin_of(record: Inbound) -> str:
    """``topic/partition/offset`` of the record's first consumption."""
    first = h.header(record.headers, h.RETRY_ORIGIN)
    return first or f"{record.topic}/{record.partition}/{record.offset}"


def origin_coordinates(record: Inbound) -> tuple[str, int, int]:
    """The record's first consumption as (topic, partition, offset)."""
    parts = origin_of(record).rsplit("/", 2)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        return parts[0], int(parts[1]), int(parts[2])
    return record.topic, record.partition, record.offset
