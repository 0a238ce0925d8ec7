"""A real single-node Apache Kafka broker (KRaft combined mode) from Maven jars.

Why: there is no Docker on the machines, but Maven Central publishes the
broker as ordinary jars. devstack fetches them once into the user cache with
``mvn`` (pom in ``devstack/kafka/pom.xml``), formats a throw-away log
directory and runs ``kafka.Kafka`` on free loopback ports, so tests and the
demo exercise the same broker version as production.
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Coroutine, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError, for_code

from devstack.net import LOOPBACK, free_port, wait_for_port
from devstack.paths import LOG_DIR, REPO_ROOT, cache_dir, new_run_dir
from devstack.processes import ServiceProcess
from devstack.tls import BROKER_CN, StackCertificates, make_certificates
from runtime.kafka_security import from_environment

POM = REPO_ROOT / "devstack" / "kafka" / "pom.xml"
START_TIMEOUT_S = 180.0
"""A JVM start on a 2-core machine under load (seen: > 60 s at load 29) must not fail a run."""
_T = TypeVar("_T")
AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
SCRAM = "SCRAM-SHA-512"
Security = Mapping[str, Any]
"""aiokafka client options naming a principal (:mod:`runtime.kafka_security`)."""


def _options(bootstrap: str, security: Security | None) -> dict[str, Any]:
    """``security``, else the principal this process's environment names."""
    return dict(security) if security is not None else from_environment(bootstrap)


class KafkaStartError(RuntimeError):
    """The broker could not be prepared or did not answer in time."""


@dataclass(frozen=True)
class Replication:
    """How many copies of each partition a cluster keeps, and how many must have a write.

    Why both together: with ``acks=all`` a write is acknowledged once every
    in-sync replica has it; ``min_insync`` is the floor below which the
    leader refuses writes instead of acknowledging them on too few copies.
    Three brokers keep three copies and demand two: one broker may die (or
    hang) and writes go on, and an acknowledged write survives that loss.
    """

    factor: int
    min_insync: int

    @classmethod
    def for_brokers(cls, brokers: int) -> Replication:
        """Replication that follows the cluster size: 1/1 for one broker, 3/2 for three or more."""
        if brokers < 1:
            raise ValueError(f"a cluster needs at least one broker, not {brokers}")
        factor = min(brokers, 3)
        return cls(factor=factor, min_insync=max(1, factor - 1))

    def topic_configs(self) -> dict[str, str]:
        """Topic-level settings every hub topic is created with (none on a single broker)."""
        return {"min.insync.replicas": str(self.min_insync)} if self.factor > 1 else {}

    def broker_properties(self) -> list[str]:
        """Broker defaults, the internal offsets and transaction-state topics included."""
        return [
            f"default.replication.factor={self.factor}",
            f"min.insync.replicas={self.min_insync}",
            f"offsets.topic.replication.factor={self.factor}",
            f"transaction.state.log.replication.factor={self.factor}",
            f"transaction.state.log.min.isr={self.min_insync}",
        ]


SINGLE = Replication(factor=1, min_insync=1)
"""One broker: one copy of everything (devstack's default, unchanged)."""
REPLICATION_VARIABLE = "KAFKA_REPLICATION_FACTOR"
MIN_INSYNC_VARIABLE = "KAFKA_MIN_INSYNC_REPLICAS"


def replication_from_environment(env: Mapping[str, str]) -> Replication:
    """The topics' replication ``KAFKA_REPLICATION_FACTOR`` and ``KAFKA_MIN_INSYNC_REPLICAS`` name.

    Why variables: compose's topic step is one command for one broker or three;
    the cluster file sets 3 and 2. Unset: :data:`SINGLE`.
    """
    factor = int(env.get(REPLICATION_VARIABLE) or SINGLE.factor)
    min_insync = int(env.get(MIN_INSYNC_VARIABLE) or SINGLE.min_insync)
    if not 1 <= min_insync <= factor:
        raise ValueError(f"min.insync.replicas {min_insync} must be within 1..{factor}")
    return Replication(factor=factor, min_insync=min_insync)


JVM_OPTIONS_VARIABLE = "KAFKA_JVM_OPTIONS"
"""Extra JVM options for a broker devstack starts (space-separated), e.g. a JIT setting to
compare on a small machine; none by default."""


