"""The benchmark run: one broker, the hub first, then the raw pipe, then the report.

Why this order: the hub's warm-up records are where the raw pipe's message
sizes come from (:mod:`bench.shape`), and running both on the same broker in
the same few minutes keeps the ratio honest on a shared, noisy machine.
"""

import argparse
import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient

from bench import scale
from bench import shape as shapes
from bench.phases import (
    PhaseReport,
    Target,
    half_rate,
    loud,
    measure,
    run_phase,
    say,
)
from bench.rawpipe import stage_specs, topic_names
from bench.soak import soak
from contracts import topics
from contracts.agencies import DJP_NPWP, DUKCAPIL_NIK, OSS_NIB
from devstack.infra import TOPIC_PARTITIONS, Infrastructure
from devstack.kafka import create_topics
from devstack.processes import ProcessGroup
from devstack.stack import Stack, decision_path_specs
from runtime.kafka_security import from_environment

WARMUP = 200
"""Registrations of the first warm-up (``--warmup``)."""
WARM_BROKER_S = 90.0
"""Longest the broker is warmed up before each system's measured phases (``--warm-broker``)."""
HUB_HOPS = {
    "submitted": topics.REGISTRATION_SUBMITTED,
    "NIB": OSS_NIB.request_topic,
    "NPWP": DJP_NPWP.request_topic,
    "NIK": DUKCAPIL_NIK.request_topic,
    "completed": topics.VERIFICATION_COMPLETED,
    "decided": topics.REGISTRATION_DECIDED,
}


def infra_pids(infra: Infrastructure) -> dict[str, int]:
    """The broker's and Redis's pids when devstack started them (else none)."""
    out = {"bench driver (this process)": os.getpid()}
    for process in infra.processes():
        if process.pid is not None:
            kind = "redis-server" if process.name.startswith("redis") else "kafka broker (JVM)"
            out[kind if infra.brokers == 1 else f"{kind} {process.name}"] = process.pid
    return out


def leftovers(started: Mapping[int, str]) -> list[str]:
    """Names of started process groups that still have a member (grandchildren included)."""
    alive = []
    for pid, name in started.items():
        if pid == os.getpid():
            continue
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            continue
        except PermissionError:
            pass
        alive.append(f"{name} (pgid {pid})")
    return alive


def _note_dead(group: ProcessGroup, reports: dict[str, PhaseReport], what: str) -> None:
    """A process of ``group`` that died during the run is an error of the run."""
    dead = [p.name for p in group.dead()]
    if dead:
        loud(f"{what} died during the run: {dead}")
        reports["warmup"].errors.append(f"{what} died: {dead}")


def _group_pids(group: ProcessGroup) -> dict[str, int]:
    return {p.name: p.pid for p in group.processes if p.pid is not None}


