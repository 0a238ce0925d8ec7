"""One fresh hub per fault: its own broker, Redis and services, and the levers to hurt them.

Why a fresh stack each time: ledgers must not mix, consumer groups must start
from nothing, and a fault (a broker restart, a crashed producer) must not
leave state behind for the next one. Only the services on the registration
path run: the agency simulators, the three identity adapters, the gateway,
the CEISA adapter, the notifier and the dev mailbox.
"""

import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import aiohttp

from devstack.infra import Infrastructure, restore_env
from devstack.net import LOOPBACK
from devstack.processes import ServiceProcess, ServiceSpec
from devstack.stack import Stack, service_specs
from topology.services import services

ON_THE_REGISTRATION_PATH = frozenset(s.name for s in services() if s.registration_path)
"""What a fault run starts: not the HTTP intake, not the customs lifecycle."""

EXTERNAL_STAND_INS = frozenset(s.name for s in services() if s.stand_in)
"""Processes standing in for systems outside the hub: agency simulators, the SMTP mailbox."""

FAULT_POINT_VARS = ("INSW_FAULT_POINT", "INSW_FAULT_AFTER_BATCHES", "INSW_FAULT_MARKER")
"""What arms a service's fault point; a restarted service runs without them."""

INSTANCE_VAR = "HUB_INSTANCE_ID"
"""Names a service instance (Kafka transactional ids derive from it)."""

COMMON_SETTINGS = {INSTANCE_VAR: "0"}
GATEWAY_SETTINGS = {
    # Re-check an unavailable agency after 2 s instead of 30 s (as the e2e tests do),
    # so an agency outage is decided within the run.
    "RECHECK_DELAY_SECONDS": "2",
}

Settings = Mapping[str, Mapping[str, str]]
"""Environment overrides by service name."""


@dataclass(frozen=True)
class Exit:
    """How a service ended after SIGTERM: its status (None: still running) and how long it took."""

    name: str
    status: int | None
    seconds: float

    @property
    def graceful(self) -> bool:
        """Exited by itself with status 0."""
        return self.status == 0


def fault_point(point: str, topic: str, marker: Path, after_batches: int) -> dict[str, str]:
    """Environment arming a service's fault point: ``point`` on the ``after_batches``-th batch."""
    return {
        "INSW_FAULT_POINT": f"{point}@{topic}",
        "INSW_FAULT_AFTER_BATCHES": str(after_batches),
        "INSW_FAULT_MARKER": str(marker),
    }


def armed(argv: tuple[str, ...]) -> tuple[str, ...]:
    """``python -m MODULE …`` launched through :mod:`faults.armed`: its fault point can be armed."""
    python, flag, *rest = argv
    return (python, flag, "faults.armed", *rest)


def _without(spec: ServiceSpec, names: tuple[str, ...]) -> ServiceSpec:
    return replace(spec, env={k: v for k, v in spec.env.items() if k not in names})


