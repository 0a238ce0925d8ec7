"""runtime.outbox.send_all on the real broker: batches per partition, in a transaction.

What sending by batch must keep from sending record by record: each record
on the partition Kafka's rule gives its key, the records' order within a
partition, batches that overflow into the next, and all of it committed or
aborted with the transaction.
"""

from dataclasses import replace

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner

from bench import send_cost
from contracts import channels, signers
from contracts import headers as h
from devstack.kafka import create_topics_async
from runtime.kafka_security import from_environment
from runtime.records import Outbound
from runtime.signing import SignatureInvalid, new_signing_key, parse_trusted_keys, signer_for
from runtime.transactions import TransactionalOutbox
from tests.integration.test_consume_policy import read_all

PARTITIONS = 3


def _records(topic: str, count: int, size: int) -> list[Outbound]:
    return [
        Outbound(
            topic,
            b"SUB-%d" % (n % 7),
            b"%06d:" % n + b"x" * size,
            {h.CORRELATION_ID: f"SUB-{n % 7}"},
        )
        for n in range(count)
    ]


def _outbox(bootstrap: str, name: str) -> TransactionalOutbox:
    return TransactionalOutbox(
        bootstrap, transactional_id=name, client_id=name, security=from_environment()
    )


async def _commit_once(bootstrap: str, topic: str, records: list[Outbound]) -> None:
    """``records`` in one committed transaction of a producer made and stopped for it."""
    outbox = _outbox(bootstrap, topic + ".tx")
    try:
        await outbox.commit(records, {}, group_id=topic + ".g")
    finally:
        await outbox.stop()


async def test_batches_keep_kafkas_partitions_the_order_and_every_record(
    bootstrap_servers, unique_topic
):
    await create_topics_async(bootstrap_servers, [unique_topic], partitions=PARTITIONS)
    records = _records(unique_topic, 300, 400)  # 120 kB: several 16 kB batches per partition
    await _commit_once(bootstrap_servers, unique_topic, records)
    found = await read_all(bootstrap_servers, unique_topic, len(records))
    assert len(found) == len(records)
    kafka = DefaultPartitioner()
    every = list(range(PARTITIONS))
    for record in found:
        assert record.partition == kafka(record.key, every, every)
        assert dict(record.headers)[h.CORRELATION_ID] == record.key
    for partition in every:
        ordered = sorted(found, key=lambda r: r.offset)
        values = [r.value for r in ordered if r.partition == partition]
        assert values == sorted(values)  # the numbers lead the values: records' order kept
    assert {r.value for r in found} == {r.value for r in records}


async def test_an_aborted_transaction_leaves_none_of_its_batches(bootstrap_servers, unique_topic):
    await create_topics_async(bootstrap_servers, [unique_topic], partitions=PARTITIONS)
    outbox = _outbox(bootstrap_servers, unique_topic + ".tx")

    async def die() -> None:
        raise RuntimeError("killed between send and commit")

    try:
        with pytest.raises(RuntimeError):
            await outbox.commit(
                _records(unique_topic, 100, 400), {}, group_id="g", before_commit=die
            )
        await outbox.commit(_records(unique_topic, 5, 10), {}, group_id=unique_topic + ".g")
    finally:
        await outbox.stop()
    committed = await read_all(bootstrap_servers, unique_topic, 105, timeout=8.0)
    assert len(committed) == 5
    uncommitted = await read_all(
        bootstrap_servers, unique_topic, 105, timeout=8.0, isolation="read_uncommitted"
    )
    assert len(uncommitted) == 105  # the aborted batches did reach the log, then were aborted


async def test_the_send_benchmark_compares_two_ways_that_put_records_alike(
    bootstrap_servers, topic_prefix
):
    """bench.send_cost: both ways put the same records in the same places; only the cost differs."""
    template = send_cost.gateway_like("t", registrations=30, value_bytes=300)
    placed = {}
    for name, send in send_cost.VARIANTS.items():
        topic = f"{topic_prefix}.{name}"
        await create_topics_async(bootstrap_servers, [topic], partitions=PARTITIONS)
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap_servers,
            transactional_id=topic,
            enable_idempotence=True,
            acks="all",
            **from_environment(),
        )
        await producer.start()
        try:
            records = [replace(r, topic=topic) for r in template]
            await send_cost.transaction(producer, send, records)
        finally:
            await producer.stop()
        found = await read_all(bootstrap_servers, topic, len(template))
        placed[name] = sorted((r.partition, r.offset, r.key, r.value) for r in found)
    assert len(placed["batched"]) == len(template)
    assert placed["batched"] == placed["per-record"]


async def test_batch_signed_records_verify_one_by_one_after_the_broker(
    bootstrap_servers, unique_topic
):
    """Signed in chunks, sent over several partitions, read back in another order: each record
    verifies alone (a fresh verifier per record), and one bent on the way is refused."""
    await create_topics_async(bootstrap_servers, [unique_topic], partitions=PARTITIONS)
    channel = replace(channels.VERIFICATION_COMPLETED, topic=unique_topic)
    key = new_signing_key(signers.AGENCY_SIGNERS[0])
    records = [
        Outbound.of(channel, b'{"n":%d}' % n, cause=None, correlation_id=f"SUB-{n}")
        for n in range(70)
    ]
    signed = signer_for(key, [channel])(records)
    assert sum(h.SIGNATURE_PATH in r.headers for r in signed) == 70  # chunks of 32, 32, 6
    await _commit_once(bootstrap_servers, unique_topic, signed)
    found = await read_all(bootstrap_servers, unique_topic, len(records))
    assert len(found) == len(records) and len({r.partition for r in found}) > 1
    accepted = frozenset({key.signer})
    for record in found:
        trusted = parse_trusted_keys(key.public_entry())
        assert trusted.verify(record.key, record.value, record.headers, accepted) == key.signer
        bent = (record.value or b"").replace(b"}", b" }")
        with pytest.raises(SignatureInvalid):
            trusted.verify(record.key, bent, record.headers, accepted)
