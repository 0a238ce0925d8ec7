"""The raw aiokafka pipe: the hub's hops with nothing but Kafka in between.

Why: it is the floor the hub is compared with. Same broker, same hops
(submitted -> 3 requests -> 3 answers on one keyed topic -> 1 decision), same
value and header sizes (:mod:`bench.shape`), same partitions, same producer
settings (acks=all, idempotent, linger 2 ms) and the same commit discipline
(poll a batch, send its outputs and its input offsets in one Kafka
transaction, read_committed downstream), each stage its own OS process. No
parsing, no Redis, no HTTP.

Run one stage: ``python -m bench.rawpipe {A,B,C} --bootstrap H:P --prefix P
--shape JSON [--check NIB]``; :func:`stage_specs` builds the five processes.
"""

import argparse
import asyncio
import json
import signal
import sys
from collections.abc import Callable, Sequence

import uvloop
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord

from bench.shape import CHECKS, Hop, Shape
from devstack.processes import ServiceSpec
from runtime import collector
from runtime.kafka_security import from_environment
from runtime.txn_retry import shorten as shorten_concurrent_retry

Out = tuple[str, bytes, bytes, list[tuple[str, bytes]]]
"""A record to produce: topic, key, value, headers."""

Transform = Callable[[Sequence[ConsumerRecord]], list[Out]]


def topic_names(prefix: str) -> dict[str, str]:
    """The pipe's topics: submitted, one per check, completed, decided."""
    names = {"submitted": f"{prefix}.submitted", "completed": f"{prefix}.completed"}
    names |= {c: f"{prefix}.{c.lower()}" for c in CHECKS}
    names["decided"] = f"{prefix}.decided"
    return names


def _headers(hop: Hop) -> list[tuple[str, bytes]]:
    return [(name, b"h" * length) for name, length in hop.headers]


def _filler(tag: bytes, size: int) -> bytes:
    return tag + b"|" + b"x" * max(0, size - len(tag) - 1)


def stage_a(shape: Shape, names: dict[str, str]) -> Transform:
    """Submission -> one request per check (the gateway's first half)."""
    requests = [
        (names[c], _filler(c.encode(), h.value_bytes), _headers(h))
        for c, h in shape.requests.items()
    ]

    def transform(batch: Sequence[ConsumerRecord]) -> list[Out]:
        return [(t, r.key, v, hs) for r in batch for t, v, hs in requests]

    return transform


def stage_b(shape: Shape, names: dict[str, str], check: str) -> Transform:
    """Request -> answer on the completed topic, keyed by submission (an adapter)."""
    hop = shape.answers[check]
    value, headers = _filler(check.encode(), hop.value_bytes), _headers(hop)

    def transform(batch: Sequence[ConsumerRecord]) -> list[Out]:
        return [(names["completed"], r.key, value, headers) for r in batch]

    return transform


def stage_c(shape: Shape, names: dict[str, str]) -> Transform:
    """Three answers per key, gathered in memory -> one decision (the gateway's second half)."""
    pending: dict[bytes, set[bytes]] = {}
    headers = _headers(shape.decision)
    size = shape.decision.value_bytes

    def decision(key: bytes) -> bytes:
        body = {"submission_id": key.decode(), "outcome": "APPROVED", "pad": ""}
        short = size - len(json.dumps(body).encode())
        body["pad"] = "x" * max(0, short)
        return json.dumps(body).encode()

    def transform(batch: Sequence[ConsumerRecord]) -> list[Out]:
        out = []
        for r in batch:
            seen = pending.setdefault(r.key, set())
            seen.add(r.value.split(b"|", 1)[0])
            if len(seen) == len(CHECKS):
                del pending[r.key]
                out.append((names["decided"], r.key, decision(r.key), headers))
        return out

    return transform


async def pump(bootstrap: str, topic: str, group: str, transform: Transform) -> None:
    """Poll, transform, send and commit in one transaction; until SIGTERM or SIGINT.

    The producer retries a CONCURRENT_TRANSACTIONS refusal as the hub's do
    (:mod:`runtime.txn_retry`): the pipe is the floor for the same client.
    """
    shorten_concurrent_retry()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        **from_environment(),
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=2,
        transactional_id=f"{group}.{topic}",
        **from_environment(),
    )
    await producer.start()
    await consumer.start()
    try:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=50, max_records=500)
            records = [r for rs in batches.values() for r in rs]
            if not records:
                continue
            offsets: dict[TopicPartition, int] = {}
            for r in records:
                tp = TopicPartition(r.topic, r.partition)
                offsets[tp] = max(offsets.get(tp, 0), r.offset + 1)
            async with producer.transaction():
                for t, k, v, h in transform(records):
                    await producer.send(t, v, key=k, headers=h)
                await producer.send_offsets_to_transaction(offsets, group)
    finally:
        await consumer.stop()
        await producer.stop()


def stage_specs(bootstrap: str, prefix: str, shape: Shape) -> list[ServiceSpec]:
    """The five stage processes: C first (downstream ready first), then B x3, then A."""
    base = (sys.executable, "-m", "bench.rawpipe")
    common = ("--bootstrap", bootstrap, "--prefix", prefix, "--shape", shape.to_json())
    specs = [ServiceSpec("bench-raw-C", (*base, "C", *common))]
    specs += [ServiceSpec(f"bench-raw-B-{c}", (*base, "B", *common, "--check", c)) for c in CHECKS]
    specs.append(ServiceSpec("bench-raw-A", (*base, "A", *common)))
    return specs


def main(argv: Sequence[str] | None = None) -> None:
    """Run one stage until SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m bench.rawpipe")
    parser.add_argument("stage", choices=("A", "B", "C"))
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--shape", required=True)
    parser.add_argument("--check", choices=CHECKS)
    args = parser.parse_args(argv)
    shape, names = Shape.from_json(args.shape), topic_names(args.prefix)
    if args.stage == "A":
        topic, transform = names["submitted"], stage_a(shape, names)
    elif args.stage == "B":
        if args.check is None:
            parser.error("stage B needs --check")
        topic, transform = names[args.check], stage_b(shape, names, args.check)
    else:
        topic, transform = names["completed"], stage_c(shape, names)
    group = f"{args.prefix}.{args.stage}{'.' + args.check if args.check else ''}"
    collector.tune()  # as every hub process does: the pipe stays the floor for the same runtime
    uvloop.install()
    asyncio.run(pump(args.bootstrap, topic, group, transform))


if __name__ == "__main__":
    main()
