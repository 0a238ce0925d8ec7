"""Kafka + Redis for the hub: started by devstack, or taken from the environment.

Why: one object gives tests, the demo and benchmarks the two addresses they
need. When ``KAFKA_BOOTSTRAP_SERVERS`` or ``REDIS_URL`` is set (CI services,
a developer's own cluster) that server is used and nothing is started;
otherwise devstack starts a private one. Either way the hub's topics exist
afterwards, so no service depends on broker-side auto-creation.

A broker devstack starts is authenticated (issue 11): SASL_SSL with one SCRAM
user per principal of :mod:`contracts.acl`, passwords generated per stack, a
CA made for it, and the declared ACLs applied before anyone connects. Each
service is given only its own principal (:meth:`Infrastructure.principal_env`);
tests and tools that provision act as ``admin`` (:meth:`admin_env`).
``KAFKA_SECURITY_PROTOCOL=PLAINTEXT`` in the environment is the local
development switch: a loopback broker without authentication or ACLs.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any

import redis

from contracts import signers
from devstack.kafka import (
    KafkaNode,
    Replication,
    create_topics,
    kafka_version,
    run_sync,
    warm_coordinators,
)
from devstack.kafka_cluster import KafkaCluster
from devstack.processes import ServiceProcess
from devstack.redis import RedisNode
from runtime import kafka_security
from runtime.at_rest import AtRest, parse_key_ring
from runtime.sealing import new_key
from runtime.secrets import redact_url
from runtime.signing import SigningKey, new_signing_key, parse_signing_key, parse_trusted_keys

TOPIC_PARTITIONS = 4
ADMIN = "admin"
"""The provisioning superuser (``contracts.acl.ADMIN``)."""


def _random_text() -> str:
    return secrets.token_urlsafe(32)


STACK_SECRETS: dict[str, Callable[[], str]] = {
    "DLQ_SEAL_KEY": new_key,
    "AT_REST_KEYS": new_key,
    "AT_REST_INDEX_KEY": _random_text,
    "AGENCY_CACHE_SECRET": _random_text,
}
"""The secrets every service refuses to start without (runtime.secrets), and their makers."""


def signing_key_variable(signer: str) -> str:
    """The ``.env`` variable holding ``signer``'s private key (``SIGNING_KEY_ADAPTER_OSS_NIB``)."""
    return "SIGNING_KEY_" + signer.upper().replace("-", "_")


def stack_signing_keys(source: Mapping[str, str]) -> dict[str, SigningKey]:
    """One Ed25519 key per signer for this stack: given ones (with their registry) kept.

    Generated per stack, like every other secret: no two stacks trust each other.
    """
    trusted_text = source.get("HUB_TRUSTED_KEYS")
    if trusted_text:
        trusted = parse_trusted_keys(trusted_text)
        return {
            signer: parse_signing_key(source[signing_key_variable(signer)], trusted)
            for signer in signers.ALL
            if source.get(signing_key_variable(signer))
        }
    return {signer: new_signing_key(signer) for signer in signers.ALL}


def trusted_registry(keys: Mapping[str, SigningKey]) -> str:
    """``HUB_TRUSTED_KEYS`` for a stack's keys: the public half of each."""
    return ",".join(key.public_entry() for key in keys.values())


def hub_topics() -> tuple[str, ...]:
    """Every topic of the hub and its participants (imported late: contracts may be mid-edit)."""
    from contracts.acl import provisioned_topics

    return provisioned_topics()


def hub_principals() -> tuple[str, ...]:
    """Every Kafka principal of the hub, the superuser first."""
    from contracts.acl import principals

    return principals()


def password_variable(principal: str) -> str:
    """The variable holding ``principal``'s Kafka password (``KAFKA_PASSWORD_GATEWAY``)."""
    return "KAFKA_PASSWORD_" + principal.upper().replace("-", "_")


def kafka_passwords(source: Mapping[str, str]) -> dict[str, str]:
    """A password per principal: the one ``source`` sets, else a fresh random one."""
    return {p: source.get(password_variable(p)) or _random_text() for p in hub_principals()}


