"""One scenario, start to finish: fresh stack, load, the fault, settling, the ledger.

Why the fault runs beside the load, not after it: the invariants only mean
something while thousands of registrations are between two hops, so the load
is produced and the scenario waits for its moment (a fault point reached, a
share of the submissions decided) in the same event loop.
"""

import asyncio
import os
import time
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from contracts import channels
from devstack.infra import trusted_registry
from devstack.paths import LOG_DIR, new_run_dir
from faults.ledger import Ledger, tally
from faults.load import Registration, registrations, submit
from faults.observe import Tap
from faults.stack import FaultStack, Settings
from hubctl.audit import verify_topic
from runtime.signing import parse_trusted_keys

POLL_S = 0.1
"""How often progress is looked at while waiting for the moment of a fault."""
SETTLE_POLL_S = 1.0
"""How often the ledger is taken while the system settles: the resolution of recovery times."""
QUIET_S = 5.0
"""A settled system published nothing new for this long after it recovered."""


class FaultRun:
    """What a scenario works with while its fault plays out: the stack, progress, its notes."""

    def __init__(self, stack: FaultStack, tap: Tap, workdir: Path, planned: frozenset[str]):
        self.stack = stack
        self.tap = tap
        self.workdir = workdir
        self.planned = planned
        self.load_started: float | None = None
        self.fault_at: float | None = None
        self.notes: list[str] = []
        self.problems: list[str] = []

    def start_load(self) -> None:
        """From now on notes are stamped with the seconds since the load started."""
        self.load_started = time.monotonic()

    def note(self, text: str) -> None:
        """Record what happened, stamped with the time since the load started (or "setup")."""
        when = self.load_started
        line = f"t+{time.monotonic() - when:.1f}s {text}" if when else f"setup: {text}"
        self.notes.append(line)
        print(f"faults:   {line}", flush=True)

    def problem(self, text: str) -> None:
        """Record a broken promise the ledger cannot see (an unclean exit, a missed fault)."""
        self.problems.append(text)
        self.note(f"PROBLEM: {text}")

    def fault(self, text: str) -> None:
        """Mark the moment of injection (the first one counts for the recovery time)."""
        if self.fault_at is None:
            self.fault_at = time.monotonic()
        self.note(f"fault: {text} ({self.decided_share():.0%} of the load decided)")

    def decided_share(self) -> float:
        """Share of the planned submissions with a final decision so far."""
        return self.tap.decided(self.planned) / max(1, len(self.planned))

    async def until(
        self, *, decided: float, marker: Path | None = None, give_up_s: float = 180.0
    ) -> str:
        """Wait until ``marker`` exists or ``decided`` of the load is decided.

        Returns which came first: ``"marker"``, ``"decided"`` or ``"timeout"``.
        """
        deadline = time.monotonic() + give_up_s
        while time.monotonic() < deadline:
            await self.tap.refresh(budget_s=0.3)
            # The marker after the progress: a marker written meanwhile still wins.
            if marker is not None and await asyncio.to_thread(marker.exists):
                return "marker"
            if self.decided_share() >= decided:
                return "decided"
            await asyncio.sleep(POLL_S)
        return "timeout"


class Scenario(ABC):
    """One fault: which services it tunes, and how and when it strikes."""

    name: str
    title: str
    rate_per_s: float | None = None
    """Submission rate; None floods the whole load at once."""
    brokers: int = 1
    """The fewest Kafka brokers the fault makes sense on (a leader's death needs followers)."""

    def settings(self) -> Settings:
        """Environment overrides by service name, for the whole run."""
        return {}

    @abstractmethod
    async def inject(self, run: FaultRun) -> None:
        """Wait for the moment, strike, and bring the system back (restart, recover)."""

    async def prepare(self, run: FaultRun) -> None:  # noqa: B027 - optional hook, most need none
        """After the warm-up, before the load: arm what must count from here (fault points)."""

    def check(self, ledger: Ledger) -> list[str]:
        """Problems only this fault can tell from the ledger (e.g. that it hit anything)."""
        return []