class FaultStack:
    """Infrastructure and services of one fault run, with crash, restart and scale levers."""

    def __init__(self, settings: Settings, log_dir: Path, *, brokers: int = 1) -> None:
        # env={}: always a broker and a Redis of our own, even when the caller's
        # environment names shared ones: they are about to be restarted.
        self.infra = Infrastructure(env={}, brokers=brokers)
        self._previous: dict[str, str | None] = {}
        self._settings = settings
        self.stack = Stack(self.infra, specs=self._specs, log_dir=log_dir)

    def _specs(self, bootstrap: str, redis_url: str, ports: Mapping[str, int]) -> list[ServiceSpec]:
        chosen = [
            s
            for s in service_specs(bootstrap, redis_url, ports)
            if s.name in ON_THE_REGISTRATION_PATH
        ]
        return [
            replace(
                s,
                argv=s.argv if s.name in EXTERNAL_STAND_INS else armed(s.argv),
                env={
                    **s.env,
                    **COMMON_SETTINGS,
                    **(GATEWAY_SETTINGS if s.name == "gateway" else {}),
                    **self._settings.get(s.name, {}),
                },
            )
            for s in chosen
        ]

    def start(self) -> "FaultStack":
        """Start Kafka, Redis and every service; stops what started if anything fails."""
        try:
            self.infra.start()
            # The harness's own clients (load, observer) act as the superuser.
            self._previous = self.infra.export_admin_env()
            self.stack.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every service, then the broker and Redis."""
        self.stack.stop()
        self.infra.stop()
        if self._previous:
            restore_env(self._previous, self.infra.exported_env)
        self._previous = {}

    @property
    def bootstrap_servers(self) -> str:
        """The run's broker."""
        return self.infra.bootstrap_servers

    @property
    def mailbox_dir(self) -> Path:
        """Where the dev mailbox files the run's mail."""
        return self.stack.mailbox_dir

    def service_names(self) -> list[str]:
        """The services running now, in start order."""
        return [p.name for p in self.stack.group.processes]

    def hub_service_names(self) -> list[str]:
        """The hub's own services running now, in start order: not the agencies, not the mailbox.

        The simulators and the dev mailbox stand in for systems the hub does
        not run (agencies, the SMTP relay); stopping those is an outage, not a deploy.
        """
        return [n for n in self.service_names() if n not in EXTERNAL_STAND_INS]

    def crash(self, name: str) -> None:
        """``kill -9`` service ``name`` (its whole process group): no shutdown code runs."""
        proc = self.stack.process(name)
        proc.kill()
        self.stack.group.discard(proc)

    def restart(self, name: str) -> ServiceProcess:
        """Start ``name`` again from its spec, same instance id, fault point disarmed."""
        return self.stack.start_service(_without(self.stack.specs[name], FAULT_POINT_VARS))

    def rearm(self, name: str, settings: Mapping[str, str]) -> ServiceProcess:
        """Stop ``name`` (SIGTERM, it drains) and start it again with ``settings`` added.

        Why: a fault point counts batches from the start of its process, so it
        is armed after the warm-up, not while the hub is still assembling.
        """
        self.terminate([name], timeout=30.0)
        spec = self.stack.specs[name]
        return self.stack.start_service(replace(spec, env={**spec.env, **settings}))

    def add_instance(self, name: str, instance_id: str) -> ServiceProcess:
        """A further instance of ``name`` in the same consumer group (no HTTP port of its own)."""
        spec = _without(self.stack.specs[name], (*FAULT_POINT_VARS, "OFFICER_API_PORT"))
        extra = replace(
            spec,
            name=f"{name}-{instance_id}",
            env={**spec.env, INSTANCE_VAR: instance_id},
            ready_port=None,
        )
        return self.stack.start_service(extra)

    def terminate(self, names: list[str], timeout: float) -> list[Exit]:
        """SIGTERM the services ``names`` all at once; how each exited within ``timeout``.

        One still running at the deadline is killed (and reported with status None).
        """
        procs = [self.stack.process(n) for n in names]
        began = time.monotonic()
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        ended: dict[str, Exit] = {}
        while len(ended) < len(procs) and time.monotonic() - began < timeout:
            for proc in procs:
                status = proc.returncode()
                if status is not None and proc.name not in ended:
                    ended[proc.name] = Exit(proc.name, status, time.monotonic() - began)
            time.sleep(0.05)
        stuck = [proc for proc in procs if proc.name not in ended]
        for proc in stuck:  # every thread's stack into its log, to see where it hangs
            proc.send_signal(signal.SIGUSR1)
        if stuck:
            time.sleep(1.0)
        for proc in stuck:
            ended[proc.name] = Exit(proc.name, None, time.monotonic() - began)
            proc.kill()
        for proc in procs:
            self.stack.group.discard(proc)
        return [ended[p.name] for p in procs]

    def start_services(self, names: list[str]) -> None:
        """Start ``names`` again in the given order (disarmed), e.g. after :meth:`terminate`."""
        for name in names:
            self.restart(name)

    async def set_agency_faults(self, agency: str, faults: dict[str, object] | None) -> None:
        """Set a simulator's fault injection (``None``: back to normal); see simulators.common."""
        url = f"http://{LOOPBACK}:{self.stack.ports[agency]}/admin/faults"
        async with aiohttp.ClientSession() as http:
            request = http.post(url, json=faults) if faults else http.delete(url)
            async with request as response:
                if response.status != 200:
                    raise RuntimeError(f"{url}: {response.status} {await response.text()}")

    def dead_services(self) -> list[str]:
        """Services that exited without being told to, with their exit status."""
        return [f"{p.name} (exit {p.returncode()})" for p in self.stack.group.dead()]
