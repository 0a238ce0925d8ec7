"""``python -m bench.consume_cost``: CPU per record of consuming, FastStream's batch subscriber
against a plain aiokafka ``getmany`` loop, on one real broker.

Why: issue 15 asks to measure before replacing the hub's consumers. Both
variants use the consumer settings every hub subscriber has (group
subscription, ``read_committed``, no auto-commit, ``auto_offset_reset``
earliest, the same ``max_records``) and turn each record into the hub's
:class:`~runtime.records.Inbound`; nothing else happens per batch, so what
differs is the consume path itself. Two modes:

* ``drain``: the topic is pre-filled with ``--n`` records, each variant reads
  all of them with a fresh group; CPU from its partitions' assignment to the
  last record.
* ``trickle``: a child process produces ``--rate`` records/s for
  ``--seconds`` while the variant consumes; CPU over that window per record,
  and the produce-to-handler latency (the idle floor shows here).
* ``idle``: the variant waits on an empty topic for ``--seconds``; CPU per
  second here and in the broker (what a quiet topic's consumer costs: the
  fetch sizing decides how often it asks).

Logging is configured as in every service (:func:`runtime.logs.configure`,
``LOG_LEVEL``, INFO unless set; send stderr to a file or ``/dev/null``).
CPU is process time (this process) and the broker JVM's ticks from
``/proc``: wall-clock time on a shared machine says little. Variants run one
after another, alternating over ``--rounds``, so noise hits both alike.
"""

import argparse
import asyncio
import logging
import multiprocessing
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import uvloop
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.cpu import CpuWindow
from bench.lone_broker import lone_broker
from devstack.kafka import create_topics_async
from runtime import logs
from runtime.kafka_security import bootstrap_list, from_environment
from runtime.records import Inbound
from runtime.settings import InfraSettings

HEADERS = [
    ("insw-message-id", b"m" * 32),
    ("insw-correlation-id", b"c" * 20),
    ("insw-schema", b"insw.registration.submitted/v1"),
]


@dataclass
class Tally:
    """What a variant saw: records, batches, CPU at assignment, latencies (trickle)."""

    want: int
    seen: int = 0
    batches: int = 0
    cpu_at_start: float | None = None
    latencies_ms: list[float] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    assigned: asyncio.Event = field(default_factory=asyncio.Event)

    def started(self) -> None:
        """The consumer has its partitions: CPU counts from here."""
        if self.cpu_at_start is None:
            self.cpu_at_start = time.process_time()
        self.assigned.set()

    def take(self, records: list[Any], stamped: bool, converted: bool = False) -> None:
        """Count a batch as the hub would see it; latencies from the stamped send times."""
        inbound = (
            records
            if converted
            else [
                Inbound(r.topic, r.partition, r.offset, r.key, r.value, tuple(r.headers or ()))
                for r in records
            ]
        )
        self.seen += len(inbound)
        self.batches += 1
        if stamped:
            now = time.time()
            self.latencies_ms += [(now - float((r.value or b"")[:20])) * 1000 for r in inbound]
        if self.seen >= self.want:
            self.done.set()


Variant = Callable[[str, str, Tally, argparse.Namespace], Awaitable[Callable[[], Awaitable[None]]]]
"""Starts consuming ``topic`` for a fresh group into the tally; returns its stop."""


def _consumer_settings(args: argparse.Namespace) -> dict[str, Any]:
    """Fetch sizing given on the command line (aiokafka's defaults otherwise)."""
    out: dict[str, Any] = {}
    if args.fetch_min_bytes is not None:
        out["fetch_min_bytes"] = args.fetch_min_bytes
    if args.fetch_max_wait_ms is not None:
        out["fetch_max_wait_ms"] = args.fetch_max_wait_ms
    return out


async def faststream_variant(
    bootstrap: str, topic: str, tally: Tally, args: argparse.Namespace
) -> Callable[[], Awaitable[None]]:
    """The hub's batch subscriber as :func:`runtime.binding.register` configured it on main."""
    from faststream import AckPolicy
    from faststream.kafka import KafkaBroker
    from faststream.kafka.annotations import KafkaMessage

    from runtime.kafka_loop import HandOver

    class Watch(HandOver):
        async def on_partitions_assigned(self, assigned: Any) -> None:
            tally.started()

    broker = KafkaBroker(
        bootstrap_list(bootstrap),
        client_id="bench-consume",
        logger=logging.getLogger("bench-consume"),  # as HubService gives it its own
        security=InfraSettings(kafka_bootstrap_servers=bootstrap).kafka_security(),
    )

    @broker.subscriber(  # type: ignore[untyped-decorator]
        topic,
        batch=True,
        group_id=f"bench-fs-{uuid.uuid4().hex[:8]}",
        max_records=args.max_records,
        batch_timeout_ms=10,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        ack_policy=AckPolicy.MANUAL,
        listener=Watch(asyncio.Lock()),
        decoder=_raw_body,
        **_consumer_settings(args),
    )
    async def on_batch(message: KafkaMessage) -> None:
        tally.take(list(message.raw_message), args.mode == "trickle")

    await broker.start()
    return broker.stop