@dataclass
class Result:
    """What one scenario showed."""

    name: str
    title: str
    registrations: int
    started_at: datetime
    ledger: Ledger
    recovered_after_s: float | None
    wall_seconds: float
    log_dir: Path
    load_average: str
    """The machine's 1/5/15-minute load when the scenario started (it is shared)."""
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def violations(self) -> list[str]:
        """Every broken invariant: the ledger's and the scenario's own."""
        found = self.ledger.violations() + self.problems
        if self.recovered_after_s is None:
            found.append("did not recover (every submission decided, no lag) within the timeout")
        return found


async def settle(
    run: FaultRun, submitted: frozenset[str], limit_s: float
) -> tuple[Ledger, float | None]:
    """Take the ledger until it has recovered and stayed unchanged for QUIET_S, or ``limit_s``.

    Returns the last ledger and when it recovered (monotonic), None if it never did.
    """
    deadline = time.monotonic() + limit_s
    recovered_at: float | None = None
    signature: tuple[int, ...] = ()
    unchanged_since = time.monotonic()
    while True:
        seen = await run.tap.observe(submitted)
        ledger = tally(seen)
        now = time.monotonic()
        current = (len(seen.decisions), len(seen.customs_keys), len(seen.mails))
        if current != signature:
            signature, unchanged_since = current, now
        if not ledger.recovered:
            recovered_at = None
        elif recovered_at is None:
            recovered_at = now
        if recovered_at is not None and now - unchanged_since >= QUIET_S:
            return ledger, recovered_at
        if now > deadline:
            return ledger, recovered_at
        await asyncio.sleep(SETTLE_POLL_S)


def brokers_for(scenario: Scenario, requested: int) -> int:
    """Brokers a scenario's stack gets: ``--brokers``, or more when the fault needs a cluster."""
    return max(requested, scenario.brokers)


async def run_scenario(
    scenario: Scenario, count: int, *, settle_timeout: float, brokers: int = 1
) -> Result:
    """Run ``scenario`` with ``count`` registrations on a fresh stack; always stops the stack."""
    run_id = uuid.uuid4().hex[:6]
    label = f"faults-{run_id}-{scenario.name}"
    workdir = new_run_dir(label)
    log_dir = LOG_DIR / label
    started_at = datetime.now(UTC)
    load_average = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    wall = time.monotonic()
    brokers = brokers_for(scenario, brokers)
    print(
        f"faults: {scenario.name}: starting a fresh stack, {brokers} broker(s) (logs in {log_dir})",
        flush=True,
    )
    stack = FaultStack(scenario.settings(), log_dir, brokers=brokers).start()
    try:
        tap = Tap(stack.bootstrap_servers, stack.mailbox_dir)
        await tap.start()
        try:
            load = registrations(run_id, count)
            run = FaultRun(stack, tap, workdir, frozenset(r.submission_id for r in load))
            await _warm_up(run, run_id)
            await scenario.prepare(run)
            run.start_load()
            run.note(f"submitting {count} registrations")
            submitted, ledger, recovered_at = await _play(scenario, run, load, settle_timeout)
        finally:
            await tap.stop()
        ledger = await _final_ledger(run, submitted or run.planned, ledger)
        await _audit_trail(run)
        for problem in scenario.check(ledger):
            run.problem(problem)
        for dead in stack.dead_services():
            run.problem(f"service died: {dead}")
    finally:
        stack.stop()
    if len(submitted) < count:
        run.problem(f"only {len(submitted)} of {count} submissions were acknowledged")
    recovered_after = (
        None
        if recovered_at is None or run.fault_at is None
        else max(0.0, recovered_at - run.fault_at)
    )
    return Result(
        name=scenario.name,
        title=scenario.title,
        registrations=count,
        started_at=started_at,
        ledger=ledger,
        recovered_after_s=recovered_after,
        wall_seconds=time.monotonic() - wall,
        log_dir=log_dir,
        load_average=load_average,
        notes=run.notes,
        problems=run.problems,
    )


