"""CPU time per process over a measured window, from ``/proc/<pid>/stat``.

Why not ``ps -o pcpu``: that is the average over a process's whole life,
start-up included. Reading user+system ticks at the start and the end of the
window gives each process's share of exactly the measured seconds (100% = one
core), and ``/proc/stat`` gives the whole machine's busy share likewise.
"""

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass

TICKS = os.sysconf("SC_CLK_TCK")


def _process_ticks(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def process_cpu_ms(pid: int) -> float:
    """User + system CPU ``pid`` has used so far, in ms (0 when it is gone)."""
    return 1000 * (_process_ticks(pid) or 0) / TICKS


def _machine_ticks() -> tuple[int, int]:
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


@dataclass
class CpuWindow:
    """Start a window with the pids to watch; :meth:`finish` gives CPU% per name."""

    pids: Mapping[str, int]

    def __post_init__(self) -> None:
        self._wall = time.monotonic()
        self._start = {name: _process_ticks(pid) for name, pid in self.pids.items()}
        self._machine = _machine_ticks()
        self.wall_s = 0.0
        """The window's length in seconds, set by :meth:`finish`."""

    def finish(self) -> dict[str, float]:
        """CPU% (of one core) per watched process, plus ``machine busy %`` of all cores."""
        wall = self.wall_s = time.monotonic() - self._wall
        out: dict[str, float] = {}
        for name, pid in self.pids.items():
            before, after = self._start[name], _process_ticks(pid)
            if before is not None and after is not None and wall > 0:
                out[name] = round(100.0 * (after - before) / TICKS / wall, 1)
        busy, total = _machine_ticks()
        spent = total - self._machine[1]
        if spent > 0:
            out["machine busy % (all cores)"] = round(100.0 * (busy - self._machine[0]) / spent, 1)
        return out
