"""``python -m bench.send_cost``: CPU per record of publishing a batch in a transaction.

Why: a profile of the gateway at full load (BENCHMARKS.md, stop 24) put
13 % of its CPU in aiokafka's ``producer.send``, record by record. This
compares the two ways :func:`runtime.outbox.send_all` has sent a batch:

* ``per-record``: what it did until stop 24: ``await producer.send`` for
  each record (a coroutine, a metadata check, the default partitioner's
  pure-Python murmur2 and a future each), then all the futures gathered;
* ``batched``: what it does now (:func:`runtime.outbox.send_all`): one
  aiokafka batch per partition, partitions from the cached key hashes of
  :class:`runtime.partitions.KeyPartitioner`.

Both publish the same records through a transactional producer built as
:class:`runtime.transactions.TransactionalOutbox` builds it (a transaction
per batch, ``acks=all``, idempotent, no linger) over the broker's SASL_SSL listener. The records
look like the gateway's: ten per registration keyed by its submission id,
``--value-bytes`` of value and the hub's six headers. CPU is this process's
``process_time`` and the broker JVM's ticks from ``/proc``; the variants take
turns over ``--rounds`` so that a noisy neighbour hits both.
"""

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence

import uvloop
from aiokafka import AIOKafkaProducer

from bench.cpu import CpuWindow
from bench.lone_broker import lone_broker
from contracts import headers as h
from devstack.kafka import create_topics_async
from runtime.kafka_security import from_environment
from runtime.outbox import send_all
from runtime.records import Outbound

Send = Callable[[AIOKafkaProducer, Sequence[Outbound]], Awaitable[None]]


async def per_record(producer: AIOKafkaProducer, records: Sequence[Outbound]) -> None:
    """``send_all`` as it was before stop 24: one ``producer.send`` per record."""
    pending = [
        await producer.send(
            record.topic,
            record.value,
            key=record.key,
            headers=[(name, value.encode()) for name, value in record.headers.items()],
        )
        for record in records
    ]
    if pending:
        await asyncio.gather(*pending)


VARIANTS: dict[str, Send] = {"per-record": per_record, "batched": send_all}


def gateway_like(topic: str, registrations: int, value_bytes: int) -> list[Outbound]:
    """Ten records per registration, keyed by its id, with the hub's headers."""
    records = []
    for n in range(registrations):
        sid = f"BENCH-SEND-{uuid.uuid4().hex[:12]}-{n}"
        headers = {
            h.CORRELATION_ID: sid,
            h.SCHEMA: "insw.bench.send.v1",
            h.CONTENT_TYPE: "application/json",
            h.SIGNER: "gateway.0123456789ab",
            h.SIGNATURE: "s" * 86,
            "traceparent": f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01",
        }
        value = b"{" + b"x" * (value_bytes - 2) + b"}"
        records += [Outbound(topic, sid.encode(), value, headers) for _ in range(10)]
    return records


async def transaction(producer: AIOKafkaProducer, send: Send, records: list[Outbound]) -> None:
    """One batch in one transaction, sent the variant's way."""
    await producer.begin_transaction()
    await send(producer, records)
    await producer.commit_transaction()


async def measure(
    name: str, bootstrap: str, broker_pid: int | None, args: argparse.Namespace
) -> tuple[float, float]:
    """One variant: µs of CPU per record here and in the broker."""
    topic = f"bench-send-{uuid.uuid4().hex[:8]}"
    await create_topics_async(bootstrap, [topic], partitions=args.partitions)
    producer = AIOKafkaProducer(  # as runtime.transactions.TransactionalOutbox builds it
        bootstrap_servers=bootstrap,
        client_id=topic,
        transactional_id=topic,
        enable_idempotence=True,
        acks="all",
        linger_ms=0,
        **from_environment(),
    )
    await producer.start()
    batches = [
        gateway_like(topic, args.batch // 10, args.value_bytes) for _ in range(args.n // args.batch)
    ]
    send = VARIANTS[name]
    try:
        await transaction(producer, send, batches[0][:10])  # metadata and connections
        window = CpuWindow({"broker": broker_pid} if broker_pid else {})
        began = time.process_time()
        for records in batches:
            await transaction(producer, send, records)
        cpu = time.process_time() - began
        broker_pct = window.finish().get("broker", 0.0)
    finally:
        await producer.stop()
    count = sum(len(b) for b in batches)
    return 1e6 * cpu / count, 1e6 * broker_pct / 100 * window.wall_s / count


async def main_async(args: argparse.Namespace, bootstrap: str, broker_pid: int | None) -> None:
    """Each variant per round, alternating the order; one line each, then the medians."""
    names = list(VARIANTS)
    here: dict[str, list[float]] = {n: [] for n in names}
    broker: dict[str, list[float]] = {n: [] for n in names}
    for round_ in range(args.rounds):
        for name in names if round_ % 2 == 0 else names[::-1]:
            cpu, in_broker = await measure(name, bootstrap, broker_pid, args)
            here[name].append(cpu)
            broker[name].append(in_broker)
            print(f"{name:>10}: {cpu:6.1f} us/record here, {in_broker:6.1f} in the broker")
    new, old = (statistics.median(here[n]) for n in ("batched", "per-record"))
    new_b, old_b = (statistics.median(broker[n]) for n in ("batched", "per-record"))
    print(
        f"batched/per-record: {new / old:.2f}x CPU per record here, {new_b / old_b:.2f}x in the "
        f"broker (medians of {args.rounds} rounds)"
    )


def main(argv: list[str] | None = None) -> None:
    """Start a broker (or use ``KAFKA_BOOTSTRAP_SERVERS``), measure, stop it."""
    parser = argparse.ArgumentParser(prog="python -m bench.send_cost", description=__doc__)
    parser.add_argument("--n", type=int, default=20_000, help="records per variant and round")
    parser.add_argument("--batch", type=int, default=200, help="records per transaction")
    parser.add_argument("--value-bytes", type=int, default=700)
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args(argv)
    with lone_broker() as (bootstrap, broker_pid):
        uvloop.run(main_async(args, bootstrap, broker_pid))


if __name__ == "__main__":
    main()
