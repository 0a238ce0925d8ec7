"""Three brokers keep three copies, demand two, and go on serving with one of them dead.

Slow (three JVMs and a quorum to form), but in the suite: it is the only
test that shows ``--brokers 3`` gives what RELIABILITY.md promises of it.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from devstack.kafka import create_topics_async, run_sync, warm_coordinators_async
from devstack.kafka_cluster import KafkaCluster, partition_leaders

pytestmark = pytest.mark.slow

INTERNAL = ("__consumer_offsets", "__transaction_state")


async def _replicas(admin: AIOKafkaAdminClient, topic: str) -> list[tuple[int, int]]:
    """(replicas, in-sync replicas) per partition of ``topic``."""
    [entry] = await admin.describe_topics([topic])
    return [(len(p["replicas"]), len(p["isr"])) for p in entry["partitions"]]


async def _settled_replicas(
    admin: AIOKafkaAdminClient, topic: str, wait_s: float = 30.0
) -> list[tuple[int, int]]:
    """:func:`_replicas` once the answering broker knows the topic's partitions.

    Why wait: the coordinator answers as soon as *its* broker has created an
    internal topic; the broker the admin client asks may learn of it from the
    controller a moment later and meanwhile describes it with no partitions
    (CI saw ``__transaction_state`` come back empty once). After ``wait_s``
    the last answer is returned for the caller's assertion to judge.
    """
    deadline = time.monotonic() + wait_s
    found = await _replicas(admin, topic)
    while not found and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        found = await _replicas(admin, topic)
    return found


async def _min_insync(admin: AIOKafkaAdminClient, topic: str) -> str:
    [response] = await admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, topic, {"min.insync.replicas": None})]
    )
    return str({entry[0]: entry[1] for entry in response.resources[0][4]}["min.insync.replicas"])


async def _check(cluster: KafkaCluster, topic: str) -> None:
    security = cluster.client_security("admin")
    bootstrap = cluster.bootstrap_servers
    await create_topics_async(
        bootstrap, [topic], partitions=1, security=security, replication=cluster.replication
    )
    await warm_coordinators_async(bootstrap, security=security)  # creates both internal topics
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **security)
    await admin.start()
    try:
        assert await _settled_replicas(admin, topic) == [(3, 3)]
        assert await _min_insync(admin, topic) == "2"
        for internal in INTERNAL:
            per_partition = await _settled_replicas(admin, internal)
            assert per_partition and all(r == 3 for r, _ in per_partition), internal
            assert await _min_insync(admin, internal) == "2", internal
        before = partition_leaders(await admin.describe_topics([topic]), topic)[0]
    finally:
        await admin.close()

    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, **security
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"before", key=b"k")
        cluster.crash(before)  # kill -9 the partition's leader
        after = await cluster.wait_for_leaders(topic, security, gone=before)
        assert after[0] not in (before, -1)
        # Two of three replicas left: min.insync.replicas=2 still lets acks=all writes in.
        await producer.send_and_wait(topic, b"after", key=b"k")
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic,
        group_id=f"cluster-test-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **{**security, "bootstrap_servers": cluster.bootstrap_without(before)},
    )
    await consumer.start()
    try:
        seen: list[bytes] = []
        for _ in range(60):
            batch = await consumer.getmany(timeout_ms=1000)
            seen += [r.value for records in batch.values() for r in records if r.value]
            if len(seen) >= 2:
                break
        assert seen == [b"before", b"after"]
    finally:
        await consumer.stop()


def test_a_three_broker_cluster_keeps_three_copies_and_serves_with_one_broker_killed() -> None:
    cluster = KafkaCluster(3, heap="384m", passwords={"admin": secrets.token_urlsafe(16)})
    with cluster:
        assert len(cluster.processes()) == 3
        assert len(set(cluster.bootstrap_servers.split(","))) == 3
        run_sync(_check(cluster, f"test.cluster.{uuid.uuid4().hex[:8]}"))
        pids = [p.pid for p in cluster.processes()]
    assert cluster.processes() == []
    assert all(pid is not None for pid in pids)
