"""The load a fault plays out against: approvable registrations, straight onto the submitted topic.

Why approvable only: every registration then takes the longest path (three
agency checks, a username, a decision, a customs message and an email), and
any outcome other than one APPROVED is a fault's doing. Ids are unique per
run (``FAULT-<run>-<n>``), so a ledger never counts another run's records.
"""

import asyncio
import json
import time
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer

from contracts import headers as h
from contracts import topics
from runtime.kafka_security import from_environment
from simulators.dataset import WORLD
from simulators.registrations import approvable


@dataclass(frozen=True)
class Registration:
    """One submission ready to produce: its id (also the key) and its JSON value."""

    submission_id: str
    value: bytes


def registrations(run_id: str, count: int) -> list[Registration]:
    """``count`` approvable registrations with ids ``FAULT-<run_id>-<n>``, encoded up front."""
    return [
        Registration(
            sid := f"FAULT-{run_id}-{index:05d}",
            json.dumps(approvable(sid, company, person), ensure_ascii=False).encode(),
        )
        for index, (company, person) in enumerate(WORLD.iter_approvable(count))
    ]


async def submit(
    bootstrap: str, load: list[Registration], *, rate_per_s: float | None = None
) -> frozenset[str]:
    """Produce ``load`` (flat out, or paced at ``rate_per_s``); the ids the broker acknowledged.

    The producer is the portals' kind: idempotent, ``acks=all``, no transaction.
    """
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        **from_environment(),
    )
    await producer.start()
    try:
        began = time.monotonic()
        pending = []
        for index, item in enumerate(load):
            if rate_per_s:
                delay = began + index / rate_per_s - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            pending.append(
                await producer.send(
                    topics.REGISTRATION_SUBMITTED,
                    item.value,
                    key=item.submission_id.encode(),
                    headers=[(h.MESSAGE_ID, f"load-{item.submission_id}".encode())],
                )
            )
        results = await asyncio.gather(*pending, return_exceptions=True)
    finally:
        await producer.stop()
    return frozenset(
        item.submission_id
        for item, result in zip(load, results, strict=True)
        if not isinstance(result, BaseException)
    )
