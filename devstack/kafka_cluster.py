"""Three Kafka brokers on one machine: a KRaft quorum of three combined broker+controllers.

Why: a single broker cannot show what replication buys. With three brokers
each partition has three copies (``min.insync.replicas=2``), so the fault
suite can ``kill -9`` a partition's leader, or freeze a broker with SIGSTOP,
and check that no acknowledged record is lost and none is decided twice.

Each broker is a :class:`~devstack.kafka.KafkaNode` with its own ports, run
directory and data; all three are formatted with one cluster id, name every
controller as a voter, and share one CA and broker certificate (same host,
same name), so TLS, SCRAM users and ACLs are exactly the single broker's.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from devstack.kafka import (
    PORT_TAKEN,
    START_TIMEOUT_S,
    KafkaNode,
    KafkaStartError,
    Replication,
    Security,
    ensure_jars,
    kafka_version,
    probe_async,
    random_cluster_id,
    run_sync,
    start_retrying,
)
from devstack.net import LOOPBACK
from devstack.paths import new_run_dir
from devstack.processes import ServiceProcess
from devstack.tls import StackCertificates, make_certificates
from runtime.kafka_security import from_environment

QUORUM = 3
"""Brokers (and controller voters) of the cluster ``--brokers 3`` starts."""
STOP_TIMEOUT_S = 20.0
QUORUM_PROPERTIES = [
    "controller.quorum.election.timeout.ms=3000",
    "controller.quorum.fetch.timeout.ms=6000",
]
"""Slower elections than Kafka's 1 s / 2 s defaults.

Why: on a loaded 2-core machine (load average 40 seen) three JVMs miss those
deadlines while starting, and the controller leadership churns; once, in
that churn, the controller that finally led found the log not empty but
without the bootstrap records (``metadata.version``, the SCRAM users) and
started without them, so no one could log in. A dead controller is still
replaced within seconds, well inside ``broker.session.timeout.ms``.
"""
BOOTSTRAP_LOST = "No metadata.version feature level record was found"
"""What a controller logs when it activates without the bootstrap records (see above)."""


def quorum_voters(nodes: list[KafkaNode]) -> str:
    """``controller.quorum.voters`` naming every node: ``1@127.0.0.1:p1,2@127.0.0.1:p2,...``."""
    return ",".join(f"{n.node_id}@{LOOPBACK}:{n.controller_port}" for n in nodes)


def partition_leaders(topics: list[Any], topic: str) -> dict[int, int]:
    """Partition -> leader node id of ``topic`` in an admin ``describe_topics`` answer.

    Why tolerant of both key spellings: the metadata response names the topic
    ``topic`` in older versions and ``name`` in newer ones.
    """
    for entry in topics:
        if (entry.get("topic") or entry.get("name")) == topic:
            return {p["partition"]: p["leader"] for p in entry["partitions"]}
    return {}


def _log_mentions(process: ServiceProcess, text: str) -> bool:
    """Whether ``process``'s whole log holds ``text`` (a start-up line soon leaves the tail)."""
    try:
        return text.encode() in process.log_path.read_bytes()
    except OSError:
        return False


