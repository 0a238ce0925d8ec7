"""The whole hub as separate OS processes: simulators, dev mailbox, adapters, gateway, notifier.

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

from devstack.infra import Infrastructure
from devstack.net import LOOPBACK, free_port, wait_for_port
from devstack.paths import RUN_DIR, new_run_dir
from devstack.processes import ProcessGroup, ServiceDiedError, ServiceProcess, ServiceSpec
from intake.portals import key_hash, new_api_key

SIMULATORS = ("oss", "djp", "dukcapil")
"""Agency simulators, each an HTTP server on its own free port."""

SERVICE_PORTS = ("mailbox", "notifier", "intake", "officers", "ceisa", "customs")
"""Other listeners on free ports: the dev SMTP mailbox, the notifier's account endpoints,
the HTTP intake, the gateway's officer endpoint, the CEISA simulator's admin endpoint and
the customs lifecycle service's HTTP read side."""

CEISA_STEP_DELAY_S = "0.3"
"""Seconds between two documents of a simulated customs story: a story ends in seconds."""

READY_TIMEOUT_S = 30.0
SETTLE_S = 1.0
"""How long port-less services must survive after start to count as started."""


def mailbox_dir(ports: Mapping[str, int]) -> Path:
    """Where the stack's dev mailbox files the mail it receives (one ``.eml`` per message)."""
    return RUN_DIR / f"mailbox-{ports['mailbox']}"


# ---------------------------------------------------------------------------
# THE SERVICES LIST (lead engineer: edit here). Order matters: services are
# started top to bottom and stopped bottom to top.
# ---------------------------------------------------------------------------
def service_specs(bootstrap: str, redis_url: str, ports: Mapping[str, int]) -> list[ServiceSpec]:
    """Every hub process for one stack: simulators and mailbox, adapters, gateway, notifier.

    ``ports`` maps each name in :data:`SIMULATORS` and :data:`SERVICE_PORTS` to its port.
    """
    py = sys.executable
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "REDIS_URL": redis_url,
        "OSS_BASE_URL": f"http://{LOOPBACK}:{ports['oss']}",
        "DJP_BASE_URL": f"http://{LOOPBACK}:{ports['djp']}",
        "DUKCAPIL_BASE_URL": f"http://{LOOPBACK}:{ports['dukcapil']}",
        "PYTHONUNBUFFERED": "1",
    }
    simulators = [
        ServiceSpec(
            name=f"simulator-{sim}",
            argv=(py, "-m", "simulators", sim, "--port", str(ports[sim])),
            env=env,
            ready_port=ports[sim],
        )
        for sim in SIMULATORS
    ]
    # A run directory owned by this process: swept once the stack's owner is gone.
    mail_dir = new_run_dir(mailbox_dir(ports).name)
    mailbox = ServiceSpec(
        name="mailbox",
        argv=(py, "-m", "notifier.mailbox", "--port", str(ports["mailbox"])),
        env={**env, "MAILBOX_DIR": str(mail_dir)},
        ready_port=ports["mailbox"],
    )
    notifier = ServiceSpec(
        name="notifier",
        argv=(py, "-m", "notifier"),
        env={
            **env,
            "SMTP_HOST": LOOPBACK,
            "SMTP_PORT": str(ports["mailbox"]),
            "NOTIFIER_HTTP_PORT": str(ports["notifier"]),
            "PUBLIC_BASE_URL": f"http://{LOOPBACK}:{ports['notifier']}",
        },
        ready_port=ports["notifier"],
    )
    adapters = [
        ServiceSpec(name=module.replace(".", "-"), argv=(py, "-m", module), env=env)
        for module in (
            "adapters.oss_nib",
            "adapters.djp_npwp",
            "adapters.dukcapil",
            "adapters.ceisa",
        )
    ]
    gateway = ServiceSpec(
        name="gateway",
        argv=(py, "-m", "gateway"),
        env={**env, "OFFICER_API_PORT": str(ports["officers"])},
        ready_port=ports["officers"],
    )
    # One portal key per stack (issue 12): the key goes to a file only this
    # user can read; the intake is told its hash, never the key.
    intake_dir = new_run_dir(f"intake-{ports['intake']}")
    api_key = new_api_key()
    key_file = intake_dir / "portal-api-key"
    key_file.touch(mode=0o600)
    key_file.write_text(api_key + "\n")
    intake = ServiceSpec(
        name="intake",
        argv=(py, "-m", "intake"),
        env={
            **env,
            "INTAKE_PORT": str(ports["intake"]),
            "INTAKE_PORTAL_KEYS": json.dumps({"devstack": key_hash(api_key)}),
        },
        ready_port=ports["intake"],
    )
    ceisa = ServiceSpec(
        name="simulator-ceisa",
        argv=(
            py,
            "-m",
            "simulators.ceisa",
            "--port",
            str(ports["ceisa"]),
            "--step-delay",
            CEISA_STEP_DELAY_S,
        ),
        env=env,
        ready_port=ports["ceisa"],
    )
    customs = ServiceSpec(
        name="customs",
        argv=(py, "-m", "customs"),
        env={**env, "CUSTOMS_HTTP_PORT": str(ports["customs"])},
        ready_port=ports["customs"],
    )
    return [*simulators, mailbox, *adapters, gateway, notifier, intake, ceisa, customs]


SpecsFactory = Callable[[str, str, Mapping[str, int]], list[ServiceSpec]]

DECISION_PATH_ONLY = frozenset({"mailbox", "notifier", "intake", "simulator-ceisa", "customs"})
"""Services off the submission-to-decision path (email, HTTP intake, the customs lifecycle)."""


def decision_path_specs(
    bootstrap: str, redis_url: str, ports: Mapping[str, int]
) -> list[ServiceSpec]:
    """The stack without email and HTTP intake: what the benchmark measures.

    The notifier and the dev SMTP mailbox work off the decision path and, on a
    2-core machine, would take CPU the decision path is being measured for;
    they scale separately in production.
    """
    return [
        s for s in service_specs(bootstrap, redis_url, ports) if s.name not in DECISION_PATH_ONLY
    ]


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
            self.ports = {name: free_port() for name in SIMULATORS + SERVICE_PORTS}
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

        Every service sees the stack's infrastructure (and its DLQ seal key).
        """
        proc = self.group.start(spec, base_env={**os.environ, **self.infra.env()})
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
    "SERVICE_PORTS",
    "SIMULATORS",
    "ServiceDiedError",
    "ServiceSpec",
    "Stack",
    "mailbox_dir",
    "service_specs",
]
