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
from dataclasses import replace

from runtime.consumer import BatchPump
from runtime.kafka_loop import Connection, ConsumeLoop, FetchTuning, Poll
from runtime.records import Inbound
from runtime.retry import due_at
from runtime.transient import TRANSIENT

RETRY_FETCH_WAIT_MS = 500
"""How long a retry fetch waits on the broker: parked records wait seconds anyway, and a
quiet retry topic (the usual case) then costs two fetches a second, not hundreds."""
NOT_DUE_WAIT_S = 5.0
"""Longest the retry subscriber sleeps on records that are not due, before reading them again."""


def subscribe_retries(
    pumps: Mapping[str, BatchPump],
    *,
    group_id: str,
    tuning: FetchTuning,
    connection: Connection,
) -> ConsumeLoop:
    """One consumer for all of a service's retry topics; each topic's records go to its pump."""
    busy = asyncio.Lock()

    async def on_poll(poll: Poll) -> None:
        by_topic = poll.by_topic()
        unfinished = dict(by_topic)
        async with busy:
            try:
                for topic, records in by_topic.items():
                    if not await _due(records):
                        continue
                    try:
                        await pumps[topic].process(records, poll.committed)
                    except TRANSIENT:
                        continue  # the pump has backed off already
                    del unfinished[topic]
            finally:
                for records in unfinished.values():
                    poll.rewind(records)

    return ConsumeLoop(
        list(pumps),
        group_id=group_id,
        on_poll=on_poll,
        busy=busy,
        tuning=replace(tuning, fetch_min_bytes=1, fetch_max_wait_ms=RETRY_FETCH_WAIT_MS),
        connection=connection,
        description=f"delayed retries of {', '.join(pumps)}",
    )


async def _due(records: Sequence[Inbound]) -> bool:
    """Wait (a bounded while) for the batch's parked records to be due; True once they are."""
    wait = max((due_at(r) for r in records), default=0.0) - time.time()
    if wait > 0:
        await asyncio.sleep(min(wait, NOT_DUE_WAIT_S))
    return wait <= NOT_DUE_WAIT_S
