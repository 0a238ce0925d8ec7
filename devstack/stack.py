"""The whole hub as separate OS processes, as :mod:`topology.services` declares it.

Why: ``./hub run`` and the end-to-end tests must run every service exactly
as production does, as its own process talking only through Kafka (and
Redis), so a missing topic, a wrong key or a service that cannot start on its
own shows up here rather than in production.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType

from contracts.acl import principal_of_service
from devstack.infra import Infrastructure
from devstack.net import LOOPBACK, free_port, wait_for_port
from devstack.paths import RUN_DIR, new_run_dir
from devstack.processes import ProcessGroup, ServiceDiedError, ServiceProcess, ServiceSpec
from intake.portals import key_hash, new_api_key
from topology.services import Form, Link, Service, listener_keys, services

PRINCIPAL_VARIABLES = ("KAFKA_SASL_", "KAFKA_PASSWORD_")
"""What a service must not inherit from whoever starts the stack: someone else's principal."""
READY_TIMEOUT_S = 30.0
SETTLE_S = 1.0
"""How long port-less services must survive after start to count as started."""


def mailbox_dir(ports: Mapping[str, int]) -> Path:
    """Where the stack's dev mailbox files the mail it receives (one ``.eml`` per message)."""
    return RUN_DIR / f"mailbox-{ports['mailbox']}"


def portal_key_file(ports: Mapping[str, int]) -> Path:
    """Where the stack's portal API key is (mode 600), for people who call the intake."""
    return RUN_DIR / f"intake-{ports['intake']}" / "portal-api-key"


def portal_key(ports: Mapping[str, int]) -> str:
    """The stack's one partner-portal API key (issue 12), made once per stack.

    The key goes to a file only this user can read; the intake is told its
    hash, never the key.
    """
    key_file = portal_key_file(ports)
    if not key_file.exists():
        new_run_dir(key_file.parent.name)
        key_file.touch(mode=0o600)
        key_file.write_text(new_api_key() + "\n")
    return key_file.read_text().strip()


def _address(link: Link, ports: Mapping[str, int]) -> str:
    port = ports[link.key]
    if link.form is Form.HOST:
        return LOOPBACK
    if link.form is Form.PORT:
        return str(port)
    return f"http://{LOOPBACK}:{port}"  # on one host, URL and public URL are the same


def service_spec(service: Service, env: Mapping[str, str], ports: Mapping[str, int]) -> ServiceSpec:
    """How to start ``service`` as a local process, its listener on ``ports[key]`` of loopback.

    ``env`` holds the infrastructure's addresses; the service gets those it needs.
    """
    wanted = {
        "KAFKA_BOOTSTRAP_SERVERS": service.kafka,
        "REDIS_URL": service.redis,
        "PYTHONUNBUFFERED": True,
    }
    spec_env = {k: v for k, v in env.items() if wanted.get(k)}
    spec_env.update({link.env: _address(link, ports) for link in service.links})
    argv: tuple[str, ...] = (sys.executable, "-m", service.module, *service.args)
    listener, ready = service.listener, None
    if listener is not None:
        ready = ports[listener.key]
        if listener.port_env is None:
            argv += ("--port", str(ready))
        else:
            spec_env[listener.port_env] = str(ready)
    for more in service.more_listeners:  # declared env-configured (topology.services)
        assert more.port_env is not None
        spec_env[more.port_env] = str(ports[more.key])
    if service.name == "mailbox":  # a run directory owned by this process, swept once it is gone
        spec_env["MAILBOX_DIR"] = str(new_run_dir(mailbox_dir(ports).name))
    if service.name == "intake":
        spec_env["INTAKE_PORTAL_KEYS"] = json.dumps({"devstack": key_hash(portal_key(ports))})
    return ServiceSpec(
        name=service.name,
        argv=argv,
        env=spec_env,
        ready_port=ready,
        principal=principal_of_service(service.name) if service.kafka else None,
    )


def service_specs(bootstrap: str, redis_url: str, ports: Mapping[str, int]) -> list[ServiceSpec]:
    """Every hub process of :func:`topology.services.services`, for one stack.

    ``ports`` maps each listener key (:data:`PORT_KEYS`) to its port.
    """
    env = {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "REDIS_URL": redis_url, "PYTHONUNBUFFERED": "1"}
    return [service_spec(s, env, ports) for s in services()]


def signer_of(spec: ServiceSpec) -> str | None:
    """The signer of the service ``spec`` starts (None for one that signs nothing).

    By name, or else by the module it runs: an extra instance (a second
    notifier, a fault run's armed launcher) signs as the service it runs.
    """
    every = services()
    by_name = {s.name: s for s in every}
    if spec.name in by_name:
        return by_name[spec.name].signer
    modules = {s.module: s.signer for s in every if s.signer is not None}
    return next((modules[arg] for arg in spec.argv if arg in modules), None)


