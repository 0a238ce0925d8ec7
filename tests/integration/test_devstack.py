"""The devstack gives real, working Kafka and Redis and cleans up after itself."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from contracts.topics import REGISTRATION_DECIDED, REGISTRATION_SUBMITTED
from devstack import processes
from devstack.demo import submit_examples_and_print
from devstack.infra import Infrastructure, hub_topics
from devstack.kafka import KafkaNode, create_topics_async
from devstack.processes import ServiceProcess
from runtime.kafka_security import from_environment


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # Reaped children cannot linger; a live pid here is a live process.
    return Path(f"/proc/{pid}/status").read_text().find("State:\tZ") >= 0


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmdline:
            found.append(f"{proc.name}: {cmdline}")
    return found


async def test_broker_answers_metadata_and_round_trips_a_message(
    infrastructure: Infrastructure, unique_topic: str, topic_prefix: str
) -> None:
    bootstrap = infrastructure.bootstrap_servers
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **from_environment())
    await admin.start()
    try:
        cluster = await admin.describe_cluster()
        topics = set(await admin.list_topics())
    finally:
        await admin.close()
    assert len(cluster["brokers"]) >= 1
    assert set(hub_topics()) <= topics, "devstack must provision every hub topic"

    await create_topics_async(bootstrap, [unique_topic], partitions=4)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", **from_environment())
    await producer.start()
    try:
        sent = await producer.send_and_wait(unique_topic, b'{"hello": "kafka"}', key=b"k-1")
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        unique_topic,
        bootstrap_servers=bootstrap,
        group_id=f"{topic_prefix}.group",
        auto_offset_reset="earliest",
        **from_environment(),
    )
    await consumer.start()
    try:
        message = await asyncio.wait_for(consumer.getone(), timeout=30)
    finally:
        await consumer.stop()
    assert (message.key, message.value) == (b"k-1", b'{"hello": "kafka"}')
    assert (message.partition, message.offset) == (sent.partition, sent.offset)


async def test_redis_round_trip_on_a_real_redis_server(
    infrastructure: Infrastructure, topic_prefix: str
) -> None:
    client = aioredis.Redis.from_url(infrastructure.redis_url)
    try:
        key = f"{topic_prefix}:key"
        assert await client.set(key, "value", ex=60)
        assert await client.get(key) == b"value"
        assert 0 < await client.ttl(key) <= 60
        info = await client.info("server")
    finally:
        await client.aclose()
    assert str(info["redis_version"]).split(".")[0].isdigit()
    assert info["redis_mode"] == "standalone"
    if "executable" in info:
        assert Path(str(info["executable"])).name == "redis-server"


def test_infrastructure_honours_env_and_starts_nothing(
    infrastructure: Infrastructure, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", infrastructure.bootstrap_servers)
    monkeypatch.setenv("REDIS_URL", infrastructure.redis_url)
    live_before = list(processes._LIVE)
    with Infrastructure() as borrowed:
        assert not borrowed.started_anything
        assert borrowed.kafka is None and borrowed.redis is None
        assert live_before == processes._LIVE
        assert borrowed.bootstrap_servers == infrastructure.bootstrap_servers
        assert borrowed.redis_url == infrastructure.redis_url
        assert "from KAFKA_BOOTSTRAP_SERVERS" in borrowed.describe_kafka()
        assert "from REDIS_URL" in borrowed.describe_redis()
    # Leaving the borrowed context must not stop what it did not start.
    assert all(p.alive() for p in live_before)


def test_stopping_a_kafka_node_leaves_no_process() -> None:
    node = KafkaNode().start()
    assert node.process is not None and node.run_dir is not None
    pid, run_dir = node.process.pid, node.run_dir
    assert pid is not None and not _pid_gone(pid)
    node.stop()
    assert _pid_gone(pid)
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)  # the whole process group is gone too
    assert not run_dir.exists()
    assert _processes_mentioning(str(run_dir)) == []


def test_stopping_a_service_also_stops_its_children(tmp_path: Path) -> None:
    marker = f"devstack-test-{os.getpid()}-{time.monotonic_ns()}"
    grandchild = f"sleep 300; : {marker}"
    script = (
        "import subprocess, sys, time\n"
        "subprocess.Popen(['sh', '-c', 'sleep 300; : ' + sys.argv[1]])\n"
        "time.sleep(300)\n"
    )
    proc = ServiceProcess(
        "child-test", [sys.executable, "-c", script, marker], log_path=tmp_path / "child.log"
    ).start()
    try:
        deadline = time.monotonic() + 10
        while not _processes_mentioning(grandchild) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _processes_mentioning(grandchild), "grandchild never started"
        proc.stop(timeout=5)
        deadline = time.monotonic() + 5
        while _processes_mentioning(grandchild) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _processes_mentioning(grandchild) == []
    finally:  # if the assertion failed, do not leave the test's own processes behind
        proc.stop(timeout=1)
        if proc.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


async def _fake_decider(bootstrap: str, prefix: str) -> None:
    """Stand-in for the gateway: answers this test's submissions with a fixed decision."""
    consumer = AIOKafkaConsumer(
        REGISTRATION_SUBMITTED,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        **from_environment(),
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", **from_environment())
    await consumer.start()
    await producer.start()
    try:
        async for message in consumer:
            try:  # the topic is shared: other tests publish poison messages on purpose
                sid = str(json.loads(message.value).get("submission_id"))
            except (ValueError, AttributeError):
                continue
            if not sid.startswith(prefix):
                continue
            decision = {
                "submission_id": sid,
                "outcome": "REJECTED",
                "reasons": [{"code": "NPWP_INVALID", "field": "npwp"}],
            }
            await producer.send_and_wait(
                REGISTRATION_DECIDED, json.dumps(decision).encode(), key=sid.encode()
            )
    finally:
        await producer.stop()
        await consumer.stop()


async def test_demo_submits_examples_and_prints_their_decisions(
    infrastructure: Infrastructure,
    topic_prefix: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bootstrap = infrastructure.bootstrap_servers
    sid = f"{topic_prefix}-sub"
    (tmp_path / "alpha.json").write_text(json.dumps({"submission_id": sid, "npwp": "x"}))
    decider = asyncio.create_task(_fake_decider(bootstrap, topic_prefix))
    demo = asyncio.create_task(submit_examples_and_print(bootstrap, tmp_path))
    try:
        deadline = time.monotonic() + 30
        out = ""
        # Another session service (the e2e gateway) may decide the same id too: wait for ours.
        while "NPWP_INVALID(npwp)" not in out and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            assert not demo.done(), demo.exception()
            assert not decider.done(), decider.exception()
            out += capsys.readouterr().out
    finally:
        for task in (demo, decider):
            task.cancel()
        await asyncio.gather(demo, decider, return_exceptions=True)
    lines = [x for x in out.splitlines() if sid in x]
    assert any(
        x.startswith("alpha.json") and "REJECTED" in x and "NPWP_INVALID(npwp)" in x for x in lines
    ), out
    assert "all 1 examples decided" in out