def jvm_options(env: Mapping[str, str] = os.environ) -> list[str]:
    """``KAFKA_JVM_OPTIONS`` as arguments; refused unless every one is a JVM option (``-...``)."""
    options = env.get(JVM_OPTIONS_VARIABLE, "").split()
    strays = [o for o in options if not o.startswith("-")]
    if strays:
        raise KafkaStartError(f"{JVM_OPTIONS_VARIABLE}: {strays[0]!r} is not a JVM option")
    return options


def kafka_version() -> str:
    """Kafka version pinned in the pom, the single place that names it."""
    match = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", POM.read_text())
    if match is None:
        raise KafkaStartError(f"no <kafka.version> in {POM}")
    return match.group(1).strip()


def libs_dir() -> Path:
    """Cache directory holding the broker jars for the pinned version."""
    return cache_dir() / f"kafka-{kafka_version()}" / "libs"


def ensure_jars() -> Path:
    """Fill the jar cache with ``mvn dependency:copy-dependencies`` unless already done.

    Why a temporary directory and a rename: two concurrent runs (or an
    interrupted one) must never see a half-filled cache.
    """
    libs = libs_dir()
    if (libs / f"kafka_2.13-{kafka_version()}.jar").is_file():
        return libs
    if shutil.which("mvn") is None:
        raise KafkaStartError("mvn (Maven) is not on PATH; it is needed once to fetch Kafka jars")
    libs.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="libs-", dir=libs.parent))
    try:
        result = subprocess.run(
            [
                "mvn",
                "-q",
                "-B",
                "-f",
                str(POM),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={staging}",
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
        if result.returncode != 0:
            raise KafkaStartError(f"mvn failed:\n{result.stdout[-4000:]}{result.stderr[-4000:]}")
        try:
            staging.rename(libs)
        except OSError:
            if not libs.is_dir():  # lost a race to a concurrent fetch: theirs is fine
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return libs


def random_cluster_id() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding.

    Same format as ``StorageTool random-uuid`` (and, like Kafka, never starting
    with '-', which would read as a command-line flag) without paying for an
    extra JVM start.
    """
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not text.startswith("-"):
            return text


def run_sync(coro: Coroutine[Any, Any, _T]) -> _T:
    """Run a coroutine to completion from sync code, even inside a running loop.

    Why a thread: the sync API is called from pytest fixtures and CLIs that
    may already have an event loop on the calling thread.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def probe_async(
    bootstrap: str, timeout_ms: int = 5000, security: Security | None = None
) -> dict[str, Any]:
    """Send a metadata request; return the cluster description (brokers, controller)."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap,
        request_timeout_ms=timeout_ms,
        **_options(bootstrap, security),
    )
    await admin.start()
    try:
        cluster: dict[str, Any] = await admin.describe_cluster()
        return cluster
    finally:
        await admin.close()


async def wait_for_brokers_async(
    bootstrap: str, count: int, wait_s: float = START_TIMEOUT_S, security: Security | None = None
) -> None:
    """Wait until the cluster's metadata lists ``count`` brokers.

    Why: a broker answers (compose's health check) before the controller has
    registered it, and a topic with ``count`` replicas cannot be created on fewer.
    """
    deadline = time.monotonic() + wait_s
    seen = 0
    while time.monotonic() < deadline:
        try:
            seen = len((await probe_async(bootstrap, 3000, security)).get("brokers", []))
        except (KafkaError, OSError, TimeoutError):  # not up yet
            seen = 0
        if seen >= count:
            return
        await asyncio.sleep(0.5)
    raise KafkaStartError(f"{seen} of {count} brokers registered within {wait_s:.0f}s")


def wait_for_brokers(bootstrap: str, count: int, security: Security | None = None) -> None:
    """Sync wrapper of :func:`wait_for_brokers_async`."""
    run_sync(wait_for_brokers_async(bootstrap, count, security=security))


async def create_topics_async(
    bootstrap: str,
    names: Iterable[str],
    partitions: int = 4,
    configs: Mapping[str, Mapping[str, str]] | None = None,
    security: Security | None = None,
    *,
    replication: Replication = SINGLE,
) -> None:
    """Create topics that do not exist yet (``replication``: 1 copy by default); idempotent.

    ``configs`` gives topic-level settings by name (e.g. ``cleanup.policy``),
    on top of the replication's own (``min.insync.replicas``); a topic that
    already exists is left as it is. Only a principal allowed to create
    topics can (the stack's superuser).
    """
    configs = configs or {}
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **_options(bootstrap, security))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [n for n in dict.fromkeys(names) if n not in existing]
        if not wanted:
            return
        response = await admin.create_topics(
            [
                NewTopic(
                    name=n,
                    num_partitions=partitions,
                    replication_factor=replication.factor,
                    topic_configs={**replication.topic_configs(), **configs.get(n, {})},
                )
                for n in wanted
            ]
        )
        for entry in response.topic_errors:
            name, code = entry[0], entry[1]
            if code not in (0, TopicAlreadyExistsError.errno):
                raise for_code(code)(f"creating topic {name}: {entry[2:]}")
    finally:
        await admin.close()


async def warm_coordinators_async(
    bootstrap: str, wait_s: float = 120.0, security: Security | None = None
) -> None:
    """Wait until the group and transaction coordinators answer.

    Why: a fresh broker creates ``__consumer_offsets`` (and the transaction
    log) on first use, and consumers meanwhile fail with "coordinator not
    available" for seconds. Doing it once here makes the first test or
    service join its group as fast as every later one.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **_options(bootstrap, security))
    await admin.start()
    try:
        deadline = time.monotonic() + wait_s
        for coordinator_type in (0, 1):  # 0: consumer groups, 1: transactions
            while True:
                try:
                    await admin.find_coordinator("devstack-warm-up", coordinator_type)
                    break
                except KafkaError:
                    if time.monotonic() > deadline:
                        raise
                    await asyncio.sleep(0.1)
    finally:
        await admin.close()


def warm_coordinators(bootstrap: str, security: Security | None = None) -> None:
    """Sync wrapper of :func:`warm_coordinators_async`."""
    run_sync(warm_coordinators_async(bootstrap, security=security))


def create_topics(
    bootstrap: str,
    names: Iterable[str],
    partitions: int = 4,
    configs: Mapping[str, Mapping[str, str]] | None = None,
    security: Security | None = None,
    *,
    replication: Replication = SINGLE,
) -> None:
    """Sync wrapper of :func:`create_topics_async` for fixtures and CLIs."""
    run_sync(
        create_topics_async(
            bootstrap, list(names), partitions, configs, security, replication=replication
        )
    )


PORT_TAKEN = "Address already in use"


def start_retrying(
    start: Callable[[], None], clean_up: Callable[[], None], retry_on: Iterable[str] = (PORT_TAKEN,)
) -> None:
    """``start()``, retried twice (after ``clean_up()``) when it failed for a ``retry_on`` reason.

    Why: the kernel may hand a probed free port to someone else before the
    broker binds it; a fresh attempt picks new ones.
    """
    reasons = tuple(retry_on)
    for attempt in range(3):
        try:
            start()
            return
        except KafkaStartError as error:
            clean_up()
            if not any(reason in str(error) for reason in reasons) or attempt == 2:
                raise


class KafkaNode:
    """One KRaft broker+controller on free loopback ports, in its own run directory.

    ``passwords`` (principal -> password) makes it secure: its one client
    listener is SASL_SSL (SCRAM-SHA-512, every principal created when the
    storage is formatted, a certificate from a CA made for this broker),
    the controller listener is mutual TLS on loopback, and the standard KRaft
    authorizer denies whatever no ACL allows; ``admin`` is the super user.
    Without ``passwords`` it is the local development broker: one PLAINTEXT
    listener on loopback, no authorization.
    """

    def __init__(
        self,
        *,
        heap: str = "512m",
        passwords: Mapping[str, str] | None = None,
        node_id: int = 1,
        replication: Replication = SINGLE,
    ) -> None:
        self.heap = heap
        self.node_id = node_id
        self.replication = replication
        self.voters = ""
        """``controller.quorum.voters``; empty: this node alone (a cluster sets all three)."""
        self.extra_properties: list[str] = []
        """Further ``server.properties`` lines (a cluster's quorum timeouts)."""
        self.passwords = dict(passwords or {})
        if self.passwords and "admin" not in self.passwords:
            raise KafkaStartError("a secure broker needs an `admin` principal (its super user)")
        self.certificates: StackCertificates | None = None
        self.version = kafka_version()
        self.port = 0
        self.controller_port = 0
        self.run_dir: Path | None = None
        self.process: ServiceProcess | None = None
        self.startup_seconds = 0.0

    @property
    def secure(self) -> bool:
        """Whether clients must authenticate (SASL_SSL) and ACLs apply."""
        return bool(self.passwords)

    @property
    def bootstrap_servers(self) -> str:
        """``host:port`` of the client listener."""
        return f"{LOOPBACK}:{self.port}"

    @property
    def ca_file(self) -> Path | None:
        """The CA clients must trust (None for the development broker)."""
        return self.certificates.ca_file if self.certificates else None

    def client_security(self, principal: str = "admin") -> dict[str, Any]:
        """aiokafka options to connect as ``principal`` (PLAINTEXT for the development broker)."""
        from runtime.kafka_security import KafkaSecurity, client_options

        if not self.secure:
            return client_options(
                KafkaSecurity(
                    kafka_bootstrap_servers=self.bootstrap_servers,
                    kafka_security_protocol="PLAINTEXT",
                )
            )
        return client_options(
            KafkaSecurity(
                kafka_bootstrap_servers=self.bootstrap_servers,
                kafka_security_protocol="SASL_SSL",
                kafka_sasl_username=principal,
                kafka_sasl_password=self.passwords[principal],
                kafka_ca_file=str(self.ca_file),
            )
        )

    def start(self, timeout: float = START_TIMEOUT_S) -> KafkaNode:
        """Fetch jars if needed, format storage, start the JVM and wait until it answers.

        Retries with new ports when the kernel handed a port to someone else
        between our probe and the broker's bind.
        """
        libs = ensure_jars()
        began = time.monotonic()
        start_retrying(lambda: self._start_once(libs, timeout), self.stop)
        self.startup_seconds = time.monotonic() - began
        return self

    def _start_once(self, libs: Path, timeout: float) -> None:
        self.allocate_ports()
        self.prepare(libs, random_cluster_id())
        self._launch(libs, timeout)

    def allocate_ports(self, taken: Iterable[int] = ()) -> None:
        """Pick this node's client and controller ports (not one of ``taken``)."""
        avoid = set(taken)
        self.port = free_port()
        while self.port in avoid:
            self.port = free_port()
        avoid.add(self.port)
        self.controller_port = free_port()
        while self.controller_port in avoid:
            self.controller_port = free_port()

    def prepare(
        self, libs: Path, cluster_id: str, certificates: StackCertificates | None = None
    ) -> None:
        """Make the run directory, write ``server.properties`` and format the storage.

        ``certificates`` shared by a cluster's brokers (one CA, one broker
        certificate for the loopback address); a lone node makes its own.
        """
        run_dir = new_run_dir(f"kafka-{self.port}")
        (run_dir / "data").mkdir()
        self.run_dir = run_dir
        if self.secure:
            self.certificates = certificates or make_certificates(
                run_dir / "tls", [LOOPBACK, "localhost"]
            )
        server_props = run_dir / "server.properties"
        server_props.touch(mode=0o600)  # it holds the broker's own SCRAM password
        server_props.write_text(self._server_properties(run_dir / "data"))
        (run_dir / "log4j.properties").write_text(log4j_properties(os.environ))
        classpath = f"{libs}/*"
        fmt = subprocess.run(
            [
                "java",
                "-cp",
                classpath,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id,
                "-c",
                str(server_props),
                *self._scram_arguments(),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if fmt.returncode != 0:
            raise KafkaStartError(
                f"StorageTool format failed:\n{self._redact(fmt.stdout + fmt.stderr)}"
            )

    def _scram_arguments(self) -> list[str]:
        """``--add-scram`` per principal: users exist before the broker first starts (KIP-900)."""
        arguments: list[str] = []
        for name, password in self.passwords.items():
            arguments += ["--add-scram", f"{SCRAM}=[name={name},password={password}]"]
        return arguments

    def _redact(self, text: str) -> str:
        """``text`` without any principal's password (what an error message may show)."""
        for password in self.passwords.values():
            text = text.replace(password, "***")
        return text

    def _launch(self, libs: Path, timeout: float) -> None:
        """Start the JVM on the prepared run directory and wait until it answers."""
        self.spawn(libs)
        self._wait_ready(timeout)

    def spawn(self, libs: Path) -> None:
        """Start the JVM on the prepared run directory; do not wait (a cluster starts all first)."""
        run_dir = self.run_dir
        assert run_dir is not None
        self.process = ServiceProcess(
            f"kafka-{self.port}",
            [
                "java",
                f"-Xmx{self.heap}",
                *jvm_options(),
                "-Djava.awt.headless=true",
                f"-Dlog4j.configuration=file:{run_dir / 'log4j.properties'}",
                "-cp",
                f"{libs}/*",
                "kafka.Kafka",
                str(run_dir / "server.properties"),
            ],
            log_path=LOG_DIR / f"kafka-{self.port}.log",
            cwd=run_dir,
        ).start()

    def restart(self, timeout: float = START_TIMEOUT_S, *, down_s: float = 0.0) -> float:
        """Stop the broker (SIGTERM: controlled shutdown), wait ``down_s``, start it again.

        Same ports, same data directory, same cluster id: to its clients this is
        a broker restart (or outage), which they must ride out by reconnecting.
        Why here: the fault-injection suite (``python -m faults``) restarts the
        broker under load. Returns how many seconds the broker was unreachable.
        """
        if self.process is None or self.run_dir is None:
            raise KafkaStartError("restart() needs a started broker")
        began = time.monotonic()
        self.process.stop()
        self.process = None
        time.sleep(down_s)
        self._launch(libs_dir(), timeout)
        return time.monotonic() - began

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> None:
        """Wait until this node answers a metadata request; raise with its log otherwise."""
        self._wait_ready(timeout)

    def crash(self) -> None:
        """``kill -9`` the JVM (no controlled shutdown); ports and data stay for a relaunch."""
        if self.process is not None:
            self.process.kill()
            self.process = None

    def relaunch(self, timeout: float = START_TIMEOUT_S) -> None:
        """Start the JVM again on the same ports and data after :meth:`crash`; wait for it."""
        if self.run_dir is None:
            raise KafkaStartError("relaunch() needs a prepared node")
        self._launch(libs_dir(), timeout)

    def _wait_ready(self, timeout: float) -> None:
        proc = self.process
        assert proc is not None
        deadline = time.monotonic() + timeout
        if not wait_for_port(self.port, timeout=timeout, alive=proc.alive):
            raise self._failure("did not open its port" if proc.alive() else "exited")
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if not proc.alive():
                raise self._failure("exited")
            try:
                cluster = run_sync(
                    probe_async(self.bootstrap_servers, 3000, self.client_security())
                )
                if cluster.get("brokers"):
                    return
            except Exception as error:  # any failure means "not yet"
                last_error = error
            time.sleep(0.2)
        raise self._failure(f"did not answer a metadata request ({type(last_error).__name__})")

    def _failure(self, what: str) -> KafkaStartError:
        proc = self.process
        tail = proc.tail(60) if proc else ""
        return KafkaStartError(
            f"Kafka {self.version} on {self.bootstrap_servers} {what} within "
            f"{START_TIMEOUT_S:.0f}s; log {proc.log_path if proc else '-'}:\n{tail}"
        )

    def _listeners(self) -> list[str]:
        """The listener lines: SASL_SSL + mutual-TLS controller, or PLAINTEXT in development."""
        controller = f"CONTROLLER://{LOOPBACK}:{self.controller_port}"
        if not self.secure or self.certificates is None:
            return [
                f"listeners=PLAINTEXT://{LOOPBACK}:{self.port},{controller}",
                f"advertised.listeners=PLAINTEXT://{LOOPBACK}:{self.port}",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            ]
        return secure_listener_properties(
            clients={"CLIENT": (f"{LOOPBACK}:{self.port}", f"{LOOPBACK}:{self.port}")},
            controller=controller,
            keystore=str(self.certificates.broker_keystore),
            truststore=str(self.certificates.ca_file),
            admin_password=self.passwords["admin"],
        )

    def _server_properties(self, data_dir: Path) -> str:
        return server_properties(
            f"{LOOPBACK}:{self.controller_port}",
            self._listeners(),
            str(data_dir),
            node_id=self.node_id,
            voters=self.voters,
            replication=self.replication,
            extra=self.extra_properties,
        )

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM the JVM's process group, SIGKILL after ``timeout``, remove the run dir."""
        if self.process is not None:
            self.process.stop(timeout)
            self.process = None
        if self.run_dir is not None:
            shutil.rmtree(self.run_dir, ignore_errors=True)
            self.run_dir = None

    def __enter__(self) -> KafkaNode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def server_properties(
    controller: str,
    listeners: list[str],
    data_dir: str,
    *,
    node_id: int = 1,
    voters: str = "",
    replication: Replication = SINGLE,
    extra: Iterable[str] = (),
) -> str:
    """A KRaft broker+controller's ``server.properties`` (devstack's and compose's).

    Alone by default (node 1, the only voter, one copy of everything); a
    cluster's node names its own id, every voter and the cluster's replication.
    """
    return "\n".join(
        [
            "process.roles=broker,controller",
            f"node.id={node_id}",
            f"controller.quorum.voters={voters or f'{node_id}@{controller}'}",
            *listeners,
            "controller.listener.names=CONTROLLER",
            f"log.dirs={data_dir}",
            "num.partitions=4",
            *replication.broker_properties(),
            "offsets.topic.num.partitions=8",
            "transaction.state.log.num.partitions=8",
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=true",
            "delete.topic.enable=true",
            *extra,
            "",
        ]
    )


def secure_listener_properties(
    *,
    clients: Mapping[str, tuple[str, str]],
    controller: str,
    keystore: str,
    truststore: str,
    admin_password: str,
) -> list[str]:
    """Broker properties of the secure listeners and the deny-by-default authorizer.

    ``clients`` maps each client listener's name to its bind and advertised
    ``host:port``; every one is SASL_SSL with SCRAM-SHA-512, and the broker
    talks to itself on the first as ``admin``. The controller listener is
    mutual TLS (only a certificate of this stack's CA is let in; the broker
    presents its own). Shared with the compose init step, so both stacks are
    configured by the same lines.
    """
    jaas = (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="admin" password="{admin_password}";'
    )
    names = list(clients)
    return [
        "listeners=" + ",".join([*(f"{n}://{b}" for n, (b, _) in clients.items()), controller]),
        "advertised.listeners=" + ",".join(f"{n}://{a}" for n, (_, a) in clients.items()),
        f"inter.broker.listener.name={names[0]}",
        "listener.security.protocol.map="
        + ",".join([*(f"{n}:SASL_SSL" for n in names), "CONTROLLER:SSL"]),
        f"sasl.enabled.mechanisms={SCRAM}",
        f"sasl.mechanism.inter.broker.protocol={SCRAM}",
        *(f"listener.name.{n.lower()}.scram-sha-512.sasl.jaas.config={jaas}" for n in names),
        "ssl.keystore.type=PEM",
        f"ssl.keystore.location={keystore}",
        "ssl.truststore.type=PEM",
        f"ssl.truststore.location={truststore}",
        "ssl.endpoint.identification.algorithm=https",
        "listener.name.controller.ssl.client.auth=required",
        f"authorizer.class.name={AUTHORIZER}",
        "allow.everyone.if.no.acl.found=false",
        f"super.users=User:admin;User:CN={BROKER_CN}",
    ]


_LOG4J = """\
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.controller=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.org.apache.kafka.clients=WARN
"""

REQUEST_LOG_VARIABLE = "KAFKA_REQUEST_LOG"
"""Set to a file path, the broker logs every request it completes there (``bench.census``)."""


def log4j_properties(env: Mapping[str, str]) -> str:
    """The broker's logging; with ``KAFKA_REQUEST_LOG`` set, its request log goes to that file.

    Why a switch: the request log (one JSON line per request, with the
    broker's own queue, local and remote times) is the profile of what the
    hub asks of the broker, which is how issue 15's per-registration request
    counts were taken. It costs the broker CPU, so it is off unless asked for.
    """
    path = env.get(REQUEST_LOG_VARIABLE)
    if not path:
        return _LOG4J
    return _LOG4J + "\n".join(
        [
            "log4j.logger.kafka.request.logger=DEBUG, requests",
            "log4j.additivity.kafka.request.logger=false",
            "log4j.appender.requests=org.apache.log4j.FileAppender",
            f"log4j.appender.requests.File={path}",
            "log4j.appender.requests.layout=org.apache.log4j.PatternLayout",
            "log4j.appender.requests.layout.ConversionPattern=[%d{ISO8601}] %m%n",
            "",
        ]
    )
