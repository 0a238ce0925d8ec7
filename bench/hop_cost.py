"""What one hop's commit costs: the hub's transaction against its at-least-once publish.

Why: at a trickle every record is its own batch, so every hop pays its
commit in full. This times the hub's own two outboxes (``runtime.transactions``
and ``runtime.at_least_once``) committing one hop-shaped batch (one record of
about 400 bytes and its input offset) against a broker of its own, spaced
``--gap-ms`` apart as at 20 registrations/s: the wall time the hop waits,
each broker request as the client saw it, the client's CPU and the
broker's. ``python -m bench.hop_cost``; BENCHMARKS.md, stop 20, has a run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvloop
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka import conn as aiokafka_conn

from bench.cpu import process_cpu_ms
from bench.lone_broker import lone_broker
from runtime import logs
from runtime.at_least_once import AtLeastOnceOutbox
from runtime.consumer import BatchTransaction
from runtime.kafka_security import from_environment
from runtime.records import Outbound
from runtime.transactions import TransactionalOutbox

VALUE = b"x" * 400
"""About one agency answer."""


@dataclass
class HopCost:
    """One mode's hops: wall time each, requests as the client saw them, CPU each side."""

    mode: str
    walls_ms: list[float] = field(default_factory=list)
    requests_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    client_cpu_ms: float = 0.0
    broker_cpu_ms: float = 0.0

    def lines(self) -> list[str]:
        """The printed summary of this mode."""
        count = len(self.walls_ms)
        walls = sorted(self.walls_ms)
        out = [
            f"{self.mode}: {count} hops, wall p50 {statistics.median(walls):.2f} ms,"
            f" p90 {walls[int(0.9 * count)]:.2f} ms;"
            f" client CPU {self.client_cpu_ms / count:.2f} ms,"
            f" broker CPU {self.broker_cpu_ms / count:.2f} ms per hop (idle share taken off)"
        ]
        for name, times in sorted(self.requests_ms.items(), key=lambda kv: -len(kv[1])):
            out.append(
                f"    {name:<28} {len(times) / count:5.2f} per hop,"
                f" p50 {statistics.median(times):6.2f} ms as the client saw it"
            )
        return out


@contextmanager
def timed_requests(into: Callable[[], HopCost | None]) -> Iterator[None]:
    """Time every request aiokafka sends (type and round trip) into the current mode."""
    original = aiokafka_conn.AIOKafkaConnection.send

    def send(self: Any, request: Any, expect_response: bool = True) -> Any:
        began = time.perf_counter()
        future = original(self, request, expect_response)

        async def timed() -> Any:
            try:
                return await future
            finally:
                cost = into()
                if cost is not None:
                    name = type(request).__name__.removesuffix("Request")
                    cost.requests_ms[name].append(1000 * (time.perf_counter() - began))

        return timed()

    aiokafka_conn.AIOKafkaConnection.send = send
    try:
        yield
    finally:
        aiokafka_conn.AIOKafkaConnection.send = original


Commit = Callable[[int], Awaitable[None]]


async def _hops(
    cost: HopCost, commit: Commit, *, count: int, gap_s: float, broker_pid: int, idle: float
) -> None:
    """``count`` hops ``gap_s`` apart; the first tenth warm up and are not counted."""
    warm = max(1, count // 10)
    for i in range(warm):
        await commit(i)
    cost.walls_ms.clear()
    cost.requests_ms.clear()
    cpu, broker, began_all = time.process_time(), process_cpu_ms(broker_pid), time.perf_counter()
    for i in range(warm, warm + count):
        await asyncio.sleep(gap_s)
        began = time.perf_counter()
        await commit(i)
        cost.walls_ms.append(1000 * (time.perf_counter() - began))
    elapsed = time.perf_counter() - began_all
    cost.client_cpu_ms = 1000 * (time.process_time() - cpu)
    cost.broker_cpu_ms = max(0.0, process_cpu_ms(broker_pid) - broker - idle * elapsed)


async def measure(bootstrap: str, broker_pid: int, count: int, gap_ms: float) -> list[HopCost]:
    """The broker idle, then each outbox's hops on a topic and group of its own."""
    before = process_cpu_ms(broker_pid)
    await asyncio.sleep(3.0)
    idle = (process_cpu_ms(broker_pid) - before) / 3.0
    security = from_environment()
    costs = [
        HopCost("transaction (runtime.transactions)"),
        HopCost("at least once (runtime.at_least_once)"),
    ]
    current: list[HopCost | None] = [None]

    async def hops_of(cost: HopCost, outbox: BatchTransaction, name: str) -> None:
        """``count`` hop-shaped commits through ``outbox``, timed into ``cost``."""
        tp = TopicPartition(name, 0)

        async def hop(i: int) -> None:
            await outbox.commit([Outbound(name, b"k", VALUE)], {tp: i + 1}, name)

        current[0] = cost
        try:
            gap_s = gap_ms / 1000
            await _hops(cost, hop, count=count, gap_s=gap_s, broker_pid=broker_pid, idle=idle)
        finally:
            current[0] = None

    run = uuid.uuid4().hex[:8]
    with timed_requests(lambda: current[0]):
        name = f"bench-hop-{run}-t"  # topic, group and transactional id
        txn = TransactionalOutbox(
            bootstrap, transactional_id=name, client_id="bench-hop", security=security
        )
        await txn.start()
        try:
            await hops_of(costs[0], txn, name)
        finally:
            await txn.stop()
        name = f"bench-hop-{run}-a"
        alo = AtLeastOnceOutbox(bootstrap, name=name, client_id="bench-hop", security=security)
        member = AIOKafkaConsumer(
            name, bootstrap_servers=bootstrap, group_id=name, enable_auto_commit=False, **security
        )
        alo.bind(lambda offsets: member.commit(dict(offsets)))
        await alo.start()
        await alo.commit([Outbound(name, b"k", VALUE)], {}, name)  # the topic exists
        await member.start()
        try:
            while not member.assignment():
                await member.getmany(timeout_ms=200)
            await hops_of(costs[1], alo, name)
        finally:
            await member.stop()
            await alo.stop()
    print(f"broker idle: {idle / 10:.1f}% of a core", flush=True)
    return costs


def main(argv: list[str] | None = None) -> None:
    """Start a broker, time both outboxes, print, stop it."""
    parser = argparse.ArgumentParser(prog="python -m bench.hop_cost", description=__doc__)
    parser.add_argument("--count", type=int, default=400, help="hops per mode")
    parser.add_argument("--gap-ms", type=float, default=50.0, help="pause between hops")
    args = parser.parse_args(argv)
    logs.configure()
    with lone_broker() as (bootstrap, pid):
        if pid is None:
            raise SystemExit("no broker pid: bench.hop_cost needs devstack's own broker")
        costs = uvloop.run(measure(bootstrap, pid, args.count, args.gap_ms))
    for cost in costs:
        print("\n".join(cost.lines()))


if __name__ == "__main__":
    main()