async def _raw_body(message: Any) -> Any:
    return message.body


async def getmany_variant(
    bootstrap: str, topic: str, tally: Tally, args: argparse.Namespace
) -> Callable[[], Awaitable[None]]:
    """A plain loop: ``getmany`` returns as soon as records arrive, no sleep when empty."""
    from runtime.kafka_loop import HandOver

    class Watch(HandOver):
        async def on_partitions_assigned(self, assigned: Any) -> None:
            tally.started()

    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        client_id="bench-consume",
        group_id=f"bench-gm-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        **_consumer_settings(args),
        **from_environment(bootstrap),
    )
    consumer.subscribe([topic], listener=Watch(asyncio.Lock()))
    await consumer.start()

    async def loop() -> None:
        while True:
            batch = await consumer.getmany(timeout_ms=1000, max_records=args.max_records)
            records = [r for rs in batch.values() for r in rs]
            if records:
                tally.take(records, args.mode == "trickle")

    task = asyncio.create_task(loop())

    async def stop() -> None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await consumer.stop()

    return stop


async def loop_variant(
    bootstrap: str, topic: str, tally: Tally, args: argparse.Namespace
) -> Callable[[], Awaitable[None]]:
    """The hub's own loop (:class:`runtime.kafka_loop.ConsumeLoop`) with the given fetch sizing."""
    from runtime.kafka_loop import Connection, ConsumeLoop, FetchTuning, Poll

    async def on_poll(poll: Poll) -> None:
        tally.take(poll.records, args.mode == "trickle", converted=True)

    loop = ConsumeLoop(
        [topic],
        group_id=f"bench-loop-{uuid.uuid4().hex[:8]}",
        on_poll=on_poll,
        busy=asyncio.Lock(),
        tuning=FetchTuning(
            args.max_records,
            args.fetch_min_bytes if args.fetch_min_bytes is not None else 1,
            args.fetch_max_wait_ms if args.fetch_max_wait_ms is not None else 500,
        ),
        connection=Connection(bootstrap, "bench-consume", from_environment(bootstrap)),
    )
    await loop.start()  # returns once assigned
    tally.started()
    return loop.stop


VARIANTS: dict[str, Variant] = {
    "faststream": faststream_variant,
    "getmany": getmany_variant,
    "loop": loop_variant,
}
"""By name; ``NAME@MIN_BYTES/MAX_WAIT_MS`` runs it with that fetch sizing."""


def _with_sizing(name: str, args: argparse.Namespace) -> tuple[Variant, argparse.Namespace]:
    base, _, sizing = name.partition("@")
    if not sizing:
        return VARIANTS[base], args
    min_bytes, _, wait_ms = sizing.partition("/")
    tuned = argparse.Namespace(**vars(args))
    tuned.fetch_min_bytes, tuned.fetch_max_wait_ms = int(min_bytes), int(wait_ms)
    return VARIANTS[base], tuned


async def fill(bootstrap: str, topic: str, n: int, value_bytes: int) -> None:
    """Put ``n`` records on ``topic`` (keys spread them over its partitions)."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, linger_ms=20, acks="all", **from_environment(bootstrap)
    )
    await producer.start()
    try:
        value = b"x" * value_bytes
        pending = [
            await producer.send(topic, value, key=str(i).encode(), headers=HEADERS)
            for i in range(n)
        ]
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


def _trickle(bootstrap: str, topic: str, rate: float, count: int, value_bytes: int) -> None:
    """Child process: ``count`` records at ``rate``/s, each value starting with its send time."""

    async def run() -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, linger_ms=0, acks="all", **from_environment(bootstrap)
        )
        await producer.start()
        try:
            began = time.monotonic()
            for i in range(count):
                await asyncio.sleep(max(0.0, began + i / rate - time.monotonic()))
                value = f"{time.time():<20.6f}".encode() + b"x" * value_bytes
                await producer.send(topic, value, key=str(i).encode(), headers=HEADERS)
            await producer.flush()
        finally:
            await producer.stop()

    uvloop.run(run())


@dataclass(frozen=True)
class Result:
    """One variant's run: CPU per record here and in the broker, batch size, latency."""

    variant: str
    records: int
    batches: int
    cpu_us_per_record: float
    broker_us_per_record: float
    p50_ms: float | None
    p99_ms: float | None