async def _warm_up(run: FaultRun, run_id: str, limit_s: float = 180.0) -> None:
    """One registration through the whole hub before the load, until no group lags.

    Why: freshly started services spend their first seconds joining consumer
    groups; a fault that strikes "at 20% decided" must strike a hub that was
    working, not one still assembling, and that start-up must not be charged
    to the recovery time.
    """
    [probe] = registrations(f"{run_id}-warmup", 1)
    ids = frozenset({probe.submission_id})
    await submit(run.stack.bootstrap_servers, [probe])
    began = time.monotonic()
    while time.monotonic() - began < limit_s:
        seen = await run.tap.observe(ids)
        if (
            run.tap.decided(ids)
            and seen.mails
            and seen.lag is not None
            and not any(seen.lag.values())
        ):
            run.note(f"warm-up registration decided and mailed in {time.monotonic() - began:.1f}s")
            return
        await asyncio.sleep(POLL_S)
    run.problem(f"the warm-up registration was not through the hub within {limit_s:.0f}s")


async def _audit_trail(run: FaultRun) -> None:
    """``hubctl audit verify`` over the whole trail: a fault must not leave it unverifiable.

    Why here: a batch signs only its last audit entry (runtime.audit), so a
    kill between an at-least-once publish and its commit can leave entries
    no signature covers; the verifier must skip them, and nothing else may
    break. Each scenario's trail is read from the beginning, committed only.
    """
    trusted = parse_trusted_keys(trusted_registry(run.stack.infra.signing_keys))
    topic = channels.AUDIT.topic
    verdicts = await verify_topic(run.stack.bootstrap_servers, topic, trusted)
    verified = sum(v.checked for v in verdicts)
    skipped = sum(v.skipped for v in verdicts)
    run.note(f"audit trail: {verified} entries verified, {skipped} unproven and skipped")
    for verdict in verdicts:
        if verdict.broken is not None:
            broken = verdict.broken
            run.problem(
                f"audit trail broken at {topic}/{broken.partition}/{broken.offset}: {broken.reason}"
            )


async def _final_ledger(run: FaultRun, submitted: frozenset[str], settled: Ledger) -> Ledger:
    """The ledger from a fresh read of every topic from the beginning (not the incremental tail).

    Why again: the tail consumer lived through the fault (a broker restart, say);
    the final count must not depend on how well it did. A difference is noted.
    """
    reader = Tap(run.stack.bootstrap_servers, run.stack.mailbox_dir)
    await reader.start()
    try:
        ledger = tally(await reader.observe(submitted, complete=True))
    finally:
        await reader.stop()
    if ledger.figures() != settled.figures():
        differs = {k: v for k, v in settled.figures().items() if ledger.figures()[k] != v}
        run.note(f"while settling, the incremental reader had counted {differs}")
    return ledger


async def _play(
    scenario: Scenario, run: FaultRun, load: list[Registration], settle_timeout: float
) -> tuple[frozenset[str], Ledger, float | None]:
    sending = asyncio.create_task(
        submit(run.stack.bootstrap_servers, load, rate_per_s=scenario.rate_per_s)
    )
    striking = asyncio.create_task(scenario.inject(run))
    submitted: frozenset[str] = frozenset()
    try:
        submitted = await sending
        run.note(f"{len(submitted)} submissions acknowledged")
    except Exception as error:
        run.problem(f"submitting failed: {type(error).__name__}: {error}")
    try:
        await striking
    except Exception as error:
        run.problem(f"injecting the fault failed: {type(error).__name__}: {error}")
    if run.fault_at is None:
        run.problem("the fault was never injected")
    run.note("settling")
    ledger, recovered_at = await settle(run, submitted or run.planned, settle_timeout)
    return submitted, ledger, recovered_at
