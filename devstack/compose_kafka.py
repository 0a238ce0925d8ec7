"""``python -m devstack kafka-config``: compose's broker configuration, made by its init step.

Why generated in a container rather than committed: the broker's
certificate and the SCRAM users are per stack (issue 11), like the other
secrets ``./hub secrets`` puts in ``.env``. The ``kafka-init`` service runs
this once per ``docker compose up``: a fresh CA and broker certificate, the
broker's ``server.properties`` (the same lines devstack's broker runs with,
:func:`devstack.kafka.secure_listener_properties`), a start script that
formats the storage with one SCRAM user per principal (``--add-scram``,
passwords from ``KAFKA_PASSWORD_<PRINCIPAL>``) and starts the broker, and the
superuser's client properties for the health check.

Two directories: ``secret_dir`` (broker key, passwords; only the broker
mounts it) and ``ca_dir`` (the CA certificate every client trusts).
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Mapping
from pathlib import Path

from devstack.infra import hub_principals, password_variable
from devstack.kafka import SCRAM, random_cluster_id, secure_listener_properties, server_properties
from devstack.tls import make_certificates

KAFKA_HOME = "/opt/kafka"
"""Where the official apache/kafka image keeps Kafka."""
DATA_DIR = "/var/lib/kafka/data"
BROKER_HOSTS = ("kafka", "localhost", "127.0.0.1")
"""Names clients reach the broker by: the compose network, and the host's published port."""
CLIENT_LISTENERS = {"CLIENT": (":9092", "kafka:9092"), "HOST": (":19092", "127.0.0.1:19092")}


def _private(path: Path, text: str, owner: int | None) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    if owner is not None:
        os.chown(path, owner, owner)


def write(secret_dir: Path, ca_dir: Path, env: Mapping[str, str], owner: int | None = None) -> None:
    """Write the broker's files; ``owner`` (a uid) is the broker container's user."""
    passwords = {}
    for principal in hub_principals():
        value = env.get(password_variable(principal))
        if not value:
            raise SystemExit(f"{password_variable(principal)} is not set: run ./hub secrets > .env")
        passwords[principal] = value
    certificates = make_certificates(secret_dir / "tls", BROKER_HOSTS)
    ca_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(certificates.ca_file, ca_dir / "ca.pem")
    (ca_dir / "ca.pem").chmod(0o644)
    props = secret_dir / "server.properties"
    listeners = secure_listener_properties(
        clients=CLIENT_LISTENERS,
        controller="CONTROLLER://:9093",
        keystore=str(certificates.broker_keystore),
        truststore=str(certificates.ca_file),
        admin_password=passwords["admin"],
    )
    _private(props, server_properties("kafka:9093", listeners, DATA_DIR), owner)
    scram = " ".join(
        f"--add-scram {shlex.quote(f'{SCRAM}=[name={name},password={password}]')}"
        for name, password in passwords.items()
    )
    _private(
        secret_dir / "start.sh",
        "set -eu\n"
        f"{KAFKA_HOME}/bin/kafka-storage.sh format --ignore-formatted "
        f"-t {random_cluster_id()} -c {props} {scram} >/dev/null\n"
        f"exec {KAFKA_HOME}/bin/kafka-server-start.sh {props}\n",
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
        for path in (secret_dir, secret_dir / "tls", *sorted((secret_dir / "tls").iterdir())):
            os.chown(path, owner, owner)
