"""The FastStream binding of the consume policy: how a :class:`BatchPump` meets Kafka.

Why apart from :mod:`runtime.consumer`: the policy (what to commit, retry,
dead-letter) is pure and tested without a broker; this module is only the
FastStream side every hub subscriber shares: the batch subscriber's settings
(manual offsets, ``read_committed``), the hand-over on rebalance, reading
committed offsets and rewinding a batch that must be read again.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from runtime import metrics
from runtime.checkpoints import Checkpoint
from runtime.consumer import (
    BatchHandler,
    BatchPump,
    CommittedOffsets,
    FailurePolicy,
    OutputStage,
    next_offsets,
)
from runtime.records import Inbound
from runtime.transactions import TransactionalOutbox
from runtime.transient import TRANSIENT

log = logging.getLogger(__name__)


class HandOver(ConsumerRebalanceListener):  # type: ignore[misc]
    """Gives partitions away only once the batch in flight is committed or rewound."""

    def __init__(self, busy: asyncio.Lock) -> None:
        self._busy = busy

    async def on_partitions_revoked(self, revoked: Any) -> None:
        """Wait for the batch in flight; its transaction commits or aborts before hand-over."""
        async with self._busy:
            return

    async def on_partitions_assigned(self, assigned: Any) -> None:
        """Nothing to do: positions come from the committed offsets."""


def inbound(record: Any) -> Inbound:
    """The hub's view of one aiokafka record."""
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
    outbox: TransactionalOutbox,
    topic: str,
    *,
    group_id: str,
    handler: BatchHandler,
    max_records: int,
    description: str,
    failures: FailurePolicy,
    fault: Checkpoint | None = None,
    stage: OutputStage | None = None,
) -> BatchPump:
    """Register ``handler`` on ``topic`` with the hub's consume policy; publish via ``outbox``."""
    pump = BatchPump(
        outbox, handler, group_id=group_id, failures=failures, fault=fault, stage=stage
    )

    async def on_batch(message: KafkaMessage) -> None:
        records = [inbound(r) for r in message.raw_message]
        async with pump.busy:
            try:
                await pump.process(records, committed_offsets(message))
                record_lag(message, records, group_id, topic)
            except TRANSIENT:
                await rewind(message)  # the pump has backed off already
            except Exception:
                await rewind(message)
                raise

    register(
        broker,
        [topic],
        group_id=group_id,
        max_records=max_records,
        busy=pump.busy,
        description=description,
        poll_ms=10,
    )(on_batch)
    return pump


def register(
    broker: KafkaBroker,
    topics: list[str],
    *,
    group_id: str,
    max_records: int,
    busy: asyncio.Lock,
    description: str,
    poll_ms: int,
) -> Any:
    """The FastStream batch subscriber every hub consumer is: manual offsets, read_committed."""
    return broker.subscriber(
        *topics,
        batch=True,
        group_id=group_id,
        max_records=max_records,
        # FastStream sleeps this long again after an empty poll: on the main
        # topics it is the idle latency floor of every hop.
        batch_timeout_ms=poll_ms,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        ack_policy=AckPolicy.MANUAL,  # offsets are committed in the pumps' transactions
        listener=HandOver(busy),
        parser=_parse_tolerant,
        decoder=_raw_body,
        title=f"{','.join(topics)}:{group_id}",
        description=description,
    )


def record_lag(message: KafkaMessage, records: Sequence[Inbound], group: str, topic: str) -> None:
    """Records left behind the batch's partitions' ends (the fetch's high watermarks, no I/O)."""
    consumer: AIOKafkaConsumer = message.consumer
    behind = 0
    for tp, next_offset in next_offsets(records).items():
        end = consumer.highwater(tp)
        if end is not None:
            behind += max(0, end - next_offset)
    metrics.LAG.labels(group, topic).set(behind)


def committed_offsets(message: KafkaMessage) -> CommittedOffsets:
    """The group's committed offsets, as the broker has them, via the message's consumer."""
    # FastStream types it as its own protocol; on a real broker it is aiokafka's consumer.
    consumer: AIOKafkaConsumer = message.consumer

    async def read(partitions: Sequence[TopicPartition]) -> Mapping[TopicPartition, int | None]:
        return {tp: await consumer.committed(tp) for tp in partitions}

    return read


def seek_back(message: KafkaMessage, records: Sequence[Inbound]) -> None:
    """Read ``records`` again: seek each of their partitions back to its first one."""
    earliest: dict[TopicPartition, int] = {}
    for record in records:
        tp = TopicPartition(record.topic, record.partition)
        earliest[tp] = min(earliest.get(tp, record.offset), record.offset)
    for tp, offset in earliest.items():
        try:
            message.consumer.seek(tp, offset)
        except Exception:  # partition revoked meanwhile: its new owner starts from the commit
            log.debug("could not rewind %s", tp, exc_info=True)


async def rewind(message: KafkaMessage) -> None:
    """Seek back to the batch's first records so they are read again."""
    try:
        await message.nack()
    except Exception:  # partitions revoked meanwhile: their new owner starts from the commit
        log.debug("could not rewind a batch", exc_info=True)
