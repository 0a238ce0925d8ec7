"""Small aiokafka helpers for tests that drive the hub only through its topics."""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord, TopicPartition

from runtime.kafka_security import from_environment


async def produce(
    bootstrap: str,
    topic: str,
    records: Iterable[tuple[bytes | None, bytes, list[tuple[str, bytes]]]],
) -> None:
    """Publish ``(key, value, headers)`` records and wait for every acknowledgement."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", **from_environment())
    await producer.start()
    try:
        futures = [
            await producer.send(topic, value, key=key, headers=headers)
            for key, value, headers in records
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


@asynccontextmanager
async def committed_reader(bootstrap: str) -> AsyncIterator[AIOKafkaConsumer]:
    """A started consumer, in no group, shown committed records only; the caller assigns.

    Why: a test reads what a topic holds the way a hub service would be shown
    it (records of aborted or open transactions hidden), without joining a
    consumer group, so it commits no offsets and rebalances no one's group.
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        isolation_level="read_committed",
        **from_environment(),
    )
    await consumer.start()
    try:
        yield consumer
    finally:
        await consumer.stop()


async def collect(
    bootstrap: str,
    topics: list[str],
    done: Callable[[list[ConsumerRecord]], bool],
    timeout: float = 60.0,
) -> list[ConsumerRecord]:
    """Read ``topics`` from the beginning until ``done(records)`` or the timeout."""
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        **from_environment(),
    )
    await consumer.start()
    found: list[ConsumerRecord] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not done(found) and loop.time() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found.extend(records)
    finally:
        await consumer.stop()
    return found


async def read_everything(bootstrap: str) -> list[ConsumerRecord]:
    """Every record on every topic of the broker, aborted transactions included.

    Why uncommitted too: an aborted batch's records stay in the log, and a
    grep for personal data must see what the disk holds, not only what
    consumers are shown.
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        isolation_level="read_uncommitted",
        **from_environment(),
    )
    await consumer.start()
    found: list[ConsumerRecord] = []
    try:
        cluster = await consumer._client.fetch_all_metadata()  # every topic, with partitions
        partitions = [
            TopicPartition(topic, partition)
            for topic in cluster.topics(exclude_internal_topics=False)
            for partition in cluster.partitions_for_topic(topic) or ()
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found.extend(records)
    finally:
        await consumer.stop()
    return found