class Run:
    """Holds what the phases of one run share: infrastructure, ids, options, shape."""

    def __init__(self, infra: Infrastructure, args: argparse.Namespace) -> None:
        self.infra = infra
        self.args = args
        self.run_id = uuid.uuid4().hex[:8]
        self.shape = shapes.DEFAULT
        self.hub_half_rate: float | None = None
        self.reports: dict[str, dict[str, PhaseReport]] = {}
        self.scale_out: dict[str, Any] | None = None
        """One vs ``--scale`` instances at full load (:func:`bench.scale.comparison`)."""
        self.started: dict[int, str] = {pid: n for n, pid in infra_pids(infra).items()}
        """Process groups this run started (pid = pgid), checked for strays at the end."""

    async def _with_hub(
        self, phases: Callable[[Stack, Target], Awaitable[dict[str, PhaseReport]]]
    ) -> dict[str, PhaseReport]:
        """Start the hub, run ``phases`` against it, stop it; dead services are errors."""
        say("starting the hub (simulators, 4 adapters, gateway)")
        stack = Stack(self.infra, specs=decision_path_specs).start()
        self.started |= {pid: name for name, pid in _group_pids(stack.group).items()}
        try:

            def pids() -> Mapping[str, int]:
                return _group_pids(stack.group) | infra_pids(self.infra)

            target = Target(
                "hub",
                self.infra.bootstrap_servers,
                topics.REGISTRATION_SUBMITTED,
                topics.REGISTRATION_DECIDED,
                "insw-",
                pids,
                HUB_HOPS,
            )
            reports = await phases(stack, target)
            _note_dead(stack.group, reports, "hub services")
        finally:
            say("stopping the hub")
            stack.stop()
        return reports

    async def _measure(
        self,
        target: Target,
        half_rate_setting: str,
        after_warmup: Callable[[], Awaitable[None]] | None = None,
    ) -> dict[str, PhaseReport]:
        """Warm-up, full, half and low load of ``target`` with this run's options."""
        return await measure(
            target,
            self.run_id,
            warmup=self.args.warmup,
            warm_broker_s=self.args.warm_broker,
            n=self.args.n,
            half_n=self.args.half_n,
            half_rate_setting=half_rate_setting,
            low_n=self.args.low_n,
            low_rate=self.args.low_rate,
            after_warmup=after_warmup,
            reports=self.reports.setdefault(target.name, {}),
        )

    async def _capture_shape(self) -> None:
        prefix = f"BENCH-{self.run_id}-hub-warmup-"
        self.shape = await shapes.capture(self.infra.bootstrap_servers, prefix)
        say(f"message shape captured: {self.shape.to_json()}")

    async def hub(self) -> dict[str, PhaseReport]:
        """The whole hub, every service its own process, as ``devstack.stack`` starts it.

        With ``--scale K`` (K > 1), then K instances of the gateway and of each
        adapter: a warm-up and a full load again, compared with one instance.
        The scaled hub gets no half or low phase: scale-out is about the
        throughput and the decisions K instances give, while the latency at
        a trickle (the low phase, 20/s) is one instance's, measured before the
        extra instances start; a 20/s load spread over K instances would only
        measure the same broker round trips again, at a minute's cost.
        """

        async def phases(stack: Stack, target: Target) -> dict[str, PhaseReport]:
            reports = await self._measure(target, self.args.half_rate, self._capture_shape)
            if self.args.scale > 1 and "full" in reports and not reports["full"].stalled:
                await self._scale_out(stack, target)
            return reports

        reports = await self._with_hub(phases)
        half = reports.get("half")
        if half is not None:
            self.hub_half_rate = half.figures.get("target_rate_per_s")
        return reports

    async def _scale_out(self, stack: Stack, one: Target) -> None:
        """Start the extra instances, then warm up and measure full load on all of them."""
        count = self.args.scale
        names = scale.scaled_names()
        say(f"scale-out: starting instances 2..{count} of {', '.join(names)}")
        for number in range(2, count + 1):
            for name in names:
                proc = stack.start_service(scale.extra_instance(stack.specs[name], number))
                if proc.pid is not None:
                    self.started[proc.pid] = proc.name
        target = replace(one, name=f"hub-x{count}")
        reports = self.reports.setdefault(target.name, {})
        reports["warmup"] = await run_phase(target, self.run_id, "warmup", self.args.warmup, None)
        if reports["warmup"].stalled:
            return
        reports["full"] = await run_phase(target, self.run_id, "full", self.args.n, None)
        self.scale_out = scale.comparison(self.reports["hub"]["full"], reports["full"], names)
        outcomes = self.scale_out["outcomes"]
        if outcomes["differ"] or outcomes["only_with_one"] or outcomes["only_with_more"]:
            error = f"scale-out: outcomes differ from one instance's: {outcomes}"
            loud(error)
            reports["full"].errors.append(error)

    async def soak(self) -> dict[str, PhaseReport]:
        """The hub at a steady rate for ``--soak`` seconds, its memory sampled (bench.soak)."""

        async def phases(_stack: Stack, target: Target) -> dict[str, PhaseReport]:
            reports = self.reports.setdefault("hub", {})
            reports["warmup"] = await run_phase(
                target, self.run_id, "warmup", self.args.warmup, None
            )
            if reports["warmup"].stalled:
                return reports
            rate_per_s = self.args.soak_rate
            if rate_per_s is None:
                reports["full"] = await run_phase(target, self.run_id, "full", self.args.n, None)
                if reports["full"].stalled:
                    return reports
                rate_per_s = half_rate("auto", reports["full"])
            reports["soak"] = await soak(
                target,
                self.run_id,
                seconds=self.args.soak,
                rate_per_s=rate_per_s,
                redis_url=self.infra.redis_url,
                interval=self.args.soak_interval,
            )
            return reports

        return await self._with_hub(phases)

    async def raw(self) -> dict[str, PhaseReport]:
        """The raw aiokafka pipe on dedicated topics; same driver, same half-load rate."""
        prefix = f"bench.raw.{self.run_id}"
        names = topic_names(prefix)
        create_topics(
            self.infra.bootstrap_servers,
            names.values(),
            TOPIC_PARTITIONS,
            replication=self.infra.replication,
        )
        group = ProcessGroup()
        say("starting the raw pipe (stages A, B x3, C)")
        try:
            for spec in stage_specs(self.infra.bootstrap_servers, prefix, self.shape):
                started = group.start(spec)
                if started.pid is not None:
                    self.started[started.pid] = spec.name
            target = Target(
                "raw",
                self.infra.bootstrap_servers,
                names["submitted"],
                names["decided"],
                prefix,
                lambda: _group_pids(group) | infra_pids(self.infra),
                names,
            )
            rate = self.args.half_rate
            if rate == "auto" and self.hub_half_rate is not None:
                rate = str(self.hub_half_rate)  # same offered load as the hub had
            reports = await self._measure(target, rate)
            _note_dead(group, reports, "raw pipe stages")
        finally:
            say("stopping the raw pipe")
            group.stop_all()
            await _delete_topics(self.infra.bootstrap_servers, list(names.values()))
        return reports


async def _delete_topics(bootstrap: str, names: list[str]) -> None:
    """Best effort: leave no benchmark topics behind on a long-lived broker."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **from_environment())
    try:
        await admin.start()
        await asyncio.wait_for(admin.delete_topics(names), 10)
    except Exception as error:  # cleanup only: report, never fail the run for it
        say(f"could not delete {names}: {error!r}")
    finally:
        await admin.close()
