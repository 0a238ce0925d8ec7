"""What one hop's commit costs: the hub's transaction against its at-least-once publish.

Why: at a trickle every record is its own batch, so every hop pays its
commit in full. This times the hub's own two outboxes (``runtime.transactions``
and ``runtime.at_least_once``) committing one hop-shaped batch (one record of
about 400 bytes and its input offset) against a broker of its own, spaced
``--gap-ms`` apart as at 20 registrations/s: the wall time the hop waits,
each broker request as the client saw it, the client's CPU and the
broker's. A third mode sends the transaction's offsets while its record is
on the wire, which the hub tried and does not do (BENCHMARKS.md, stop 21:
the broker refuses some of those produces, and a refusal costs 100 ms).
``python -m bench.hop_cost``; BENCHMARKS.md, stops 20 and 21, has runs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
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
from runtime.transactions import BeforeCommit, TransactionalOutbox

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
def timed_requests(mode_of: Callable[[str], HopCost | None]) -> Iterator[None]:
    """Time every request aiokafka sends (type and round trip) into the mode whose client sent it.

    Why by client id: the modes take turns hop by hop, and a request of one
    (the at-least-once member's fetch long poll) may end in another's turn.
    """
    original = aiokafka_conn.AIOKafkaConnection.send

    def send(self: Any, request: Any, expect_response: bool = True) -> Any:
        began = time.perf_counter()
        future = original(self, request, expect_response)

        async def timed() -> Any:
            try:
                return await future
            finally:
                cost = mode_of(getattr(self, "_client_id", ""))
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


class _Overlapping(TransactionalOutbox):
    """The transaction with its offsets asked for before its record is acknowledged."""

    async def commit(
        self,
        records: Sequence[Outbound],
        offsets: Mapping[TopicPartition, int],
        group_id: str,
        before_commit: BeforeCommit | None = None,
    ) -> None:
        """Hand the record over, add the offsets while it is on the wire, then commit."""
        producer = await self._ready()
        await producer.begin_transaction()
        acknowledged = [await producer.send(r.topic, r.value, key=r.key) for r in records]
        await producer.send_offsets_to_transaction(dict(offsets), group_id)
        await asyncio.gather(*acknowledged)
        await producer.commit_transaction()


@dataclass
class Mode:
    """One way of committing a hop, and what its hops cost."""

    cost: HopCost
    commit: Commit


async def _hops(
    modes: list[Mode], *, count: int, gap_s: float, broker_pid: int, idle: float
) -> None:
    """``count`` rounds in which every mode commits one hop, then rests ``gap_s``.

    Why taking turns: a noisy machine (and a broker still warming up) shifts
    every figure by tens of percent within minutes, so modes run one after
    the other would compare two machines. Each hop's turn runs from its
    commit to the end of the rest after it, so the broker's work a commit
    leaves behind (its transaction markers) is counted in its own turn. The
    first tenth of the rounds warm up and are not counted.
    """
    warm = max(1, count // 10)
    for i in range(warm):
        for mode in modes:
            await mode.commit(i)
    for mode in modes:
        mode.cost.walls_ms.clear()
        mode.cost.requests_ms.clear()
    for i in range(warm, warm + count):
        for mode in modes:
            cpu, broker, began = (
                time.process_time(),
                process_cpu_ms(broker_pid),
                time.perf_counter(),
            )
            await mode.commit(i)
            mode.cost.walls_ms.append(1000 * (time.perf_counter() - began))
            await asyncio.sleep(gap_s)
            turn = time.perf_counter() - began
            mode.cost.client_cpu_ms += 1000 * (time.process_time() - cpu)
            mode.cost.broker_cpu_ms += max(0.0, process_cpu_ms(broker_pid) - broker - idle * turn)


async def measure(bootstrap: str, broker_pid: int, count: int, gap_ms: float) -> list[HopCost]:
    """The broker idle, then the three outboxes taking turns, each on its own topic and group."""
    before = process_cpu_ms(broker_pid)
    await asyncio.sleep(3.0)
    idle = (process_cpu_ms(broker_pid) - before) / 3.0
    security = from_environment()
    run = uuid.uuid4().hex[:8]
    costs = {
        "t": HopCost("transaction (runtime.transactions)"),
        "a": HopCost("at least once (runtime.at_least_once)"),
        "o": HopCost("transaction, offsets while the record is on the wire (not used)"),
    }

    def hop_into(outbox: BatchTransaction, tag: str) -> Mode:
        name = f"bench-hop-{run}-{tag}"  # topic, group and transactional id
        tp = TopicPartition(name, 0)

        async def hop(i: int) -> None:
            await outbox.commit([Outbound(name, b"k", VALUE)], {tp: i + 1}, name)

        return Mode(costs[tag], hop)

    def mode_of(client_id: str) -> HopCost | None:
        return costs.get(client_id.removeprefix("bench-hop-"))

    with timed_requests(mode_of):
        outboxes: dict[str, Any] = {}
        for tag, kind in (("t", TransactionalOutbox), ("o", _Overlapping)):
            outboxes[tag] = kind(
                bootstrap,
                transactional_id=f"bench-hop-{run}-{tag}",
                client_id=f"bench-hop-{tag}",
                security=security,
            )
        name = f"bench-hop-{run}-a"
        alo = AtLeastOnceOutbox(bootstrap, name=name, client_id="bench-hop-a", security=security)
        member = AIOKafkaConsumer(
            name,
            bootstrap_servers=bootstrap,
            group_id=name,
            client_id="bench-hop-a",
            enable_auto_commit=False,
            **security,
        )
        alo.bind(lambda offsets: member.commit(dict(offsets)))
        outboxes["a"] = alo
        try:
            for outbox in outboxes.values():
                await outbox.start()
            await alo.commit([Outbound(name, b"k", VALUE)], {}, name)  # the topic exists
            await member.start()
            while not member.assignment():
                await member.getmany(timeout_ms=200)
            modes = [hop_into(outbox, tag) for tag, outbox in outboxes.items()]
            gap_s = gap_ms / 1000
            await _hops(modes, count=count, gap_s=gap_s, broker_pid=broker_pid, idle=idle)
        finally:
            await member.stop()
            for outbox in outboxes.values():
                await outbox.stop()
    print(f"broker idle: {idle / 10:.1f}% of a core", flush=True)
    return list(costs.values())


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
