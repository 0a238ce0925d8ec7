"""The three brokers ``docker-compose.cluster.yml`` starts form a working cluster.

There is no Docker here, so the containers cannot run; what they run can.
``kafka-init`` writes each broker's ``server.properties`` and ``start.sh``
(:mod:`devstack.compose_kafka`); this test has the same writer put the three
brokers on loopback (every compose host name replaced by 127.0.0.1, free
ports), runs each broker's ``start.sh`` as compose's entrypoint does, with
``/opt/kafka/bin``'s two scripts standing in for the image's (the same Kafka
classes, from devstack's Maven jars), then runs compose's topic step with the
cluster file's settings, and produces and consumes over SASL_SSL, also with
one broker killed.

What stays unproven: the image's own scripts and paths, compose's merging of
the two files, name resolution on the compose network and the health checks.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError

from contracts.acl import provisioned_topics
from devstack.__main__ import cmd_topics
from devstack.compose_cluster import render_cluster
from devstack.compose_kafka import BrokerPlace, broker_names, write
from devstack.infra import hub_principals, password_variable
from devstack.kafka import (
    KafkaStartError,
    ensure_jars,
    run_sync,
    wait_for_brokers_async,
)
from devstack.kafka_cluster import partition_leaders
from devstack.net import LOOPBACK, free_port
from devstack.processes import ServiceProcess
from runtime.kafka_security import KafkaSecurity, client_options
from tests.kafka_io import collect

pytestmark = pytest.mark.slow

BROKERS = 3
LOG4J = "log4j.rootLogger=WARN, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\n"
LOG4J += "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n"


def _kafka_home(root: Path, libs: Path) -> Path:
    """``bin/`` with the two scripts ``start.sh`` calls, as the image's run them (same classes)."""
    (root / "bin").mkdir(parents=True)
    (root / "log4j.properties").write_text(LOG4J)
    java = f'exec java -cp "{libs}/*"'
    scripts = {
        "kafka-storage.sh": f'{java} kafka.tools.StorageTool "$@"',
        "kafka-server-start.sh": (
            f"exec java -Xmx384m -Dlog4j.configuration=file:{root / 'log4j.properties'} "
            f'-cp "{libs}/*" kafka.Kafka "$@"'
        ),
    }
    for name, line in scripts.items():
        script = root / "bin" / name
        script.write_text(f"#!/bin/sh\n{line}\n")
        script.chmod(0o755)
    return root


def _loopback_places(root: Path) -> dict[str, BrokerPlace]:
    """Every compose broker on 127.0.0.1, on ports nobody else has."""
    taken: set[int] = set()

    def port() -> int:
        while (found := free_port()) in taken:
            pass
        taken.add(found)
        return found

    return {
        name: BrokerPlace(
            host=LOOPBACK,
            client_port=port(),
            controller_port=port(),
            host_port=port(),
            data_dir=str(root / name / "data"),
            bind=LOOPBACK,
        )
        for name in broker_names(BROKERS)
    }


def _topics_settings() -> dict[str, str]:
    """The replication settings of the cluster file's ``topics`` step, read from the file."""
    text = render_cluster(BROKERS)
    block = text[text.index("\n  topics:") :].split("\n\n")[0]
    return dict(re.findall(r"(KAFKA_(?:REPLICATION_FACTOR|MIN_INSYNC_REPLICAS)): \"(\d)\"", block))


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[dict[str, BrokerPlace], dict[str, str], dict]]:
    """The three brokers, started by their ``start.sh``; yields places, env and processes."""
    env = {password_variable(p): secrets.token_urlsafe(24) for p in hub_principals()}
    places = _loopback_places(tmp_path)
    home = _kafka_home(tmp_path / "kafka-home", ensure_jars())
    write(tmp_path / "config", tmp_path / "ca", env, places=places, kafka_home=str(home))
    processes = {
        name: ServiceProcess(
            f"compose-{name}",
            ["/bin/sh", str(tmp_path / "config" / name / "start.sh")],
            log_path=tmp_path / f"{name}.log",
        ).start()
        for name in places
    }
    env["KAFKA_CA_FILE"] = str(tmp_path / "ca" / "ca.pem")
    try:
        yield places, env, processes
    finally:
        for process in processes.values():  # all at once: the last alone has no quorum to leave
            process.send_signal(signal.SIGTERM)
        for process in processes.values():
            process.stop(20)


