"""The broker's own floor: CPU and time per request and per one-record transaction.

Why: issue 15's low-load targets (p50 30 ms, p99 100 ms at 20
registrations/s) are set against a broker whose cost per request is taken
as negligible. This measures it on the machine at hand, with nothing but
one client: a broker idle, then serial acks=all produces of one record,
then serial transactions shaped like one hop of the hub (one record and the
consumer offsets, committed): back to back with aiokafka's own 20 ms retry
of a CONCURRENT_TRANSACTIONS refusal, back to back with the hub's
(:mod:`runtime.txn_retry`), and spaced. What a pipeline of
transactional hops needs from the broker at a given rate follows by
arithmetic (:func:`cores_needed`), with the transactions per registration
a census counted (``bench.census``).

``python -m bench.broker_floor`` starts its own broker (SASL_SSL, like the
hub's) and prints one line per measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import uvloop
from aiokafka import AIOKafkaProducer, TopicPartition

from bench.cpu import process_cpu_ms
from bench.lone_broker import lone_broker
from runtime import logs, txn_retry
from runtime.kafka_security import from_environment

AIOKAFKA_BACKOFF_S = 0.02
"""aiokafka's own wait before retrying CONCURRENT_TRANSACTIONS (:mod:`runtime.txn_retry`)."""


@dataclass(frozen=True, slots=True)
class Floor:
    """One measurement: operations, wall time and the broker's CPU over them."""

    name: str
    operations: int
    wall_s: float
    broker_cpu_ms: float
    idle_ms_per_s: float
    elapsed_s: float | None = None
    """The time the broker's CPU was read over, when longer than ``wall_s`` (pauses)."""

    @property
    def wall_ms_each(self) -> float:
        """Wall time per operation as the client saw it."""
        return 1000 * self.wall_s / self.operations

    @property
    def broker_ms_each(self) -> float:
        """Broker CPU per operation, its idle share over the same time taken off."""
        elapsed = self.wall_s if self.elapsed_s is None else self.elapsed_s
        return max(0.0, self.broker_cpu_ms - self.idle_ms_per_s * elapsed) / self.operations

    def line(self) -> str:
        """One printed line."""
        return (
            f"{self.name:<56} {self.operations:>5} ops  {self.wall_ms_each:7.2f} ms each (wall)"
            f"  {self.broker_ms_each:6.2f} ms broker CPU each (idle share taken off)"
        )


def cores_needed(
    rate_per_s: float, txns_per_registration: float, broker_ms_per_txn: float
) -> float:
    """Broker cores a pipeline needs at ``rate_per_s`` when each transaction costs what it costs."""
    return rate_per_s * txns_per_registration * broker_ms_per_txn / 1000


async def _timed(
    name: str, pid: int, count: int, idle: float, one: Callable[[int], Awaitable[None]]
) -> Floor:
    before, began = process_cpu_ms(pid), time.perf_counter()
    for i in range(count):
        await one(i)
    return Floor(name, count, time.perf_counter() - began, process_cpu_ms(pid) - before, idle)


async def measure(bootstrap: str, pid: int, count: int, gap_ms: float) -> list[Floor]:
    """Idle, plain produces, then transactions back to back and ``gap_ms`` apart."""
    before = process_cpu_ms(pid)
    await asyncio.sleep(5.0)
    idle = (process_cpu_ms(pid) - before) / 5.0
    print(f"broker idle: {idle / 10:.1f}% of a core", flush=True)
    topic, group = f"bench-floor-{uuid.uuid4().hex[:8]}", f"bench-floor-{uuid.uuid4().hex[:8]}"
    value = b"x" * 400  # about a hub record
    plain = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, **from_environment()
    )
    txn = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        transactional_id=group,
        **from_environment(),
    )
    await plain.start()
    await txn.start()
    try:
        await plain.send_and_wait(topic, value, key=b"warm")

        async def produce(_: int) -> None:
            await plain.send_and_wait(topic, value, key=b"k")

        async def hop(i: int) -> None:
            async with txn.transaction():
                await txn.send(topic, value, key=b"k")
                await txn.send_offsets_to_transaction({TopicPartition(topic, 0): i + 1}, group)

        async def spaced_hop(i: int) -> None:
            await asyncio.sleep(gap_ms / 1000)
            began = time.perf_counter()
            await hop(i)
            spaced_wall.append(time.perf_counter() - began)

        spaced_wall: list[float] = []
        await _timed("warm-up", pid, count // 4, idle, hop)
        floors = [await _timed("produce (acks=all)", pid, count, idle, produce)]
        retries = (("aiokafka's", AIOKAFKA_BACKOFF_S), ("the hub's", txn_retry.BACKOFF_S))
        for label, backoff in retries:
            txn_retry.shorten(backoff)
            name = f"transaction, back to back, {label} {1000 * backoff:.0f} ms retry"
            floors.append(await _timed(name, pid, count // 4, idle, hop))
        spaced = await _timed(
            f"transaction, {gap_ms:.0f} ms apart", pid, count // 4, idle, spaced_hop
        )
        # the gap is the client's own sleep: the transactions' own wall time per
        # operation, the broker's idle share over the whole time, pauses included
        floors.append(
            Floor(
                spaced.name,
                spaced.operations,
                sum(spaced_wall),
                spaced.broker_cpu_ms,
                idle,
                elapsed_s=spaced.wall_s,
            )
        )
        return floors
    finally:
        await txn.stop()
        await plain.stop()


def main(argv: list[str] | None = None) -> None:
    """Start a broker, measure, print, stop it."""
    parser = argparse.ArgumentParser(prog="python -m bench.broker_floor", description=__doc__)
    parser.add_argument("--count", type=int, default=2000, help="produces; transactions: a quarter")
    parser.add_argument(
        "--gap-ms", type=float, default=50.0, help="pause between spaced transactions"
    )
    parser.add_argument(
        "--rate", type=float, default=20.0, help="registrations/s for the arithmetic"
    )
    parser.add_argument(
        "--txns-per-registration", type=float, default=6.0, help="from a census (bench.census)"
    )
    args = parser.parse_args(argv)
    logs.configure()
    with lone_broker() as (bootstrap, pid):
        if pid is None:
            raise SystemExit("no broker pid: bench.broker_floor needs devstack's own broker")
        floors = uvloop.run(measure(bootstrap, pid, args.count, args.gap_ms))
    for floor in floors:
        print(floor.line())
    per_txn = floors[-1].broker_ms_each
    need = cores_needed(args.rate, args.txns_per_registration, per_txn)
    print(
        f"at {args.rate:.0f} registrations/s x {args.txns_per_registration:.1f} transactions each"
        f" x {per_txn:.2f} ms: the broker needs {need:.2f} cores for the transactions alone"
    )


if __name__ == "__main__":
    main()