async def measure(
    name: str, bootstrap: str, topic: str, broker_pid: int | None, args: argparse.Namespace
) -> Result:
    """Run one variant over the topic (drain) or a trickle into it; its costs."""
    want = {"drain": args.n, "trickle": int(args.rate * args.seconds), "idle": 1}[args.mode]
    tally = Tally(want)
    variant, args = _with_sizing(name, args)
    stop = await variant(bootstrap, topic, tally, args)
    child = None
    try:
        if args.mode == "trickle":
            await tally.assigned.wait()  # only then start the trickle
            await asyncio.sleep(1.0)
            tally.cpu_at_start = time.process_time()
            tally.seen = tally.batches = 0
            child = multiprocessing.get_context("spawn").Process(
                target=_trickle, args=(bootstrap, topic, args.rate, want, args.value_bytes)
            )
            child.start()
        else:
            await tally.assigned.wait()
        window = CpuWindow({"broker": broker_pid} if broker_pid else {})
        began = time.monotonic()
        if args.mode == "idle":
            await asyncio.sleep(args.seconds)
            tally.seen = int(args.seconds)  # per second, not per record
        else:
            await asyncio.wait_for(tally.done.wait(), args.timeout)
        cpu = time.process_time() - (tally.cpu_at_start or 0.0)
        wall = time.monotonic() - began
        broker_pct = window.finish().get("broker", 0.0)
    finally:
        await stop()
        if child is not None:
            child.join(10)
    quantiles = (
        statistics.quantiles(tally.latencies_ms, n=100) if len(tally.latencies_ms) > 1 else None
    )
    return Result(
        name,
        tally.seen,
        tally.batches,
        1e6 * cpu / max(tally.seen, 1),
        1e6 * broker_pct / 100 * wall / max(tally.seen, 1),
        quantiles[49] if quantiles else None,
        quantiles[98] if quantiles else None,
    )


async def _new_topic(bootstrap: str, partitions: int) -> str:
    topic = f"bench-consume-{uuid.uuid4().hex[:8]}"
    await create_topics_async(bootstrap, [topic], partitions=partitions)
    return topic


async def main_async(args: argparse.Namespace, bootstrap: str, broker_pid: int | None) -> None:
    """Fill (drain mode), then each variant per round; print one line per run and the ratios."""
    topic = await _new_topic(bootstrap, args.partitions)
    if args.mode == "drain":
        await fill(bootstrap, topic, args.n, args.value_bytes)
    results: dict[str, list[Result]] = {}
    names = args.variants.split(",")
    for round_ in range(args.rounds):
        for name in names if round_ % 2 == 0 else list(reversed(names)):
            if args.mode != "drain":  # a fresh topic: only this run's records
                topic = await _new_topic(bootstrap, args.partitions)
            result = await measure(name, bootstrap, topic, broker_pid, args)
            results.setdefault(name, []).append(result)
            latency = (
                f" p50 {result.p50_ms:.1f} ms p99 {result.p99_ms:.1f} ms"
                if result.p50_ms is not None and result.p99_ms is not None
                else ""
            )
            if args.mode == "idle":
                print(
                    f"idle {name:>10}: {result.cpu_us_per_record / 1e4:.2f}% of a core here, "
                    f"{result.broker_us_per_record / 1e4:.2f}% in the broker",
                    flush=True,
                )
                continue
            print(
                f"{args.mode} {name:>10}: {result.records} records in {result.batches} batches "
                f"({result.records / max(result.batches, 1):.1f}/batch), "
                f"{result.cpu_us_per_record:.0f} us CPU/record here, "
                f"{result.broker_us_per_record:.0f} us/record in the broker{latency}",
                flush=True,
            )
    medians = {n: statistics.median(r.cpu_us_per_record for r in rs) for n, rs in results.items()}
    brokers = {
        n: statistics.median(r.broker_us_per_record for r in rs) for n, rs in results.items()
    }
    base = names[-1]
    for name in names[:-1]:
        print(
            f"{name}/{base}: {medians[name] / medians[base]:.2f}x CPU per record here, "
            f"{brokers[name] / max(brokers[base], 1e-9):.2f}x in the broker (medians of "
            f"{args.rounds} rounds)"
        )


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.consume_cost", description=__doc__)
    parser.add_argument("--mode", choices=("drain", "trickle", "idle"), default="drain")
    parser.add_argument("--n", type=int, default=20_000, help="records to drain")
    parser.add_argument("--rate", type=float, default=88.0, help="trickle records/s")
    parser.add_argument("--seconds", type=float, default=15.0, help="trickle duration")
    parser.add_argument("--value-bytes", type=int, default=600)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--max-records", type=int, default=500)
    parser.add_argument("--fetch-min-bytes", type=int, default=None)
    parser.add_argument("--fetch-max-wait-ms", type=int, default=None)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=120.0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Start a broker (or use ``KAFKA_BOOTSTRAP_SERVERS``), measure, stop it."""
    args = parse(argv)
    logs.configure()  # JSON lines at LOG_LEVEL (INFO), as every service: FastStream logs batches
    with lone_broker() as (bootstrap, broker_pid):
        uvloop.run(main_async(args, bootstrap, broker_pid))


if __name__ == "__main__":
    main()
