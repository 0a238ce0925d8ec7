"""How every Kafka client of the hub authenticates: SASL/SCRAM-SHA-512 over TLS, one principal each.

Why one module: a broker that anyone who can reach may write to lets a
portal forge an agency's answer (issue 11). The broker now refuses clients
without a principal and authorizes each principal by ACL
(:mod:`contracts.acl`), so every producer, consumer and admin client must
present its service's own name and password and trust the stack's CA. They
all get their options here, from :class:`KafkaSecurity` (environment names
below), so no client can be built without them by forgetting an argument.

Variables: ``KAFKA_SECURITY_PROTOCOL`` (``SASL_SSL``, the default, or
``PLAINTEXT``), ``KAFKA_SASL_USERNAME``, ``KAFKA_SASL_PASSWORD`` (a secret),
``KAFKA_CA_FILE`` (PEM of the CA that signed the broker's certificate;
unset: the system's trust store).

``PLAINTEXT`` is the local-only development switch: accepted only when every
bootstrap server is a loopback address, so a production setting cannot
quietly fall back to an unauthenticated connection.
"""

from __future__ import annotations

import ipaddress
import ssl
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from runtime.errors import HubError

SASL_SSL = "SASL_SSL"
PLAINTEXT = "PLAINTEXT"
MECHANISM = "SCRAM-SHA-512"
LOOPBACK_NAMES = frozenset({"localhost"})


class InsecureKafka(HubError):
    """Kafka settings that would connect without authentication, or without credentials."""


class KafkaSecurity(BaseSettings):
    """The Kafka address and this client's principal, read from the environment (names above)."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    kafka_bootstrap_servers: str = Field(default="127.0.0.1:9092")
    kafka_security_protocol: Literal["SASL_SSL", "PLAINTEXT"] = Field(default="SASL_SSL")
    """``PLAINTEXT`` only against a loopback broker (the development switch)."""
    kafka_sasl_username: str | None = Field(default=None)
    """This client's principal (``User:<name>`` in the broker's ACLs)."""
    kafka_sasl_password: SecretStr | None = Field(default=None)
    kafka_ca_file: str | None = Field(default=None)
    """PEM file of the CA that signed the broker's certificate."""


def _is_loopback(host: str) -> bool:
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def bootstrap_list(bootstrap: str) -> list[str]:
    """Every ``host:port`` of a comma-separated bootstrap string, as a list.

    Why: FastStream's ``KafkaBroker`` wraps a string in a one-element list,
    and aiokafka splits only a string on commas, so ``"a:1,b:2"`` given as a
    string to FastStream is one host named ``a:1,b`` (seen with three brokers).
    """
    return [entry.strip() for entry in bootstrap.split(",") if entry.strip()]


def _hosts(bootstrap: str) -> list[str]:
    """The host part of every ``host:port`` in a comma-separated bootstrap list."""
    return [entry.rsplit(":", 1)[0] for entry in bootstrap_list(bootstrap)]


def ssl_context(ca_file: str | None) -> ssl.SSLContext:
    """A client TLS context verifying the broker's certificate and host name against ``ca_file``."""
    context = ssl.create_default_context(purpose=ssl.Purpose.SERVER_AUTH, cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def client_options(security: KafkaSecurity) -> dict[str, Any]:
    """Keyword arguments for ``AIOKafkaProducer``/``AIOKafkaConsumer``/``AIOKafkaAdminClient``.

    Raises :class:`InsecureKafka` for ``PLAINTEXT`` against a broker that is
    not on loopback, and for ``SASL_SSL`` without a username or password.
    """
    if security.kafka_security_protocol == PLAINTEXT:
        remote = [h for h in _hosts(security.kafka_bootstrap_servers) if not _is_loopback(h)]
        if remote:
            raise InsecureKafka(
                f"KAFKA_SECURITY_PROTOCOL=PLAINTEXT is a local development switch; refused for "
                f"{', '.join(remote)} (use SASL_SSL with this service's principal)"
            )
        return {"security_protocol": PLAINTEXT}
    password = security.kafka_sasl_password
    if not security.kafka_sasl_username or password is None or not password.get_secret_value():
        raise InsecureKafka(
            "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD must name this service's Kafka "
            "principal (`./hub secrets` prints one per principal)"
        )
    return {
        "security_protocol": SASL_SSL,
        "sasl_mechanism": MECHANISM,
        "sasl_plain_username": security.kafka_sasl_username,
        "sasl_plain_password": password.get_secret_value(),
        "ssl_context": ssl_context(security.kafka_ca_file),
    }


def faststream_security(security: KafkaSecurity) -> Any:
    """The same principal for a FastStream ``KafkaBroker(security=...)``; None for PLAINTEXT."""
    from faststream.security import SASLScram512

    options = client_options(security)
    if options["security_protocol"] == PLAINTEXT:
        return None
    return SASLScram512(
        username=options["sasl_plain_username"],
        password=options["sasl_plain_password"],
        ssl_context=options["ssl_context"],
        use_ssl=True,
    )


def from_environment(bootstrap: str | None = None) -> dict[str, Any]:
    """:func:`client_options` from this process's environment, for ``bootstrap`` (or the env's).

    For tools and command lines that are handed a bootstrap address: the
    principal is the one their environment names.
    """
    security = KafkaSecurity()
    if bootstrap is not None:
        security = security.model_copy(update={"kafka_bootstrap_servers": bootstrap})
    return client_options(security)


def environment(
    *, protocol: str, username: str | None, password: str | None, ca_file: str | None
) -> dict[str, str]:
    """The variables that give a process a principal (what devstack and compose set)."""
    if protocol == PLAINTEXT:
        return {"KAFKA_SECURITY_PROTOCOL": PLAINTEXT}
    env = {"KAFKA_SECURITY_PROTOCOL": SASL_SSL}
    if username is not None:
        env["KAFKA_SASL_USERNAME"] = username
    if password is not None:
        env["KAFKA_SASL_PASSWORD"] = password
    if ca_file is not None:
        env["KAFKA_CA_FILE"] = ca_file
    return env
