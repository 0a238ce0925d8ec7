"""``python -m devstack kafka-config``: compose's broker configuration, made by its init step.

Why generated in a container rather than committed: the broker's
certificate and the SCRAM users are per stack (issue 11), like the other
secrets ``./hub secrets`` puts in ``.env``. The ``kafka-init`` service runs
this once per ``docker compose up``: a fresh CA and broker certificate, each
broker's ``server.properties`` (the same lines devstack's broker runs with,
:func:`devstack.kafka.secure_listener_properties`), a start script per
broker that formats its storage with one SCRAM user per principal
(``--add-scram``, passwords from ``KAFKA_PASSWORD_<PRINCIPAL>``) and starts
it, and the superuser's client properties for the health checks.

One broker (``kafka``) by default; ``KAFKA_BROKER_HOSTS=kafka,kafka-2,kafka-3``
(set by ``docker-compose.cluster.yml``) makes a KRaft quorum of three
combined broker+controllers, configured as ``./hub infra --brokers 3``
configures its local one (:mod:`devstack.kafka_cluster`): node ids 1..3,
every controller a voter, one cluster id in every start script, one
certificate valid for every broker's name, replication 3 and min ISR 2.

Two directories: ``secret_dir`` (broker key, passwords; only brokers mount
it; ``<broker>/`` holds each broker's own files) and ``ca_dir`` (the CA
certificate every client trusts).
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from devstack.infra import hub_principals, password_variable
from devstack.kafka import (
    SCRAM,
    Replication,
    random_cluster_id,
    secure_listener_properties,
    server_properties,
)
from devstack.kafka_cluster import QUORUM_PROPERTIES
from devstack.net import LOOPBACK
from devstack.tls import make_certificates

KAFKA_HOME = "/opt/kafka"
"""Where the official apache/kafka image keeps Kafka."""
DATA_DIR = "/var/lib/kafka/data"
FIRST_BROKER = "kafka"
CLIENT_PORT = 9092
CONTROLLER_PORT = 9093
HOST_PORT = 19092
"""The first broker's port published on the host; broker ``n`` publishes ``n``9092."""
HOSTS_VARIABLE = "KAFKA_BROKER_HOSTS"


@dataclass(frozen=True)
class BrokerPlace:
    """Where one broker listens and by which name the others and its clients reach it.

    In compose every broker is its own host on the standard ports; a test
    puts all of them on loopback on free ports, from the same writer.
    """

    host: str
    """What other brokers and clients dial: the compose service name."""
    client_port: int = CLIENT_PORT
    controller_port: int = CONTROLLER_PORT
    host_port: int = HOST_PORT
    """The ``HOST`` listener, advertised as ``127.0.0.1:<host_port>`` (published by compose)."""
    data_dir: str = DATA_DIR
    bind: str = ""
    """Interface the listeners bind: empty is every one (a container's network)."""


def broker_names(count: int) -> tuple[str, ...]:
    """Compose service names of ``count`` brokers: ``kafka``, ``kafka-2``, ``kafka-3``, ..."""
    return (FIRST_BROKER, *(f"{FIRST_BROKER}-{n}" for n in range(2, count + 1)))


def compose_places(names: tuple[str, ...]) -> dict[str, BrokerPlace]:
    """Each named broker on its own compose host, published on ``19092``, ``29092``, ..."""
    return {
        name: BrokerPlace(host=name, host_port=n * 10000 + CLIENT_PORT)
        for n, name in enumerate(names, start=1)
    }


def places_from_environment(env: Mapping[str, str]) -> dict[str, BrokerPlace]:
    """The brokers ``KAFKA_BROKER_HOSTS`` names (comma-separated), else the one ``kafka``."""
    names = tuple(n.strip() for n in env.get(HOSTS_VARIABLE, FIRST_BROKER).split(",") if n.strip())
    return compose_places(names or (FIRST_BROKER,))


def _private(path: Path, text: str, owner: int | None) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    if owner is not None:
        os.chown(path, owner, owner)


def _passwords(env: Mapping[str, str]) -> dict[str, str]:
    passwords = {}
    for principal in hub_principals():
        value = env.get(password_variable(principal))
        if not value:
            raise SystemExit(f"{password_variable(principal)} is not set: run ./hub secrets > .env")
        passwords[principal] = value
    return passwords


def write(
    secret_dir: Path,
    ca_dir: Path,
    env: Mapping[str, str],
    owner: int | None = None,
    *,
    places: Mapping[str, BrokerPlace] | None = None,
    kafka_home: str = KAFKA_HOME,
) -> None:
    """Write every broker's files; ``owner`` (a uid) is the broker containers' user.

    ``places`` (broker name -> where it is) defaults to what the environment
    names (:func:`places_from_environment`); broker ``name`` starts with
    ``sh <secret_dir>/<name>/start.sh``.
    """
    passwords = _passwords(env)
    places = dict(places or places_from_environment(env))
    hosts = [*(p.host for p in places.values()), "localhost", LOOPBACK]
    certificates = make_certificates(secret_dir / "tls", hosts)
    ca_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(certificates.ca_file, ca_dir / "ca.pem")
    (ca_dir / "ca.pem").chmod(0o644)
    cluster = len(places) > 1
    ids = {name: n for n, name in enumerate(places, start=1)}
    voters = ",".join(f"{ids[name]}@{p.host}:{p.controller_port}" for name, p in places.items())
    cluster_id = random_cluster_id()  # one for all: brokers formatted apart form one cluster
    scram = " ".join(
        f"--add-scram {shlex.quote(f'{SCRAM}=[name={name},password={password}]')}"
        for name, password in passwords.items()
    )
    for name, place in places.items():
        node_dir = secret_dir / name
        node_dir.mkdir(parents=True, exist_ok=True)
        props = node_dir / "server.properties"
        client, host = place.client_port, place.host_port
        listeners = secure_listener_properties(
            clients={
                "CLIENT": (f"{place.bind}:{client}", f"{place.host}:{client}"),
                "HOST": (f"{place.bind}:{host}", f"{LOOPBACK}:{host}"),
            },
            controller=f"CONTROLLER://{place.bind}:{place.controller_port}",
            keystore=str(certificates.broker_keystore),
            truststore=str(certificates.ca_file),
            admin_password=passwords["admin"],
        )
        text = server_properties(
            f"{place.host}:{place.controller_port}",
            listeners,
            place.data_dir,
            node_id=ids[name],
            voters=voters if cluster else "",
            replication=Replication.for_brokers(len(places)),
            extra=QUORUM_PROPERTIES if cluster else (),
        )
        _private(props, text, owner)
        _private(
            node_dir / "start.sh",
            "set -eu\n"
            f"{kafka_home}/bin/kafka-storage.sh format --ignore-formatted "
            f"-t {cluster_id} -c {props} {scram} >/dev/null\n"
            f"exec {kafka_home}/bin/kafka-server-start.sh {props}\n",
            owner,
        )
    jaas = (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="admin" password="{passwords["admin"]}";'
    )
    _private(
        secret_dir / "admin.properties",
        "security.protocol=SASL_SSL\n"
        f"sasl.mechanism={SCRAM}\n"
        f"sasl.jaas.config={jaas}\n"
        "ssl.truststore.type=PEM\n"
        f"ssl.truststore.location={certificates.ca_file}\n",
        owner,
    )
    if owner is not None:
        tls = secret_dir / "tls"
        for path in (secret_dir, tls, *sorted(tls.iterdir()), *(secret_dir / n for n in places)):
            os.chown(path, owner, owner)