def _admin(bootstrap: str, env: dict[str, str]) -> dict:
    return client_options(
        KafkaSecurity(
            kafka_bootstrap_servers=bootstrap,
            kafka_security_protocol="SASL_SSL",
            kafka_sasl_username="admin",
            kafka_sasl_password=env[password_variable("admin")],
            kafka_ca_file=env["KAFKA_CA_FILE"],
        )
    )


def _wait_registered(bootstrap: str, security: dict, processes: dict) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        for name, process in processes.items():
            if not process.alive():
                pytest.fail(f"{name} exited while starting:\n{process.tail(40)}")
        try:
            run_sync(wait_for_brokers_async(bootstrap, BROKERS, 5, security))
            return
        except KafkaStartError:
            continue
    pytest.fail("the three brokers did not all register within 180 s")


async def _described(bootstrap: str, security: dict, topic: str) -> tuple[set, str, int]:
    """{(replicas, in-sync)} of ``topic``'s partitions, its min.insync.replicas, leader of 0."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **security)
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
        [response] = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic, {"min.insync.replicas": None})]
        )
    finally:
        await admin.close()
    copies = {(len(p["replicas"]), len(p["isr"])) for p in described[0]["partitions"]}
    configs = {entry[0]: entry[1] for entry in response.resources[0][4]}
    leader = partition_leaders(described, topic)[0]
    return copies, str(configs["min.insync.replicas"]), leader


async def _wait_for_new_leader(bootstrap: str, security: dict, topic: str, gone: int) -> None:
    """Until partition 0 of ``topic`` is led by a live broker (the controller must notice first)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **security)
        try:
            await admin.start()
            leader = partition_leaders(await admin.describe_topics([topic]), topic).get(0, -1)
            if leader not in (gone, -1):
                return
        except KafkaError:
            pass
        finally:
            await admin.close()
        await asyncio.sleep(0.5)
    pytest.fail(f"no new leader for {topic} after broker {gone} was killed")


async def _round_trip(
    bootstrap: str, security: dict, topic: str, leader: int, kill: Callable[[int], str]
) -> list[bytes]:
    """Write one record, kill the partition's ``leader``, write another, read both back.

    Reads as the principal the environment names (the topic step's ``admin``).
    """
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, **security
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"before", key=b"k", partition=0)
        survivors = kill(leader)
        await _wait_for_new_leader(survivors, security, topic, leader)
        # Two of three copies left: min.insync.replicas=2 still takes acks=all writes.
        await producer.send_and_wait(topic, b"after", key=b"k", partition=0)
    finally:
        await producer.stop()
    # Read as the environment's principal (the topic step's admin), from the survivors.
    found = await collect(survivors, [topic], lambda records: len(records) >= 2)
    return [record.value for record in found if record.value is not None]


def test_the_compose_cluster_configuration_forms_a_three_broker_cluster(
    cluster: tuple[dict[str, BrokerPlace], dict[str, str], dict[str, ServiceProcess]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    places, env, processes = cluster
    bootstrap = ",".join(f"{LOOPBACK}:{p.client_port}" for p in places.values())
    security = _admin(bootstrap, env)
    _wait_registered(bootstrap, security, processes)

    # Compose's topic step, as the cluster file configures it (admin, RF and min ISR from the file).
    settings = _topics_settings()
    assert settings == {"KAFKA_REPLICATION_FACTOR": "3", "KAFKA_MIN_INSYNC_REPLICAS": "2"}
    for key, value in {
        **settings,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "KAFKA_CA_FILE": env["KAFKA_CA_FILE"],
        "KAFKA_SASL_USERNAME": "admin",
        "KAFKA_SASL_PASSWORD": env[password_variable("admin")],
    }.items():
        monkeypatch.setenv(key, value)
    assert cmd_topics() == 0

    topic = provisioned_topics()[0]

    copies, min_insync, leader = run_sync(_described(bootstrap, security, topic))
    assert (copies, min_insync) == ({(3, 3)}, "2")

    by_id = dict(enumerate(places, start=1))

    def kill(node_id: int) -> str:
        processes[by_id[node_id]].kill()
        return ",".join(
            f"{LOOPBACK}:{p.client_port}" for n, p in places.items() if n != by_id[node_id]
        )

    seen = run_sync(_round_trip(bootstrap, security, topic, leader, kill))
    assert seen == [b"before", b"after"]
    assert sum(p.alive() for p in processes.values()) == BROKERS - 1