class KafkaCluster:
    """``brokers`` KRaft nodes on free loopback ports; same interface as one :class:`KafkaNode`."""

    def __init__(
        self,
        brokers: int = QUORUM,
        *,
        heap: str = "512m",
        passwords: Mapping[str, str] | None = None,
    ) -> None:
        if brokers < 2:
            raise KafkaStartError("a cluster has at least two brokers; use KafkaNode for one")
        self.replication = Replication.for_brokers(brokers)
        self.passwords = dict(passwords or {})
        self.nodes = [
            KafkaNode(heap=heap, passwords=passwords, node_id=i + 1, replication=self.replication)
            for i in range(brokers)
        ]
        self.version = kafka_version()
        self.startup_seconds = 0.0
        self.certificates: StackCertificates | None = None
        self._tls_dir: Path | None = None

    @property
    def secure(self) -> bool:
        """Whether clients must authenticate (SASL_SSL) and ACLs apply."""
        return bool(self.passwords)

    @property
    def bootstrap_servers(self) -> str:
        """Every broker's client listener, comma-separated (a client needs any one alive)."""
        return ",".join(n.bootstrap_servers for n in self.nodes)

    @property
    def ca_file(self) -> Path | None:
        """The CA every broker's certificate is signed by (None without TLS)."""
        return self.certificates.ca_file if self.certificates else None

    @property
    def process(self) -> ServiceProcess | None:
        """The first broker's JVM (tools that read one broker's log); see :meth:`processes`."""
        return self.nodes[0].process

    def processes(self) -> list[ServiceProcess]:
        """Every broker's JVM that is running now."""
        return [n.process for n in self.nodes if n.process is not None]

    def node(self, node_id: int) -> KafkaNode:
        """The broker with ``node.id`` ``node_id``."""
        for node in self.nodes:
            if node.node_id == node_id:
                return node
        raise KeyError(f"no broker {node_id} in this cluster")

    def client_security(self, principal: str = "admin") -> dict[str, Any]:
        """aiokafka options to connect as ``principal`` (no address: every broker takes these)."""
        return self.nodes[0].client_security(principal)

    def start(self, timeout: float = START_TIMEOUT_S) -> KafkaCluster:
        """Format every node with one cluster id, start all JVMs, wait for all of them to serve.

        Retried with new ports when a port was taken between probe and bind, and
        formatted again when a controller lost the bootstrap records.
        """
        libs = ensure_jars()
        began = time.monotonic()
        start_retrying(
            lambda: self._start_once(libs, timeout), self.stop, (PORT_TAKEN, BOOTSTRAP_LOST)
        )
        self.startup_seconds = time.monotonic() - began
        return self

    def _start_once(self, libs: Path, timeout: float) -> None:
        taken: list[int] = []
        for node in self.nodes:
            node.allocate_ports(taken)
            taken += [node.port, node.controller_port]
        voters = quorum_voters(self.nodes)
        if self.secure:
            self._tls_dir = new_run_dir(f"kafka-cluster-{self.nodes[0].port}")
            self.certificates = make_certificates(self._tls_dir / "tls", [LOOPBACK, "localhost"])
        cluster_id = random_cluster_id()
        for node in self.nodes:
            node.voters = voters
            node.extra_properties = list(QUORUM_PROPERTIES)
            node.prepare(libs, cluster_id, self.certificates)
        self._spawn_all(libs, timeout)

    def _spawn_all(self, libs: Path, timeout: float) -> None:
        """Start every JVM first (none answers before a quorum is up), then wait for all."""
        for node in self.nodes:
            node.spawn(libs)
        self.wait_all_registered(timeout)

    def wait_all_registered(self, timeout: float = START_TIMEOUT_S) -> None:
        """Wait until every broker answers and the metadata lists all of them.

        Why all: topics with three replicas cannot be created on fewer.
        Raises at once when a broker exits or a controller started without
        its bootstrap records (:data:`BOOTSTRAP_LOST`: a fresh format is the cure).
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_nodes()
            with contextlib.suppress(Exception):  # any failure means "not yet"
                if all(self._lists_everyone(node.bootstrap_servers) for node in self.nodes):
                    return
            time.sleep(0.5)
        raise KafkaStartError(f"not all {len(self.nodes)} brokers registered within {timeout:.0f}s")

    def _lists_everyone(self, bootstrap: str) -> bool:
        found = run_sync(probe_async(bootstrap, 3000, self.client_security()))
        return len(found.get("brokers", [])) >= len(self.nodes)

    def _check_nodes(self) -> None:
        for node in self.nodes:
            process = node.process
            if process is None or not process.alive():
                tail = process.tail(60) if process else ""
                raise KafkaStartError(f"broker {node.node_id} exited while starting:\n{tail}")
            if _log_mentions(process, BOOTSTRAP_LOST):
                raise KafkaStartError(f"broker {node.node_id}: {BOOTSTRAP_LOST} (bootstrap lost)")

    def restart(self, timeout: float = START_TIMEOUT_S, *, down_s: float = 0.0) -> float:
        """Stop every broker (SIGTERM), wait ``down_s``, start all again; seconds unreachable."""
        began = time.monotonic()
        self._stop_processes(STOP_TIMEOUT_S)
        time.sleep(down_s)
        self._spawn_all(ensure_jars(), timeout)
        return time.monotonic() - began

    def crash(self, node_id: int) -> None:
        """``kill -9`` broker ``node_id``: no controlled shutdown, its data stays."""
        self.node(node_id).crash()

    def relaunch(self, node_id: int, timeout: float = START_TIMEOUT_S) -> float:
        """Start broker ``node_id`` again on its ports and data; seconds until it answers."""
        began = time.monotonic()
        self.node(node_id).relaunch(timeout)
        return time.monotonic() - began

    def freeze(self, node_id: int) -> None:
        """SIGSTOP broker ``node_id``: its sockets stay open but it answers nothing."""
        self._signal(node_id, signal.SIGSTOP)

    def thaw(self, node_id: int) -> None:
        """SIGCONT broker ``node_id`` after :meth:`freeze`."""
        self._signal(node_id, signal.SIGCONT)

    def _signal(self, node_id: int, sig: signal.Signals) -> None:
        process = self.node(node_id).process
        if process is None or not process.alive():
            raise KafkaStartError(f"broker {node_id} is not running")
        process.send_signal(sig)

    def bootstrap_without(self, node_id: int | None) -> str:
        """Client listeners of every broker but ``node_id`` (a frozen one would hang a client)."""
        return ",".join(n.bootstrap_servers for n in self.nodes if n.node_id != node_id)

    async def leaders(
        self, topic: str, security: Security | None = None, *, avoid: int | None = None
    ) -> dict[int, int]:
        """Partition -> leader node id of ``topic`` right now, asking every broker but ``avoid``."""
        bootstrap = self.bootstrap_without(avoid)
        options = dict(security) if security is not None else from_environment(bootstrap)
        options["bootstrap_servers"] = bootstrap
        admin = AIOKafkaAdminClient(request_timeout_ms=10000, **options)
        await admin.start()
        try:
            return partition_leaders(await admin.describe_topics([topic]), topic)
        finally:
            await admin.close()

    async def wait_for_leaders(
        self,
        topic: str,
        security: Security | None = None,
        *,
        gone: int | None = None,
        wait_s: float = 60.0,
    ) -> dict[int, int]:
        """Leaders of ``topic`` once every partition has one that is not broker ``gone``.

        Why wait: a broker that died is reported as leader until the
        controller misses its heartbeats (``broker.session.timeout.ms``), and
        an election shows leader -1 meanwhile. After ``wait_s`` the last
        answer is returned as it is, for the caller to judge.
        """
        deadline = time.monotonic() + wait_s
        found: dict[int, int] = {}
        while time.monotonic() < deadline:
            try:
                found = await self.leaders(topic, security, avoid=gone)
            except KafkaError:
                found = {}
            if found and all(leader >= 0 and leader != gone for leader in found.values()):
                return found
            await asyncio.sleep(0.2)
        return found

    def _stop_processes(self, timeout: float) -> None:
        """SIGTERM every broker at once, then wait for each (SIGKILL after ``timeout``).

        Why all at once: a broker stopped last, alone, has no quorum to shut
        down against and would wait out the whole timeout.
        """
        running = [n.process for n in self.nodes if n.process is not None]
        for process in running:
            process.send_signal(signal.SIGCONT)  # a frozen broker cannot act on SIGTERM
            process.send_signal(signal.SIGTERM)
        for process in running:
            process.stop(timeout)
        for node in self.nodes:
            node.process = None

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Stop every broker and remove the run directories."""
        self._stop_processes(timeout)
        for node in self.nodes:
            node.stop()
        if self._tls_dir is not None:
            shutil.rmtree(self._tls_dir, ignore_errors=True)
            self._tls_dir = None

    def __enter__(self) -> KafkaCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
