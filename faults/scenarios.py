"""The faults, each a :class:`~faults.run.Scenario`: what it arms, when it strikes, how it heals.

Every scenario strikes while most of the load is still between two hops
(after a fault point is reached, or once a share of the load is decided) and
then brings the system back the way operations would: restart the crashed
process with the same instance id, bring the broker or Redis back on the same
port and data, let the agency recover.
"""

import asyncio
import subprocess
import sys
from collections.abc import Callable

from contracts import topics
from contracts.agencies import DUKCAPIL_NIK, AgencySpec
from devstack.lag import pending_records
from faults.cluster_faults import BrokerFreeze, LeaderKill
from faults.ledger import Ledger
from faults.observe import HUB_GROUP_PREFIX
from faults.run import FaultRun, Scenario
from faults.stack import Settings, fault_point
from hubctl.console import admin_client
from hubctl.replay_group import group_state
from topology.services import adapter_name, agency

MARKER = "fault-point-reached"
FALLBACK_SHARE = 0.9
"""Without a fault point reached by then, a crash strikes anyway (and the scenario fails)."""
STRIKE_SHARE = 0.05
"""Other faults strike once this share of the load is decided: the hub is busy, most in flight.

Why so early: a warmed-up hub decides a few hundred registrations in about a second."""
EXIT_TIMEOUT_S = 30.0
"""How long a service may take to drain and exit after SIGTERM."""


class NoFault(Scenario):
    """The same load with no fault: the yardstick for every "time to recover"."""

    name = "no-fault"
    title = "the load alone, no fault (time to recover = time to process the load)"

    async def inject(self, run: FaultRun) -> None:
        """Strike nothing; the clock starts with the load."""
        run.fault("none")


class ServiceCrash(Scenario):
    """``kill -9`` a service at a fault point of its consume loop, then restart it."""

    def __init__(
        self,
        name: str,
        title: str,
        *,
        service: str,
        group: str,
        point: str,
        topic: str,
        after_batches: int,
    ) -> None:
        self.name = name
        self.title = title
        self.service = service
        self.group = group
        self.point = point
        self.topic = topic
        self.after_batches = after_batches

    async def prepare(self, run: FaultRun) -> None:
        """Restart the service with its fault point armed; wait until it is back in its group."""
        before = await group_members(run, self.group)
        marker = run.workdir / MARKER
        run.stack.rearm(
            self.service, fault_point(self.point, self.topic, marker, self.after_batches)
        )
        back = await _until_members(run, self.group, lambda n: n >= before)
        run.note(f"{self.service} restarted with {self.point}@{self.topic} armed ({back} members)")

    async def inject(self, run: FaultRun) -> None:
        """Wait for the marker (or, without one, for a share decided), kill -9, restart."""
        reached = await run.until(decided=FALLBACK_SHARE, marker=run.workdir / MARKER)
        if reached == "marker":
            where = f"{self.point}@{self.topic}, batch {self.after_batches}"
            run.note(f"{self.service} reached its fault point ({where})")
        else:
            run.problem(
                f"{self.service} never reached {self.point}@{self.topic} (no marker file); "
                f"crashed at {run.decided_share():.0%} decided instead"
            )
        run.fault(f"kill -9 {self.service}")
        run.stack.crash(self.service)
        run.stack.restart(self.service)
        run.note(f"{self.service} restarted (same instance id, fault point disarmed)")


class BrokerRestart(Scenario):
    """Stop the Kafka broker (SIGTERM) and start it again on the same port and data."""

    def __init__(self, name: str, *, down_s: float = 0.0) -> None:
        self.name = name
        self.down_s = down_s
        self.title = "restart the Kafka broker (same port, same data directory)" + (
            f", down {down_s:.0f} s" if down_s else ""
        )

    async def inject(self, run: FaultRun) -> None:
        """Once the load flows, restart the broker; clients must reconnect on their own."""
        await run.until(decided=STRIKE_SHARE)
        run.fault("broker SIGTERM, then started again")
        kafka = run.stack.infra.kafka
        assert kafka is not None
        down = kafka.restart(down_s=self.down_s)
        run.note(f"broker answering again after {down:.1f}s")


