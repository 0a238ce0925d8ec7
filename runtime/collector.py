"""Python's garbage collector set for a long-running consumer, and its pauses counted.

Why: a hub process imports pydantic models, aiokafka, redis and the rules,
about 125,000 objects that live as long as the process. Under load CPython
runs a full collection every second or two, and a full collection walks
every one of those objects: 58 ms each in the gateway. A probe at full
load (stop 22, BENCHMARKS.md) measured collections at 12.9 % of the
gateway's CPU, three quarters of it full collections finding nothing to
free. :func:`gc.freeze` once start-up is over moves what exists then to a
permanent generation that no collection walks again: 4.4 % in the same
probe.

The young generation keeps CPython's threshold of 700 allocations. A
threshold of 20,000 took the collector down to 2 % at full load, but each
young collection then took about 5 ms, and at 20 registrations/s, where
every registration crosses five processes, that showed: hub-only runs at
20/s, the two thresholds taking turns, gave p50 4-5 ms higher with 20,000
(BENCHMARKS.md, "Stop 22"). Latency at low load is a target; the last two
per cent of CPU at full load are not worth it.
"""

from __future__ import annotations

import gc
import time
from typing import Any

from prometheus_client import Counter

from runtime.metrics import REGISTRY

THRESHOLDS = (700, 10, 10)
"""Young, middle and old generation thresholds: CPython's own, set explicitly (see above)."""

PAUSE_SECONDS = Counter(
    "insw_gc_pause_seconds",
    "CPU seconds spent in Python's garbage collector, by generation collected",
    ["generation"],
    registry=REGISTRY,
)


def tune(thresholds: tuple[int, int, int] = THRESHOLDS) -> None:
    """Freeze what start-up built and set the thresholds (call once, before serving)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)


class Pauses:
    """Adds up the CPU time of every collection, per generation, while installed."""

    def __init__(self) -> None:
        self.seconds = [0.0, 0.0, 0.0]
        self.collections = [0, 0, 0]
        self._started = 0.0

    def _observe(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.process_time()
            return
        generation = int(info["generation"])
        spent = time.process_time() - self._started
        self.seconds[generation] += spent
        self.collections[generation] += 1
        PAUSE_SECONDS.labels(str(generation)).inc(spent)

    def install(self) -> Pauses:
        """Start counting (idempotent)."""
        if self._observe not in gc.callbacks:
            gc.callbacks.append(self._observe)
        return self

    def remove(self) -> None:
        """Stop counting."""
        if self._observe in gc.callbacks:
            gc.callbacks.remove(self._observe)

    @property
    def total(self) -> float:
        """CPU seconds in collections of every generation so far."""
        return sum(self.seconds)
