"""Consumer lag that means "records not yet processed", transactions included.

Why not ``end offset - committed offset``: with transactions each commit
writes a control marker that takes an offset but is no record; a group that
has processed everything commits the offset after its last record, which is
the offset of the marker, so the naive lag never reaches zero. Here lag is
counted as the data records a ``read_committed`` reader still finds after
the group's committed offset.
"""

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from runtime.kafka_security import from_environment

READ_TIMEOUT_MS = 200
COUNT_DEADLINE_S = 60.0


async def pending_records(
    bootstrap: str, group_id: str, topics: Iterable[str], deadline_s: float = COUNT_DEADLINE_S
) -> dict[str, int]:
    """Unprocessed data records of ``group_id`` on each of ``topics`` (0 when caught up).

    Raises :class:`TimeoutError` after ``deadline_s``: an unreachable broker
    must not hang the caller (a test, the fault suite's settling loop).
    """
    async with asyncio.timeout(deadline_s):
        return await _pending_records(bootstrap, group_id, topics)


async def _pending_records(bootstrap: str, group_id: str, topics: Iterable[str]) -> dict[str, int]:
    async with _lag_clients(bootstrap) as (admin, consumer):
        return await group_lag(admin, consumer, group_id, topics)


@asynccontextmanager
async def _lag_clients(
    bootstrap: str,
) -> AsyncIterator[tuple[AIOKafkaAdminClient, AIOKafkaConsumer]]:
    """An admin client and a group-less ``read_committed`` probe, both closed however it ends."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **from_environment())
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        isolation_level="read_committed",
        enable_auto_commit=False,
        **from_environment(),
    )
    try:
        await admin.start()
        await consumer.start()
        yield admin, consumer
    finally:
        await consumer.stop()  # also after a failed start: it holds a client
        await admin.close()


async def lag_by_group(
    admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer, prefix: str
) -> dict[str, int]:
    """Unprocessed data records of every group named ``prefix*``, summed over its topics."""
    groups = sorted(str(g[0]) for g in await admin.list_consumer_groups())
    return {
        group: sum((await group_lag(admin, consumer, group)).values())
        for group in groups
        if group.startswith(prefix)
    }


async def total_pending(bootstrap: str, prefix: str, deadline_s: float = COUNT_DEADLINE_S) -> int:
    """Unprocessed data records over every group named ``prefix*`` (0: all caught up)."""
    async with asyncio.timeout(deadline_s), _lag_clients(bootstrap) as (admin, consumer):
        return sum((await lag_by_group(admin, consumer, prefix)).values())


async def group_lag(
    admin: AIOKafkaAdminClient,
    consumer: AIOKafkaConsumer,
    group_id: str,
    topics: Iterable[str] | None = None,
) -> dict[str, int]:
    """:func:`pending_records` with the caller's clients (a poller asking every second).

    ``consumer`` must read ``read_committed`` and belong to no group; it is
    re-assigned here. Without ``topics``, every topic the group committed on.
    """
    committed = await admin.list_consumer_group_offsets(group_id)
    wanted = sorted({tp.topic for tp in committed} if topics is None else set(topics))
    if not wanted:
        return {}
    described = {t["topic"]: t["partitions"] for t in await admin.describe_topics(wanted)}
    pending: dict[str, int] = {}
    for topic in wanted:
        partitions = [TopicPartition(topic, p["partition"]) for p in described.get(topic) or ()]
        starts = {
            tp: committed[tp].offset if tp in committed and committed[tp].offset >= 0 else None
            for tp in partitions
        }
        pending[topic] = await _count_after(consumer, starts)
    return pending


async def _count_after(consumer: AIOKafkaConsumer, starts: dict[TopicPartition, int | None]) -> int:
    """Data records from each partition's start (its beginning when ``None``) to its end now."""
    if not starts:
        return 0
    consumer.assign(list(starts))
    for tp, start in starts.items():
        if start is None:
            await consumer.seek_to_beginning(tp)
        else:
            consumer.seek(tp, start)
    ends = await consumer.end_offsets(list(starts))
    count = 0
    while True:
        behind = [tp for tp in starts if await consumer.position(tp) < ends[tp]]
        if not behind:
            return count
        batch = await consumer.getmany(*behind, timeout_ms=READ_TIMEOUT_MS)
        # Records written after the end was taken are not this count's business.
        count += sum(r.offset < ends[tp] for tp, records in batch.items() for r in records)
