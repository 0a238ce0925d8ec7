"""One system under load: warm-up, full, half and low load, with CPU per process.

Why a shared routine: the hub and the raw pipe go through exactly the same
phases with the same driver, so their figures are comparable line by line.
"""

import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any

from bench import jit
from bench.cpu import CpuWindow
from bench.driver import STALL_S, WARMUP_STALL_S, DriveResult, drive
from bench.hops import breakdown, decided_more_than_once
from bench.payloads import submissions
from bench.perreg import per_registration
from bench.settle import settle
from bench.stats import rate, summarize


@dataclass(frozen=True)
class Target:
    """Where a system under test takes submissions and gives decisions."""

    name: str
    bootstrap: str
    submit_topic: str
    decided_topic: str
    group_prefix: str
    pids: Callable[[], Mapping[str, int]]
    """Processes whose CPU is recorded (called after the system has started)."""
    hop_topics: Mapping[str, str]
    """Topics of every hop, for :func:`bench.hops.breakdown`."""


@dataclass
class PhaseReport:
    """The figures of one phase, JSON-ready, plus whether it went wrong."""

    name: str
    figures: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    stalled: bool = False
    """Decisions stopped arriving: later phases would only measure a broken system."""
    outcomes: dict[int, str] = field(default_factory=dict)
    """Each decided submission's outcome by its index in the load (not written to JSON)."""


def loud(message: str) -> None:
    """An error the reader must not miss."""
    print(f"\n!!! BENCH ERROR: {message}\n", file=sys.stderr, flush=True)


def say(message: str) -> None:
    """Progress on stderr, so stdout keeps the report."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _judge(target: Target, phase: str, result: DriveResult) -> list[str]:
    errors = []
    if result.stalled:
        errors.append(f"{target.name}/{phase}: decisions stopped arriving, gave up")
    if result.missing:
        errors.append(
            f"{target.name}/{phase}: {len(result.missing)} of {len(result.sent_at)} submissions "
            f"got no decision (e.g. {result.missing[:3]})"
        )
    if result.duplicates:
        errors.append(
            f"{target.name}/{phase}: {result.duplicates} decisions arrived twice for one "
            "submission (each must get exactly one)"
        )
    if result.not_approved:
        sample = dict(list(result.not_approved.items())[:3])
        errors.append(
            f"{target.name}/{phase}: {len(result.not_approved)} decisions were not APPROVED "
            f"(e.g. {sample})"
        )
    for error in errors:
        loud(error)
    return errors


def _figures(result: DriveResult, rate_per_s: float | None) -> dict[str, Any]:
    latency = summarize(result.latencies())
    approved = sum(1 for o in result.outcomes.values() if o == "APPROVED")
    return {
        "submitted": len(result.sent_at),
        "decided": len(result.decided_at),
        "approved": approved,
        "duplicates": result.duplicates,
        "target_rate_per_s": rate_per_s,
        "send_rate_per_s": round(rate(len(result.sent_at), result.first_send, result.last_send), 1),
        "reg_per_s": round(
            rate(len(result.decided_at), result.first_send, result.last_decision), 1
        ),
        "max_pacing_lag_ms": round(result.max_pacing_lag_s * 1000, 2),
        "latency": latency.as_dict() if latency else None,
    }


async def run_phase(
    target: Target,
    run_id: str,
    phase: str,
    count: int,
    rate_per_s: float | None,
    *,
    beside: Callable[[asyncio.Event], Coroutine[Any, Any, None]] | None = None,
) -> PhaseReport:
    """Drive ``count`` submissions (flat out when ``rate_per_s`` is None) and measure.

    ``beside`` runs alongside the load (a memory sampler) and is told by the
    event when the last decision is in; the phase waits for it to return.
    """
    load = submissions(run_id, f"{target.name}-{phase}", count)
    pace = "flat out" if rate_per_s is None else f"at {rate_per_s:.0f}/s"
    say(f"{target.name}: {phase}, {count} registrations {pace}")
    pids = target.pids()
    window = CpuWindow(pids)
    compilers = jit.CompilerWindow(jit.brokers_of(pids))
    began = time.time()
    done = asyncio.Event()
    companion = None if beside is None else asyncio.create_task(beside(done))

    try:
        result = await drive(
            target.bootstrap,
            target.submit_topic,
            target.decided_topic,
            load,
            rate_per_s=rate_per_s,
            stall_s=WARMUP_STALL_S if "warmup" in phase else STALL_S,
        )
    finally:
        done.set()
        if companion is not None:
            await companion
    cpu = window.finish()
    report = PhaseReport(f"{target.name}/{phase}", _figures(result, rate_per_s))
    report.figures["cpu_percent"] = cpu
    compiling = compilers.finish(window.wall_s)
    report.figures["broker_jit_percent"] = compiling
    report.figures["broker_jit_share"] = jit.share(compiling, cpu)
    report.figures["cpu_window_s"] = round(window.wall_s, 2)
    report.figures["window_epoch_s"] = [round(began, 3), round(time.time(), 3)]  # bench.census
    report.figures["cpu_ms_per_registration"] = per_registration(
        cpu, window.wall_s, len(result.decided_at), os.cpu_count() or 1
    )
    report.outcomes = {int(sid.rsplit("-", 1)[1]): o for sid, o in result.outcomes.items()}
    report.errors = _judge(target, phase, result)
    report.stalled = result.stalled
    waited = await settle(target.bootstrap, target.group_prefix)
    report.figures["settle_s"] = round(waited, 1)
    if "warmup" not in phase:
        prefix = load[0].submission_id.rsplit("-", 1)[0] + "-"
        report.figures["hops"] = await breakdown(target.bootstrap, target.hop_topics, prefix)
        twice = await decided_more_than_once(target.bootstrap, target.decided_topic, prefix)
        report.figures["decided_more_than_once"] = len(twice)
        if twice:
            report.errors.append(
                f"{target.name}/{phase}: {len(twice)} submissions have more than one decision "
                f"on the topic after settling (e.g. {twice[:3]})"
            )
            loud(report.errors[-1])
    figures = report.figures
    latency = figures["latency"] or {}
    say(
        f"{target.name}: {phase}: {figures['decided']}/{count} decided, "
        f"{figures['reg_per_s']} reg/s, p50 {latency.get('p50_ms', 0):.1f} ms, "
        f"p99 {latency.get('p99_ms', 0):.1f} ms"
    )
    return report


SETTLED_JIT_SHARE = 0.10
"""A broker whose compilers took less than this share of its CPU in a round counts as warm."""


async def warm_broker(target: Target, run_id: str, count: int, seconds: float) -> dict[str, Any]:
    """Rounds of ``count`` registrations flat out until the broker is warm or ``seconds`` passed.

    Why: see :mod:`bench.jit`. Each system measured gets the same rule, on
    the broker it runs on: rounds of the full load's size go on while the
    broker's compiler threads took :data:`SETTLED_JIT_SHARE` or more of its
    CPU in the last round, for at most ``seconds`` (a round started is
    finished). What HotSpot compiles is what gets hot, so it takes load, not
    time: rounds of 200 for a minute left the compilers at 45 % of the
    broker's CPU during the full load; eight rounds of 1,500 brought them to
    13 %, and the broker's CPU per registration from 1.19 to 0.60 ms.
    Returns what was done.
    """
    began = time.monotonic()
    rounds, last_share = 0, None
    while time.monotonic() - began < seconds:
        rounds += 1
        report = await run_phase(target, run_id, f"broker-warmup-{rounds}", count, None)
        if report.stalled:
            return {"rounds": rounds, "stalled": True}
        last_share = report.figures.get("broker_jit_share")
        if last_share is not None and last_share < SETTLED_JIT_SHARE:
            break
    return {
        "rounds": rounds,
        "seconds": round(time.monotonic() - began, 1),
        "last_round_jit_share": last_share,
    }


LOW_RATE = 20.0
"""Issue 15's low load, registrations per second: "at 20 reg/s p50 <= 30 ms, p99 <= 100 ms"."""


