"""The Kafka side of replays: topic layout, log bounds, and reading an offset range.

The clients themselves come from :mod:`hubctl.console`, shared with ``dlq``.

Why one module: every replay command reads production topics, and all of
them must read the same way: ``read_committed`` (records of aborted or open
transactions never reach a copy, a history file or a what-if), without a
consumer group of its own (reading never moves any service's offsets), and
without auto-creating a topic someone mistyped.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

from hubctl.console import Failed, Refused
from hubctl.replay_offsets import LogBounds, OffsetRange

READ_TIMEOUT_MS = 500
STALL_SECONDS = 30.0
"""A range whose position has not moved for this long is reported instead of waited on."""


@dataclass(frozen=True)
class TopicLayout:
    """A topic's partitions and replication, as the cluster describes it."""

    name: str
    partitions: tuple[int, ...]
    replication_factor: int


async def layouts(admin: Any) -> dict[str, TopicLayout]:
    """Every topic of the cluster with its partitions.

    Why all topics: asking the broker about one named topic lets it create
    the topic when ``auto.create.topics.enable`` is on, and a replay must
    never create a production topic from a typo.
    """
    found = {}
    for topic in await admin.describe_topics():
        partitions = topic["partitions"]
        replicas = max((len(p["replicas"]) for p in partitions), default=1)
        found[topic["topic"]] = TopicLayout(
            topic["topic"], tuple(sorted(p["partition"] for p in partitions)), replicas
        )
    return found


async def existing_layout(admin: Any, topic: str) -> TopicLayout:
    """The layout of ``topic``, refusing a topic that does not exist."""
    layout = (await layouts(admin)).get(topic)
    if layout is None or not layout.partitions:
        raise Refused(f"topic {topic} does not exist")
    return layout


def partitions_of(layout: TopicLayout, only: Iterable[int] | None = None) -> list[TopicPartition]:
    """The topic's partitions, or the chosen ones (refusing a partition it does not have)."""
    chosen = list(layout.partitions if only is None else only)
    missing = sorted(set(chosen) - set(layout.partitions))
    if missing:
        raise Refused(
            f"topic {layout.name} has partitions {list(layout.partitions)}, not {missing}"
        )
    return [TopicPartition(layout.name, p) for p in chosen]


async def log_bounds(consumer: Any, tps: list[TopicPartition]) -> dict[int, LogBounds]:
    """First stored offset and (committed) end of each partition."""
    beginning = await consumer.beginning_offsets(tps)
    end = await consumer.end_offsets(tps)
    return {tp.partition: LogBounds(beginning[tp], end[tp]) for tp in tps}


async def offsets_at(
    consumer: Any, tps: list[TopicPartition], when_ms: int
) -> dict[int, int | None]:
    """First offset at or after ``when_ms`` per partition; ``None`` where every record is older."""
    found = await consumer.offsets_for_times({tp: when_ms for tp in tps})
    return {tp.partition: None if hit is None else hit.offset for tp, hit in found.items()}


async def read_ranges(
    consumer: Any,
    topic: str,
    ranges: Mapping[int, OffsetRange],
    advanced: Callable[[int], None] | None = None,
) -> AsyncIterator[ConsumerRecord]:
    """Every committed record of ``topic`` inside ``ranges``, partition by partition in order.

    ``advanced(n)`` is told how many offsets were passed, transaction markers
    and aborted records included, so a progress bar over the ranges' spans
    ends exactly at 100%.
    """
    pending = {TopicPartition(topic, p): r for p, r in ranges.items() if r.span}
    if not pending:
        return
    consumer.assign(list(pending))
    reached = {tp: r.start for tp, r in pending.items()}
    for tp, r in pending.items():
        consumer.seek(tp, r.start)
    loop = asyncio.get_running_loop()
    last_move = loop.time()
    while pending:
        batches = await consumer.getmany(*pending, timeout_ms=READ_TIMEOUT_MS)
        for tp, records in batches.items():
            stop = pending[tp].stop if tp in pending else -1
            for record in records:
                if record.offset < stop:
                    yield record
        for tp in list(pending):
            position = min(await consumer.position(tp), pending[tp].stop)
            if position > reached[tp]:
                if advanced is not None:
                    advanced(position - reached[tp])
                reached[tp], last_move = position, loop.time()
            if position >= pending[tp].stop:
                del pending[tp]
                consumer.pause(tp)
        if pending and loop.time() - last_move > STALL_SECONDS:
            stuck = ", ".join(f"{tp.partition}@{reached[tp]}" for tp in pending)
            raise Failed(f"{topic}: no progress for {STALL_SECONDS:.0f}s at {stuck}")