class RedisRestart(Scenario):
    """Stop Redis (SIGTERM: it flushes its append-only file) and start it again, same port.

    ``kill``: ``kill -9`` instead (no shutdown code, nothing flushed on the
    way out); only what the append-only file held when Redis acknowledged a
    write (``appendfsync always``) is there when it starts again.
    """

    def __init__(self, name: str = "redis-restart", *, kill: bool = False) -> None:
        self.name = name
        self.kill = kill
        how = "kill -9" if kill else "SIGTERM"
        self.title = f"restart Redis ({how} under load, append-only file, same port)"

    async def inject(self, run: FaultRun) -> None:
        """Once the load flows, restart Redis; services back off and retry meanwhile."""
        await run.until(decided=STRIKE_SHARE)
        redis = run.stack.infra.redis
        assert redis is not None
        run.fault(f"redis {'kill -9' if self.kill else 'SIGTERM'}, then started again")
        down = redis.restart(kill=self.kill)
        run.note(f"redis answering again after {down:.1f}s (appendfsync {redis.fsync})")


class AgencyOutage(Scenario):
    """An agency answers 503 to everything for a while, then recovers."""

    def __init__(self, agency: AgencySpec, seconds: float = 30.0) -> None:
        self.name = "agency-outage"
        self.title = f"{agency.agency} answers 503 for {seconds:.0f} s"
        self.agency = agency.simulator
        self.adapter = adapter_name(agency)
        self.prefix = agency.env_prefix
        self.seconds = seconds

    def settings(self) -> Settings:
        """No answer cache at the adapter: a cached answer would hide the outage."""
        return {self.adapter: {f"{self.prefix}_CACHE_TTL_SECONDS": "0"}}

    async def inject(self, run: FaultRun) -> None:
        """Once the load flows, the agency fails: applications are referred, then re-checked."""
        await run.until(decided=STRIKE_SHARE)
        run.fault(f"{self.agency} simulator answers 503 to every request")
        await run.stack.set_agency_faults(self.agency, {"error_rate": 1.0})
        await asyncio.sleep(self.seconds)
        await run.stack.set_agency_faults(self.agency, None)
        run.note(f"{self.agency} simulator healthy again")

    def check(self, ledger: Ledger) -> list[str]:
        """An outage that referred nothing did not hit the load: the scenario proved nothing."""
        return [] if ledger.referred else ["the outage referred no application"]


class Rebalance(Scenario):
    """A second gateway joins the consumer group mid-run, and leaves again (SIGTERM) mid-run."""

    name = "gateway-rebalance"
    title = "a second gateway instance joins mid-run, then leaves (SIGTERM)"
    rate_per_s = 100.0
    """Paced, so the run is long enough for a join and a leave while registrations flow."""

    async def inject(self, run: FaultRun) -> None:
        """Add instance 1 at 10% decided; once it is in the group, remove it at +25%."""
        await run.until(decided=0.1)
        before = await group_members(run, "insw-gateway")
        run.fault("second gateway instance started (HUB_INSTANCE_ID=1)")
        run.stack.add_instance("gateway", "1")
        joined = await _until_members(run, "insw-gateway", lambda n: n > before)
        run.note(f"consumer group insw-gateway: {before} -> {joined} members")
        await run.until(decided=min(0.9, run.decided_share() + 0.25))
        [left] = run.stack.terminate(["gateway-1"], EXIT_TIMEOUT_S)
        run.note(f"gateway-1 SIGTERM: exit status {left.status} after {left.seconds:.1f}s")
        if not left.graceful:
            run.problem(f"gateway-1 did not exit 0 within {EXIT_TIMEOUT_S:.0f}s ({left.status})")


class GracefulDrain(Scenario):
    """SIGTERM every hub service at once under load; each must exit 0 in time; start them again.

    The agency simulators and the dev mailbox keep running: they stand in for
    systems a deploy of the hub does not stop (stopping them is an outage).
    """

    name = "graceful-drain"
    title = "SIGTERM every hub service under load, then start them all again"

    async def inject(self, run: FaultRun) -> None:
        """Once the load flows, stop every hub service, check every exit, start them again."""
        await run.until(decided=STRIKE_SHARE)
        names = run.stack.hub_service_names()
        run.fault(f"SIGTERM to all {len(names)} hub services ({', '.join(names)})")
        exits = run.stack.terminate(names, EXIT_TIMEOUT_S)
        run.note("exits: " + ", ".join(f"{e.name}={e.status} in {e.seconds:.1f}s" for e in exits))
        for bad in (e for e in exits if not e.graceful):
            what = "still running (killed)" if bad.status is None else f"exit status {bad.status}"
            run.problem(f"{bad.name}: {what} {EXIT_TIMEOUT_S:.0f}s after SIGTERM")
        run.stack.start_services(names)
        run.note("every service started again")