def half_rate(setting: str, full: PhaseReport | None) -> float:
    """The half-load rate: a number, or ``auto`` = half the full-load rate just measured."""
    if setting != "auto":
        return float(setting)
    if full is None or not full.figures.get("reg_per_s"):
        raise ValueError("--half-rate auto needs the full-load phase to have a result")
    return float(full.figures["reg_per_s"]) / 2


async def measure(
    target: Target,
    run_id: str,
    *,
    warmup: int,
    n: int,
    half_n: int,
    half_rate_setting: str,
    low_n: int = 0,
    low_rate: float = LOW_RATE,
    after_warmup: Callable[[], Awaitable[None]] | None = None,
    reports: dict[str, PhaseReport] | None = None,
    warm_broker_s: float = 0.0,
) -> dict[str, PhaseReport]:
    """Warm up, then full, half and low load; stops early when a phase stalls.

    The low phase (``low_n`` registrations at the fixed ``low_rate``; none
    when ``low_n`` is 0) is issue 15's latency at a trickle: a fixed rate, not
    a share of the full rate, so that hub and raw pipe, and runs on different
    days, are compared at the same offered load. Phases are added to
    ``reports`` (when given) as they finish, so a run cut short by its time
    limit still reports what it measured.
    """
    reports = {} if reports is None else reports
    reports["warmup"] = await run_phase(target, run_id, "warmup", warmup, None)
    if reports["warmup"].stalled:
        return reports
    if after_warmup is not None:
        await after_warmup()
    if warm_broker_s > 0:
        warmed = await warm_broker(target, run_id, n, warm_broker_s)
        reports["warmup"].figures["broker_warm_up"] = warmed
        if warmed.get("stalled"):
            reports["warmup"].stalled = True
            return reports
    reports["full"] = await run_phase(target, run_id, "full", n, None)
    if reports["full"].stalled:
        return reports
    target_rate = half_rate(half_rate_setting, reports["full"])
    reports["half"] = await run_phase(target, run_id, "half", half_n, target_rate)
    if reports["half"].stalled or low_n <= 0:
        return reports
    reports["low"] = await run_phase(target, run_id, "low", low_n, low_rate)
    return reports
