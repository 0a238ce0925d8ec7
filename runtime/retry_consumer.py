"""The one retry consumer of a service: parked records, read back when due.

Why one per service: a consumer per retry topic doubled each service's group
members, and every member joining a group costs a rebalance at start-up.
Records parked on ``T.retry`` (:mod:`runtime.retry`) are handed to the pump of
their topic once due; until then their partitions are read again later,
never held.
"""

import asyncio
import time
from collections.abc import Mapping, Sequence

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from runtime.binding import committed_offsets, inbound, register, seek_back
from runtime.consumer import BatchPump
from runtime.records import Inbound
from runtime.retry import due_at
from runtime.transient import TRANSIENT

RETRY_POLL_MS = 500
"""Idle poll interval of the retry subscriber: its records wait seconds anyway."""
NOT_DUE_WAIT_S = 5.0
"""Longest the retry subscriber sleeps on records that are not due, before reading them again."""


def subscribe_retries(
    broker: KafkaBroker,
    pumps: Mapping[str, BatchPump],
    *,
    group_id: str,
    max_records: int,
    description: str,
) -> None:
    """One consumer for all of a service's retry topics; each topic's records go to its pump."""
    busy = asyncio.Lock()

    async def on_batch(message: KafkaMessage) -> None:
        by_topic: dict[str, list[Inbound]] = {}
        for raw in message.raw_message:
            by_topic.setdefault(raw.topic, []).append(inbound(raw))
        unfinished = dict(by_topic)
        async with busy:
            try:
                for topic, records in by_topic.items():
                    if not await _due(records):
                        continue
                    try:
                        await pumps[topic].process(records, committed_offsets(message))
                    except TRANSIENT:
                        continue  # the pump has backed off already
                    del unfinished[topic]
            finally:
                for records in unfinished.values():
                    seek_back(message, records)

    register(
        broker,
        list(pumps),
        group_id=group_id,
        max_records=max_records,
        busy=busy,
        description=description,
        poll_ms=RETRY_POLL_MS,
    )(on_batch)


async def _due(records: Sequence[Inbound]) -> bool:
    """Wait (a bounded while) for the batch's parked records to be due; True once they are."""
    wait = max((due_at(r) for r in records), default=0.0) - time.time()
    if wait > 0:
        await asyncio.sleep(min(wait, NOT_DUE_WAIT_S))
    return wait <= NOT_DUE_WAIT_S
