"""The broker's just-in-time compiler: how much of its CPU in a window went to compiling.

Why: the bench starts a fresh broker, and the hub's full load comes some
twenty seconds after the JVM started, while the raw pipe runs minutes later
on the same broker. HotSpot compiles hot methods on its own threads (``C1
CompilerThre``, ``C2 CompilerThre``) as they get hot, and per-thread CPU
(``/proc/<pid>/task/<tid>/stat``) showed those threads at 48 % of the
broker's CPU during the hub's full load, against 24 % during the raw pipe's
(run 20261201T060452). That is start-up work a broker in service has long
done, and it was counted as the hub's cost per registration. The bench now
warms the broker up before it measures (:func:`bench.phases.measure`) and
reports this share for every phase, so a reader sees how warm it was.
"""

import os
from collections.abc import Mapping

from bench.cpu import TICKS

COMPILER = "Compiler"
"""In the name of every HotSpot compiler thread (``C2 CompilerThre``, ``C1 CompilerThre``)."""


def _thread_ticks(pid: int, tid: str) -> tuple[str, int] | None:
    try:
        with open(f"/proc/{pid}/task/{tid}/comm") as comm:
            name = comm.read().strip()
        with open(f"/proc/{pid}/task/{tid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None  # the thread ended between listing and reading
    return name, int(fields[11]) + int(fields[12])


def compiler_ticks(pid: int) -> int | None:
    """CPU ticks the compiler threads of ``pid`` have used so far (None: no such process)."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    total = 0
    for tid in tids:
        found = _thread_ticks(pid, tid)
        if found is not None and COMPILER in found[0]:
            total += found[1]
    return total


class CompilerWindow:
    """The compiler threads' CPU over a window, per broker: start it, then :meth:`finish`."""

    def __init__(self, brokers: Mapping[str, int]) -> None:
        self._brokers = dict(brokers)
        self._start = {name: compiler_ticks(pid) for name, pid in self._brokers.items()}

    def finish(self, wall_s: float) -> dict[str, float]:
        """Per broker, its compiler threads' CPU % over ``wall_s`` (100 = one core)."""
        out: dict[str, float] = {}
        for name, pid in self._brokers.items():
            before, after = self._start[name], compiler_ticks(pid)
            if before is not None and after is not None and wall_s > 0:
                # A lower bound: a compiler thread HotSpot retires takes its ticks with it.
                out[name] = round(100.0 * max(0, after - before) / TICKS / wall_s, 1)
        return out


def brokers_of(pids: Mapping[str, int]) -> dict[str, int]:
    """The broker processes among a target's watched pids (named ``kafka broker ...``)."""
    return {name: pid for name, pid in pids.items() if name.startswith("kafka broker")}


def share(jit_percent: Mapping[str, float], cpu_percent: Mapping[str, float]) -> float | None:
    """The compilers' part of the brokers' CPU, 0-1 (None: no broker CPU measured)."""
    spent = sum(cpu_percent.get(name, 0.0) for name in jit_percent)
    if spent <= 0:
        return None
    return round(sum(jit_percent.values()) / spent, 3)