class ReplayEverything(Scenario):
    """Integrators re-drive every hub consumer group to the beginning with ``hubctl``.

    Not a crash but the operation issue 6 promises is safe: once the load is
    decided, every hub service is stopped, ``hubctl replay group ...
    --to-earliest`` moves each of their groups back to offset 0 on every topic
    it consumes, and the services start again and read all of history. The
    ledger must not change: no decision, email or customs message twice.
    """

    name = "replay-everything"
    title = "re-drive every hub consumer group to the beginning (hubctl), restart"

    async def inject(self, run: FaultRun) -> None:
        """After the load is decided: stop, re-drive each group on each topic, start again."""
        await run.until(decided=1.0)
        names = run.stack.hub_service_names()
        exits = run.stack.terminate(names, EXIT_TIMEOUT_S)
        for bad in (e for e in exits if not e.graceful):
            run.problem(f"{bad.name} did not exit 0 after SIGTERM ({bad.status})")
        bootstrap = run.stack.bootstrap_servers
        plan = await consumed_topics(bootstrap)
        run.fault(f"hubctl replay group --to-earliest for {len(plan)} group/topic pairs")
        for group, topic in plan:
            status = await asyncio.to_thread(_hubctl_to_earliest, bootstrap, group, topic)
            if status != 0:
                run.problem(f"hubctl replay group {group} --topic {topic}: exit status {status}")
        by_group: dict[str, list[str]] = {}
        for group, topic in plan:
            by_group.setdefault(group, []).append(topic)
        to_reread = sum(
            [sum((await pending_records(bootstrap, g, ts)).values()) for g, ts in by_group.items()]
        )
        run.note(f"{to_reread} records to read again across those groups")
        if not to_reread:
            run.problem("the re-drive left nothing to read again: it proved nothing")
        run.stack.start_services(names)
        run.note("every service started again, reading its topics from the beginning")


def _hubctl_to_earliest(bootstrap: str, group: str, topic: str) -> int:
    """Run the real command line, as an integrator would."""
    argv = [
        sys.executable,
        "-m",
        "hubctl",
        "replay",
        "group",
        group,
        "--topic",
        topic,
        "--to-earliest",
        "--bootstrap",
        bootstrap,
    ]
    return subprocess.run(argv, capture_output=True, check=False, timeout=120).returncode


async def consumed_topics(bootstrap: str) -> list[tuple[str, str]]:
    """(group, topic) for every hub group (retry groups aside) and every topic it committed on."""
    async with admin_client(bootstrap) as admin:
        listed = await admin.list_consumer_groups()
        groups = sorted(
            g[0]
            for g in listed
            if g[0].startswith(HUB_GROUP_PREFIX) and not g[0].endswith(".retry")
        )
        plan: list[tuple[str, str]] = []
        for group in groups:
            offsets = await admin.list_consumer_group_offsets(group)
            plan += [(group, topic) for topic in sorted({tp.topic for tp in offsets})]
        return plan


async def group_members(run: FaultRun, group: str) -> int:
    """Members of consumer group ``group`` right now (one per subscriber of each instance)."""
    async with admin_client(run.stack.bootstrap_servers) as admin:
        return (await group_state(admin, group))[1]


async def _until_members(
    run: FaultRun, group: str, enough: Callable[[int], bool], wait_s: float = 60.0
) -> int:
    """Poll ``group``'s member count until ``enough(count)``; a problem after ``wait_s``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    members = 0
    async with admin_client(run.stack.bootstrap_servers) as admin:
        while loop.time() < deadline:
            _, members = await group_state(admin, group)
            if enough(members):
                return members
            await asyncio.sleep(0.5)
    run.problem(f"consumer group {group} still had {members} members after {wait_s:.0f}s")
    return members


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        NoFault(),
        ServiceCrash(
            "gateway-kill",
            "kill -9 the gateway mid-aggregation (before-produce), restart it",
            service="gateway",
            group="insw-gateway",
            point="before-produce",
            topic=topics.VERIFICATION_COMPLETED,
            after_batches=2,
        ),
        ServiceCrash(
            "adapter-kill",
            "kill -9 the Dukcapil adapter between produce and commit (before-commit), restart it",
            service=adapter_name(agency("dukcapil")),
            group=agency("dukcapil").service,
            point="before-commit",
            topic=DUKCAPIL_NIK.request_topic,
            after_batches=1,
        ),
        BrokerRestart("broker-restart"),
        RedisRestart(),
        AgencyOutage(agency("djp")),
        Rebalance(),
        GracefulDrain(),
        ReplayEverything(),
        LeaderKill(),
        BrokerFreeze(),
        RedisRestart("redis-kill", kill=True),
    )
}
"""Every scenario by name, in the order ``python -m faults`` runs them."""
