"""Wait until every consumer group on the broker has caught up.

Why: a phase ends when the last decision arrives, but a consumer off the
measured path (the CEISA adapter turning decisions into XML) may still be
working through a backlog. Starting the next phase then would charge its CPU
to the wrong measurement, so phases are separated by "no group has lag".
"""

import asyncio
import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient


async def total_lag(bootstrap: str, group_prefix: str) -> int:
    """Sum, over consumer groups named ``group_prefix*``, of end minus committed offsets."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    probe = AIOKafkaConsumer(bootstrap_servers=bootstrap, isolation_level="read_committed")
    await admin.start()
    await probe.start()
    try:
        listed = [str(g[0]) for g in await admin.list_consumer_groups()]
        committed: list[tuple[TopicPartition, int]] = []
        for group in (g for g in listed if g.startswith(group_prefix)):
            offsets = await admin.list_consumer_group_offsets(group)
            committed += [(tp, max(0, meta.offset)) for tp, meta in offsets.items()]
        if not committed:
            return 0
        ends = await probe.end_offsets(list({tp for tp, _ in committed}))
        return sum(max(0, ends[tp] - offset) for tp, offset in committed)
    finally:
        await probe.stop()
        await admin.close()


async def settle(bootstrap: str, group_prefix: str, timeout_s: float = 30.0) -> float:
    """Poll until no ``group_prefix*`` group lags (or the timeout); returns seconds taken."""
    began = time.monotonic()
    while time.monotonic() - began < timeout_s:
        if await total_lag(bootstrap, group_prefix) == 0:
            break
        await asyncio.sleep(0.5)
    return time.monotonic() - began
