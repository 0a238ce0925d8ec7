"""The bench's broker warm-up and its JIT figure (bench.jit, bench.phases.warm_broker)."""

import os
import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest

from bench import jit, phases
from bench.__main__ import parse
from bench.phases import PhaseReport, Target, measure


def _target() -> Target:
    return Target("hub", "localhost:1", "sub", "dec", "insw-", dict, {})


@pytest.fixture
def driven(monkeypatch):
    """Replaces the driver: records each phase; warm-up rounds report the JIT shares given."""
    calls: list[str] = []
    shares: list[float | None] = []
    stall: set[str] = set()

    async def fake_run_phase(target, run_id, phase, count, rate_per_s):
        calls.append(phase)
        figures: dict[str, Any] = {"reg_per_s": 100.0}
        if phase.startswith("broker-warmup"):
            figures["broker_jit_share"] = shares.pop(0) if shares else 0.5
        report = PhaseReport(f"{target.name}/{phase}", figures)
        report.stalled = phase in stall
        return report

    monkeypatch.setattr(phases, "run_phase", fake_run_phase)
    return calls, shares, stall


async def test_rounds_go_on_while_the_compilers_are_busy_and_stop_once_they_settle(
    driven, monkeypatch
):
    calls, shares, _ = driven
    shares.extend([0.45, 0.2, 0.04])
    sizes = []
    real = phases.run_phase

    async def sized(target, run_id, phase, count, rate_per_s):
        sizes.append((phase, count))
        return await real(target, run_id, phase, count, rate_per_s)

    monkeypatch.setattr(phases, "run_phase", sized)
    reports = await measure(
        _target(), "r", warmup=5, n=50, half_n=20, half_rate_setting="9", warm_broker_s=600
    )
    assert calls == [
        "warmup",
        "broker-warmup-1",
        "broker-warmup-2",
        "broker-warmup-3",
        "full",
        "half",
    ]
    warmed = reports["warmup"].figures["broker_warm_up"]
    assert warmed["rounds"] == 3 and warmed["last_round_jit_share"] == 0.04
    assert ("broker-warmup-1", 50) in sizes  # rounds the full load's size, not the warm-up's


async def test_no_rounds_when_the_warm_up_time_is_zero(driven):
    calls, _, _ = driven
    reports = await measure(
        _target(), "r", warmup=5, n=50, half_n=20, half_rate_setting="9", warm_broker_s=0
    )
    assert calls == ["warmup", "full", "half"]
    assert "broker_warm_up" not in reports["warmup"].figures


async def test_rounds_stop_at_the_time_limit_even_with_busy_compilers(driven, monkeypatch):
    calls, _, _ = driven
    clock = iter(range(0, 1000, 20))  # each reading 20 s later
    monkeypatch.setattr(phases, "time", SimpleNamespace(monotonic=lambda: float(next(clock))))
    await measure(
        _target(), "r", warmup=5, n=50, half_n=20, half_rate_setting="9", warm_broker_s=50
    )
    assert calls.count("broker-warmup-1") == 1 and "broker-warmup-3" not in calls


async def test_a_stalled_warm_up_round_measures_nothing(driven):
    calls, _, stall = driven
    stall.add("broker-warmup-1")
    reports = await measure(
        _target(), "r", warmup=5, n=50, half_n=20, half_rate_setting="9", warm_broker_s=60
    )
    assert calls == ["warmup", "broker-warmup-1"] and reports["warmup"].stalled


def test_the_options_default_to_at_most_ninety_seconds_of_broker_warm_up():
    args = parse([])
    assert (args.warmup, args.warm_broker) == (200, 90.0)
    assert parse(["--warm-broker", "0"]).warm_broker == 0.0


def test_compiler_threads_are_counted_by_name_and_other_threads_are_not():
    """A thread of this process named like HotSpot's C2 compiler burns CPU; only it counts."""
    started = jit.compiler_ticks(os.getpid())
    assert started is not None
    named = threading.Event()

    def compile_like() -> None:
        with open(f"/proc/self/task/{threading.get_native_id()}/comm", "w") as comm:
            comm.write("C2 CompilerThre")
        named.set()
        until = time.process_time() + 0.3
        while time.process_time() < until:
            pass

    worker = threading.Thread(target=compile_like)
    worker.start()
    named.wait(5)
    busy_ticks_seen = 0
    while worker.is_alive():
        busy_ticks_seen = max(busy_ticks_seen, (jit.compiler_ticks(os.getpid()) or 0) - started)
        time.sleep(0.02)
    worker.join()
    assert busy_ticks_seen > 0
    assert jit.compiler_ticks(2**22 + 7) is None  # no such process


def test_the_share_is_of_the_brokers_cpu_only():
    assert jit.brokers_of({"kafka broker (JVM)": 5, "gateway": 6}) == {"kafka broker (JVM)": 5}
    cpu = {"kafka broker (JVM)": 80.0, "gateway": 60.0}
    assert jit.share({"kafka broker (JVM)": 20.0}, cpu) == 0.25
    assert jit.share({}, cpu) is None


def test_the_cpu_table_names_the_compilers_share_of_the_broker():
    from bench.report import cpu_table

    full = PhaseReport("hub/full", {"cpu_percent": {"kafka broker (JVM)": 50.0}})
    full.figures["broker_jit_share"] = 0.135
    printed = cpu_table({"hub": {"full": full}})
    assert "of the broker, its JIT compilers" in printed and "13.5%" in printed
