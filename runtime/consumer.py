"""The hub's one consume policy: batches, at-least-once, dead letters, backoff.

Every subscriber in the hub is registered through :func:`subscribe`, so the
acknowledgement policy is decided here and nowhere else:

* Records arrive in batches (one poll); the handler sees the whole batch so it
  can pipeline Redis and fire its publishes together. Offsets are committed
  once per batch, only **after** every record the batch produced, dead
  letters included, is confirmed by the broker (FastStream ``NACK_ON_ERROR``:
  ack on return, seek back on exception). Nothing is committed before it is
  processed, so a crash means redelivery, never loss; handlers are idempotent.
* A record that can never succeed (:class:`PoisonMessage`, or a bug the
  handler hits on that record alone) goes to ``<topic>.dlq`` and the batch
  moves on. When a batch fails with an unexpected error, the records are
  replayed one at a time to find the culprit instead of dead-lettering the
  innocent.
* A failure of the world (:class:`TransientFailure`, broker or Redis
  unreachable) backs off exponentially with jitter, then rewinds the batch:
  slow retries, no hot loop, no dead-lettering of good records during an outage.
"""

import asyncio
import logging
import random
import traceback
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from aiokafka.errors import KafkaError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from runtime.deadletter import dead_letter
from runtime.errors import PoisonMessage, TransientFailure
from runtime.outbox import Outbox
from runtime.records import Inbound, Outbound
from runtime.sealing import DeadLetterSeal

log = logging.getLogger(__name__)

TRANSIENT: tuple[type[BaseException], ...] = (
    TransientFailure,
    KafkaError,
    RedisConnectionError,
    RedisTimeoutError,
    TimeoutError,
    ConnectionError,
)


@dataclass
class HandlerResult:
    """What a handler asks for: records to publish, records to dead-letter, follow-ups.

    ``after_publish`` callbacks run once every record is confirmed by the
    broker and before the offsets are committed: the place to write "done"
    markers, so a marker never claims an effect that was not published.
    """

    outbound: list[Outbound] = field(default_factory=list)
    dead: list[tuple[Inbound, BaseException]] = field(default_factory=list)
    after_publish: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def merge(self, other: "HandlerResult") -> None:
        """Fold another result into this one (used when isolating a poison record)."""
        self.outbound.extend(other.outbound)
        self.dead.extend(other.dead)
        self.after_publish.extend(other.after_publish)


BatchHandler = Callable[[Sequence[Inbound]], Awaitable[HandlerResult]]


@dataclass(frozen=True)
class Backoff:
    """Delay before a failed batch is retried: ``base * 2**n``, capped, with full jitter."""

    base_seconds: float = 0.2
    cap_seconds: float = 10.0

    def delay(self, consecutive_failures: int) -> float:
        """Seconds to wait after ``consecutive_failures`` failures in a row."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** min(consecutive_failures, 16))
        return random.uniform(ceiling / 2, ceiling)


DEFAULT_BACKOFF = Backoff()


class BatchPump:
    """Runs one handler over batches with the policy above. One instance per subscriber."""

    def __init__(
        self,
        outbox: Outbox,
        handler: BatchHandler,
        name: str,
        seal: DeadLetterSeal,
        backoff: Backoff = DEFAULT_BACKOFF,
    ) -> None:
        self._outbox = outbox
        self._seal = seal
        self._handler = handler
        self._name = name
        self._backoff = backoff
        self._failures = 0

    async def process(self, records: Sequence[Inbound]) -> None:
        """Handle, publish, confirm; raise (after a backoff) if the world is not ready."""
        try:
            result = await self._handle(records)
            await self._publish(result)
        except TRANSIENT as error:
            self._failures += 1
            delay = self._backoff.delay(self._failures)
            log.warning(
                "%s: batch of %d will be retried in %.1fs after %s",
                self._name,
                len(records),
                delay,
                type(error).__name__,
            )
            await asyncio.sleep(delay)
            raise
        self._failures = 0

    async def _handle(self, records: Sequence[Inbound]) -> HandlerResult:
        try:
            return await self._handler(records)
        except TRANSIENT:
            raise
        except Exception as error:
            if len(records) == 1:
                return self._poisoned(records[0], error)
        merged = HandlerResult()
        for record in records:
            try:
                merged.merge(await self._handler([record]))
            except TRANSIENT:
                raise
            except Exception as error:
                merged.merge(self._poisoned(record, error))
        return merged

    def _poisoned(self, record: Inbound, error: Exception) -> HandlerResult:
        # Frames only: an exception's message may quote personal data.
        frames = (
            ""
            if isinstance(error, PoisonMessage)
            else "".join(traceback.format_tb(error.__traceback__))
        )
        log.error(
            "%s: dead-lettering %s[%d]@%d: %s %s",
            self._name,
            record.topic,
            record.partition,
            record.offset,
            type(error).__name__,
            frames,
        )
        return HandlerResult(dead=[(record, error)])

    async def _publish(self, result: HandlerResult) -> None:
        outbound = result.outbound + [dead_letter(rec, err, self._seal) for rec, err in result.dead]
        await self._outbox.publish(outbound)
        for follow_up in result.after_publish:
            await follow_up()


def _inbound(record: Any) -> Inbound:
    return Inbound(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value,
        headers=tuple(record.headers or ()),
    )


async def _parse_tolerant(raw: Any, original: Callable[[Any], Awaitable[Any]]) -> Any:
    """FastStream's batch parser, but a header that is not UTF-8 cannot wedge the partition."""
    try:
        return await original(raw)
    except UnicodeDecodeError:
        cleaned = tuple(
            replace(r, headers=[(k, v if _is_utf8(v) else b"?") for k, v in r.headers or ()])
            for r in raw
        )
        return await original(cleaned)


def _is_utf8(value: bytes) -> bool:
    try:
        value.decode()
    except UnicodeDecodeError:
        return False
    return True


async def _raw_body(message: Any) -> Any:
    """Skip FastStream's JSON decoding: handlers decode with their contract models."""
    return message.body


def subscribe(
    broker: KafkaBroker,
    outbox: Outbox,
    topic: str,
    *,
    group_id: str,
    handler: BatchHandler,
    max_records: int,
    description: str,
    seal: DeadLetterSeal,
    backoff: Backoff = DEFAULT_BACKOFF,
) -> BatchPump:
    """Register ``handler`` on ``topic`` with the hub's consume policy; publish via ``outbox``."""
    pump = BatchPump(outbox, handler, name=f"{group_id}/{topic}", seal=seal, backoff=backoff)

    async def on_batch(message: KafkaMessage) -> None:
        await pump.process([_inbound(r) for r in message.raw_message])

    broker.subscriber(
        topic,
        batch=True,
        group_id=group_id,
        max_records=max_records,
        # FastStream sleeps this long again after an empty poll: keep it short,
        # it is the idle latency floor of every hop.
        batch_timeout_ms=10,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        parser=_parse_tolerant,
        decoder=_raw_body,
        title=f"{topic}:{group_id}",
        description=description,
    )(on_batch)
    return pump