def hub_topic_configs() -> dict[str, dict[str, str]]:
    """Topic-level configs of the hub contract (e.g. the compacted customs status topic)."""
    from contracts.channels import topic_configs

    return topic_configs()


def seed_example_documents(redis_url: str, at_rest: AtRest) -> None:
    """Put the sample Surat Kuasa the examples and benchmarks refer to in the document store.

    Why: registrations published straight to Kafka (examples, benchmark load)
    carry a claim check; the gateway rejects one that does not resolve (R11).
    Idempotent: the same bytes under the same id.
    """
    from runtime.documents import document_fields, document_key
    from simulators.registrations import EXAMPLE_DOCUMENT_ID, EXAMPLE_POWER_OF_ATTORNEY

    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        client.hset(
            document_key(EXAMPLE_DOCUMENT_ID),
            mapping=document_fields(EXAMPLE_POWER_OF_ATTORNEY, "application/pdf", at_rest),
        )
    finally:
        client.close()


class Infrastructure:
    """Context manager owning (or borrowing) one Kafka broker and one Redis server."""

    def __init__(
        self,
        *,
        env: Mapping[str, str] | None = None,
        topics: Iterable[str] | None = None,
        partitions: int = TOPIC_PARTITIONS,
        brokers: int = 1,
    ) -> None:
        source = os.environ if env is None else env
        self.brokers = brokers
        """How many brokers devstack starts: 1 (default) or a KRaft cluster (``--brokers 3``)."""
        self.replication = Replication.for_brokers(brokers)
        """Copies per partition and the in-sync floor every hub topic is created with."""
        self._external_kafka = source.get("KAFKA_BOOTSTRAP_SERVERS") or None
        self._source_kafka = {k: v for k, v in source.items() if k.startswith("KAFKA_")}
        self.secure = source.get("KAFKA_SECURITY_PROTOCOL") != kafka_security.PLAINTEXT
        """False only with the development switch ``KAFKA_SECURITY_PROTOCOL=PLAINTEXT``."""
        self.kafka_passwords = kafka_passwords(source) if self.secure else {}
        self.exported_env: dict[str, str] = {}
        """What :meth:`export_admin_env` put in this process's environment."""
        self._external_redis = source.get("REDIS_URL") or None
        # Secrets generated per stack, so every service and the tests share them
        # (one seals what another opens) and no two stacks do; set ones are kept.
        self.secrets = {name: source.get(name) or make() for name, make in STACK_SECRETS.items()}
        self.signing_keys = stack_signing_keys(source)
        """Each signer's private key: a service gets only its own (see devstack.stack)."""
        self._topics = None if topics is None else tuple(topics)
        self._partitions = partitions
        self.kafka: KafkaNode | KafkaCluster | None = None
        self.redis: RedisNode | None = None
        self._redis_version = ""

    @property
    def bootstrap_servers(self) -> str:
        """Kafka bootstrap servers the hub should use."""
        if self._external_kafka:
            return self._external_kafka
        if self.kafka is None:
            raise RuntimeError("Infrastructure not started")
        return self.kafka.bootstrap_servers

    @property
    def dlq_seal_key(self) -> str:
        """The stack's ``DLQ_SEAL_KEY`` (dead letters opened by tests and hubctl)."""
        return self.secrets["DLQ_SEAL_KEY"]

    @property
    def redis_url(self) -> str:
        """Redis URL the hub should use."""
        if self._external_redis:
            return self._external_redis
        if self.redis is None:
            raise RuntimeError("Infrastructure not started")
        return self.redis.url

    def at_rest(self) -> AtRest:
        """The stack's at-rest key ring, as its services build it from :meth:`env`."""
        keys, index_key = self.secrets["AT_REST_KEYS"], self.secrets["AT_REST_INDEX_KEY"]
        return AtRest(parse_key_ring(keys), index_key.encode())

    @property
    def started_anything(self) -> bool:
        """Whether this object started a server itself (False when both came from env)."""
        return self.kafka is not None or self.redis is not None

    def env(self) -> dict[str, str]:
        """The environment variables that point a hub service at this infrastructure.

        No Kafka principal: each process adds its own (:meth:`principal_env`).
        """
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "REDIS_URL": self.redis_url,
            **self.secrets,
            "HUB_TRUSTED_KEYS": trusted_registry(self.signing_keys),
            **self.principal_env(None),
        }

    def signing_env(self, signer: str | None) -> dict[str, str]:
        """``HUB_SIGNING_KEY`` for a process signing as ``signer`` (nothing for None)."""
        if signer is None:
            return {}
        return {"HUB_SIGNING_KEY": self.signing_keys[signer].secret_text()}

    @property
    def ca_file(self) -> str | None:
        """The PEM file of the CA clients trust (the started broker's, or ``KAFKA_CA_FILE``)."""
        if self.kafka is not None and self.kafka.ca_file is not None:
            return str(self.kafka.ca_file)
        return self._source_kafka.get("KAFKA_CA_FILE")

    def principal_env(self, principal: str | None) -> dict[str, str]:
        """The variables that make a process connect as ``principal`` (None: protocol and CA only).

        Against a broker from ``KAFKA_BOOTSTRAP_SERVERS`` the principal is the
        one the environment names, when no password for ``principal`` was given.
        """
        protocol = kafka_security.SASL_SSL if self.secure else kafka_security.PLAINTEXT
        username = password = None
        if principal is not None and principal in self.kafka_passwords:
            username, password = principal, self.kafka_passwords[principal]
        if self._external_kafka and principal is not None:
            given = self._source_kafka.get(password_variable(principal))
            username = principal if given else self._source_kafka.get("KAFKA_SASL_USERNAME")
            password = given or self._source_kafka.get("KAFKA_SASL_PASSWORD")
        return kafka_security.environment(
            protocol=protocol, username=username, password=password, ca_file=self.ca_file
        )

    def admin_env(self) -> dict[str, str]:
        """The provisioning superuser's variables: for tests and tools that create topics."""
        return self.principal_env(ADMIN)

    def export_admin_env(self) -> dict[str, str | None]:
        """Make this process's own Kafka clients connect as the superuser; returns what to restore.

        For tools that provision, load and observe a stack they started
        (bench, faults, history): their clients read the environment
        (:func:`runtime.kafka_security.from_environment`). The services they
        start never inherit it (:class:`devstack.stack.Stack` strips it).
        """
        wanted = self.admin_env()
        names = [*wanted, "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD", "KAFKA_CA_FILE"]
        previous = {name: os.environ.get(name) for name in names}
        for name in names:
            os.environ.pop(name, None)
        os.environ.update(wanted)
        self.exported_env = wanted
        return previous

    def security(self, principal: str) -> dict[str, Any]:
        """aiokafka options to connect to this stack's broker as ``principal``."""
        env = {"KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers, **self.principal_env(principal)}
        return kafka_security.client_options(
            kafka_security.KafkaSecurity.model_validate(_lower(env))
        )

    def admin_security(self) -> dict[str, Any]:
        """aiokafka options of the superuser (what devstack provisions with)."""
        return self.security(ADMIN)

    def start(self) -> Infrastructure:
        """Start what is not provided by the environment, then create the hub's topics."""
        try:
            if not self._external_redis:
                self.redis = RedisNode().start()
            if not self._external_kafka:
                self.kafka = (
                    KafkaCluster(self.brokers, passwords=self.kafka_passwords).start()
                    if self.brokers > 1
                    else KafkaNode(passwords=self.kafka_passwords).start()
                )
            admin = self.admin_security()
            topics = hub_topics() if self._topics is None else self._topics
            create_topics(
                self.bootstrap_servers,
                topics,
                self._partitions,
                configs=hub_topic_configs(),
                security=admin,
                replication=self.replication,
            )
            if self.kafka is not None:
                if self.secure:
                    self.apply_acls()
                warm_coordinators(self.bootstrap_servers, security=admin)
            seed_example_documents(self.redis_url, self.at_rest())
        except BaseException:
            self.stop()
            raise
        return self

    def apply_acls(self) -> int:
        """Create the ACLs of :mod:`contracts.acl` as the superuser (``hubctl acl apply``)."""
        from hubctl.acl import apply

        count, _ = run_sync(apply(self.bootstrap_servers, self.admin_security()))
        return count

    def processes(self) -> list[ServiceProcess]:
        """The server processes this object started and that run now (every broker, Redis)."""
        found: list[ServiceProcess | None] = []
        if isinstance(self.kafka, KafkaCluster):
            found += self.kafka.processes()
        elif self.kafka is not None:
            found.append(self.kafka.process)
        if self.redis is not None:
            found.append(self.redis.process)
        return [p for p in found if p is not None]

    def stop(self) -> None:
        """Stop what this object started (Kafka first, it is the slower one). Idempotent."""
        if self.kafka is not None:
            self.kafka.stop()
            self.kafka = None
        if self.redis is not None:
            self.redis.stop()
            self.redis = None

    def describe_kafka(self) -> str:
        """One line telling which broker is used, for test headers and the CLI."""
        if self.kafka is not None:
            how = "SASL_SSL, ACLs" if self.kafka.secure else "PLAINTEXT: development switch"
            what = "broker" if self.brokers == 1 else f"cluster of {self.brokers} brokers"
            copies = self.replication
            if self.brokers > 1:
                how += f"; replication {copies.factor}, min.insync.replicas {copies.min_insync}"
            return (
                f"Kafka {what} {self.kafka.version} at {self.kafka.bootstrap_servers} ({how}; "
                f"started by devstack in {self.kafka.startup_seconds:.1f}s)"
            )
        return f"Kafka broker at {self.bootstrap_servers} (from KAFKA_BOOTSTRAP_SERVERS)"

    def describe_redis(self) -> str:
        """One line telling which Redis server is used, with its reported version."""
        version = self.redis.version if self.redis is not None else self._query_redis_version()
        origin = "started by devstack" if self.redis is not None else "from REDIS_URL"
        return f"Redis {version} at {redact_url(self.redis_url)} ({origin})"

    def _query_redis_version(self) -> str:
        if not self._redis_version:
            client = redis.Redis.from_url(self.redis_url, socket_timeout=2)
            try:
                self._redis_version = str(client.info("server")["redis_version"])
            except redis.RedisError as error:
                self._redis_version = f"(unreachable: {error})"
            finally:
                client.close()
        return self._redis_version

    def __enter__(self) -> Infrastructure:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Infrastructure:
        # Sync start on purpose: children are forked from the main thread so the
        # kernel's parent-death signal stays tied to the whole process.
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def restore_env(previous: Mapping[str, str | None], exported: Mapping[str, str]) -> None:
    """Undo :meth:`Infrastructure.export_admin_env` where the environment still holds ``exported``.

    Why conditional: a harness abandoned mid-run (a test's time limit) may be
    finalized later, while the next stack's harness has exported its own
    principal; that one must not be taken away.
    """
    for name, value in previous.items():
        if os.environ.get(name) != exported.get(name):
            continue
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def security_from_environment(principal: str) -> dict[str, Any]:
    """aiokafka options for ``principal``, its password from ``KAFKA_PASSWORD_<PRINCIPAL>``.

    For a process holding several principals' passwords (compose's demo,
    given the ``.env``); without that variable, the environment's principal.
    """
    env = dict(os.environ)
    password = env.get(password_variable(principal))
    if password:
        env |= {"KAFKA_SASL_USERNAME": principal, "KAFKA_SASL_PASSWORD": password}
    return kafka_security.client_options(kafka_security.KafkaSecurity.model_validate(_lower(env)))


def _lower(env: Mapping[str, str]) -> dict[str, str]:
    """Environment names as :class:`~runtime.kafka_security.KafkaSecurity` field names."""
    return {key.lower(): value for key, value in env.items()}


__all__ = ["Infrastructure", "hub_topics", "kafka_version"]
