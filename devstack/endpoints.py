"""What ``./hub run`` started and how a newcomer reaches it: a table, a shell file, kcat configs.

Why: a stack on free ports is useless to someone who cannot see the ports.
``./hub run`` prints one row per listener of :mod:`topology.services` (so a
new service shows up without touching this module), Kafka and Redis, and
writes ``.devstack/hub-run/``: ``endpoints.env`` (shell variables the
commands of docs/INTEGRATE.md use) and one librdkafka configuration per
outside participant for ``kcat -F`` (SASL_SSL, SCRAM-SHA-512, the stack's CA).
Passwords go only to those files (mode 600), never to the terminal.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from devstack.net import LOOPBACK
from devstack.paths import STATE_DIR, ensure_state_dir
from devstack.stack import Stack, portal_key_file
from runtime.secrets import redact_url
from simulators.registrations import EXAMPLE_POWER_OF_ATTORNEY
from topology.services import OPS_PORT_VARIABLE, Service, services

NEWCOMER_DIR = STATE_DIR / "hub-run"
"""Rewritten by every ``./hub run``: the running stack's endpoints and client configs."""
PARTICIPANTS = ("portal", "integrator")
"""The outside principals a newcomer acts as: submit as a portal, read as an integrator."""
SCRAM = "SCRAM-SHA-512"

PATHS: Mapping[str, tuple[str, str]] = {
    "officers": ("/console/", "officers' console (officer API: /referrals)"),
    "intake": ("/registrations", "HTTP intake (POST multipart, portal API key)"),
    "notifier": ("/accounts/password", "account pages (links in the emails)"),
    "customs": ("/applications/", "customs status (+ <submission id>, officer token)"),
    "mailbox-web": ("/messages", "dev mailbox: every email sent (curl)"),
    "issuer": ("/.well-known/openid-configuration", "identity provider (dev issuer)"),
    "ceisa": ("/admin/sent", "CEISA simulator (admin: what customs got)"),
}
"""The page worth opening on a listener, and what it is; others get ``/health``."""


@dataclass(frozen=True)
class Endpoint:
    """One thing a person can reach: a name, its address, what it is."""

    name: str
    address: str
    what: str
    variable: str
    """The shell variable ``endpoints.env`` gives it (``INTAKE_URL``)."""


def _variable(key: str) -> str:
    return key.upper().replace("-", "_") + "_URL"


def _listener_endpoints(every: Sequence[Service], ports: Mapping[str, int]) -> list[Endpoint]:
    found = []
    for service in every:
        for listener in service.listeners():
            base = f"{LOOPBACK}:{ports[listener.key]}"
            if listener.health is None:  # not HTTP: the mailbox's SMTP port
                found.append(
                    Endpoint(service.name, f"smtp://{base}", "SMTP", _variable(listener.key))
                )
                continue
            default = (
                ("/metrics", "health, readiness, metrics (/health, /ready)")
                if listener.port_env == OPS_PORT_VARIABLE
                else ("/health", "agency simulator" if service.stand_in else service.name)
            )
            path, what = PATHS.get(listener.key, default)
            found.append(
                Endpoint(
                    service.name if listener is service.listener else listener.key,
                    f"http://{base}{path}",
                    what,
                    _variable(listener.key),
                )
            )
    return found


def endpoints(
    ports: Mapping[str, int], bootstrap: str, redis_url: str, *, secure: bool = True
) -> list[Endpoint]:
    """Every endpoint of a stack on ``ports``: each listener, then Kafka and Redis."""
    kafka = "SASL_SSL + SCRAM-SHA-512, ACLs" if secure else "PLAINTEXT (development switch)"
    return [
        *_listener_endpoints(services(), ports),
        Endpoint("kafka", bootstrap, f"Kafka bootstrap ({kafka})", "KAFKA_BOOTSTRAP_SERVERS"),
        Endpoint("redis", redact_url(redis_url), "Redis (password in the env file)", "REDIS_URL"),
    ]


def render_table(rows: Sequence[Endpoint]) -> str:
    """The endpoints as aligned text columns: name, address, what it is."""
    name_width = max(len(row.name) for row in rows)
    address_width = max(len(row.address) for row in rows)
    return "".join(
        f"{row.name:<{name_width}}  {row.address:<{address_width}}  {row.what}\n" for row in rows
    )


def kcat_config(bootstrap: str, principal: str, password: str | None, ca_file: str | None) -> str:
    """librdkafka properties for ``kcat -F``: ``principal`` over SASL_SSL, or plaintext."""
    lines = [f"bootstrap.servers={bootstrap}"]
    if password is not None:
        lines += [
            "security.protocol=SASL_SSL",
            f"sasl.mechanisms={SCRAM}",
            f"sasl.username={principal}",
            f"sasl.password={password}",
        ]
        if ca_file is not None:
            lines.append(f"ssl.ca.location={ca_file}")
    return "".join(f"{line}\n" for line in lines)


def _private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def write_newcomer_files(
    directory: Path,
    rows: Sequence[Endpoint],
    *,
    passwords: Mapping[str, str],
    ca_file: str | None,
    portal_key_file: Path,
    example_pdf: bytes | None = None,
) -> Path:
    """Write ``endpoints.env`` and ``<participant>.kcat.conf`` into ``directory``; return the env.

    ``passwords`` maps principals to their Kafka passwords (empty on a
    plaintext broker); the env file names the files, not the secrets.
    ``example_pdf``, a Surat Kuasa to upload, goes beside them.
    """
    if directory == NEWCOMER_DIR:
        ensure_state_dir()
    directory.mkdir(parents=True, exist_ok=True)
    bootstrap = next(row.address for row in rows if row.variable == "KAFKA_BOOTSTRAP_SERVERS")
    lines = [f"{row.variable}={row.address}" for row in rows if row.variable != "REDIS_URL"]
    for principal in PARTICIPANTS:
        config = directory / f"{principal}.kcat.conf"
        _private(config, kcat_config(bootstrap, principal, passwords.get(principal), ca_file))
        lines.append(f"KCAT_{principal.upper()}={config}")
    if ca_file is not None:
        lines.append(f"KAFKA_CA_FILE={ca_file}")
    lines.append(f"PORTAL_API_KEY_FILE={portal_key_file}")
    if example_pdf is not None:
        pdf = directory / "surat-kuasa-example.pdf"
        pdf.write_bytes(example_pdf)
        lines.append(f"EXAMPLE_SURAT_KUASA={pdf}")
    env_file = directory / "endpoints.env"
    exports = []
    for line in lines:
        name, _, value = line.partition("=")
        exports.append(f"export {name}={shlex.quote(value)}\n")
    _private(env_file, "".join(exports))
    return env_file


def newcomer_files(stack: Stack, directory: Path = NEWCOMER_DIR) -> tuple[str, Path]:
    """The endpoint table of a running ``stack``, and its ``endpoints.env`` in ``directory``."""
    infra = stack.infra
    rows = endpoints(stack.ports, infra.bootstrap_servers, infra.redis_url, secure=infra.secure)
    env_file = write_newcomer_files(
        directory,
        rows,
        passwords={p: infra.kafka_passwords[p] for p in PARTICIPANTS if p in infra.kafka_passwords},
        ca_file=infra.ca_file,
        portal_key_file=portal_key_file(stack.ports),
        example_pdf=EXAMPLE_POWER_OF_ATTORNEY,
    )
    return render_table(rows), env_file