SpecsFactory = Callable[[str, str, Mapping[str, int]], list[ServiceSpec]]

PORT_KEYS = tuple(listener_keys(services()))
"""The listeners a stack chooses free ports for: simulators, mailbox, HTTP endpoints."""


def decision_path_specs(
    bootstrap: str, redis_url: str, ports: Mapping[str, int]
) -> list[ServiceSpec]:
    """The stack without email and HTTP intake: what the benchmark measures.

    The notifier and the dev SMTP mailbox work off the decision path and, on a
    2-core machine, would take CPU the decision path is being measured for;
    they scale separately in production.
    """
    on_path = {s.name for s in services() if s.decision_path}
    return [s for s in service_specs(bootstrap, redis_url, ports) if s.name in on_path]


class Stack:
    """Infrastructure plus every hub service, started in order and stopped in reverse.

    Pass ``infrastructure`` to reuse a running one (e.g. the test session's);
    it is then not stopped by the stack.
    """

    def __init__(
        self,
        infrastructure: Infrastructure | None = None,
        *,
        specs: SpecsFactory = service_specs,
        log_dir: Path | None = None,
    ) -> None:
        self._owns_infra = infrastructure is None
        self.infra = infrastructure or Infrastructure()
        self._specs = specs
        self.group = ProcessGroup() if log_dir is None else ProcessGroup(log_dir)
        self.ports: dict[str, int] = {}
        self.specs: dict[str, ServiceSpec] = {}
        """The spec each service was started from, by name: what a restart starts again."""

    @property
    def bootstrap_servers(self) -> str:
        """Kafka bootstrap servers of the stack's infrastructure."""
        return self.infra.bootstrap_servers

    @property
    def redis_url(self) -> str:
        """Redis URL of the stack's infrastructure."""
        return self.infra.redis_url

    @property
    def mailbox_dir(self) -> Path:
        """Where the dev mailbox files every email the notifier sent."""
        return mailbox_dir(self.ports)

    @property
    def notifier_url(self) -> str:
        """Base URL of the notifier's account endpoints."""
        return f"http://{LOOPBACK}:{self.ports['notifier']}"

    def start(self) -> Stack:
        """Start infrastructure (if owned) and every service; fail fast with its log."""
        try:
            if self._owns_infra:
                self.infra.start()
            self.ports = {name: free_port() for name in PORT_KEYS}
            for spec in self._specs(self.bootstrap_servers, self.redis_url, self.ports):
                self.start_service(spec)
            time.sleep(SETTLE_S)
            self.check_alive()
        except BaseException:
            self.stop()
            raise
        return self

    def start_service(self, spec: ServiceSpec) -> ServiceProcess:
        """Start one service (a first start, a restart or an extra instance) and wait until ready.

        Every service sees the stack's infrastructure (and its DLQ seal key),
        the trusted-keys registry and its own signing key only, and connects to
        Kafka as its own principal (:mod:`contracts.acl`), never as one this
        process was given; a spec may name another.
        """
        own = {k: v for k, v in os.environ.items() if not k.startswith(PRINCIPAL_VARIABLES)}
        base_env = {
            **own,
            **self.infra.env(),
            **self.infra.principal_env(spec.principal),
            **self.infra.signing_env(signer_of(spec)),
        }
        proc = self.group.start(spec, base_env=base_env)
        self.specs[spec.name] = spec
        if spec.ready_port is not None:
            self._wait_ready(proc, spec.ready_port)
        return proc

    def process(self, name: str) -> ServiceProcess:
        """The running (newest) process of service ``name``; KeyError if there is none."""
        for proc in reversed(self.group.processes):
            if proc.name == name:
                return proc
        raise KeyError(name)

    @staticmethod
    def _wait_ready(proc: ServiceProcess, port: int) -> None:
        if not wait_for_port(port, timeout=READY_TIMEOUT_S, alive=proc.alive):
            what = "exited" if not proc.alive() else f"did not listen on port {port}"
            raise proc.died_error(f"{what} within {READY_TIMEOUT_S:.0f}s")

    def check_alive(self) -> None:
        """Raise :class:`ServiceDiedError` (with the log tail) if any service has exited."""
        dead = self.group.dead()
        if dead:
            raise dead[0].died_error("exited unexpectedly")

    def stop(self) -> None:
        """Stop the services newest first, then the infrastructure if owned."""
        self.group.stop_all()
        if self._owns_infra:
            self.infra.stop()

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


__all__ = [
    "PORT_KEYS",
    "ServiceDiedError",
    "ServiceSpec",
    "Stack",
    "mailbox_dir",
    "service_specs",
]
