"""Python's garbage collector set for a long-running consumer, and its pauses counted.

Why: a hub process imports pydantic models, aiokafka, redis and the rules,
about 125,000 objects that live as long as the process. CPython's default
thresholds (700, 10, 10) run a young collection every 700 allocations and,
under load, a full one every second or two; a full one walks every one of
those objects and cost the gateway 58 ms each. A probe at full load (stop
22, BENCHMARKS.md) measured collections at 12.9 % of the gateway's CPU,
three quarters of it full collections finding nothing to free. Two changes
take most of it away:

* :func:`gc.freeze` once start-up is over moves what exists then to a
  permanent generation that no collection walks again;
* a young generation of 20,000 allocations rather than 700 collects a
  batch's short-lived objects once per few batches rather than dozens of
  times in each.

Reference cycles are still collected, only later: a young collection of
20,000 objects took about 5 ms in the same probe, far inside the latency
targets, and the memory held meanwhile is a few megabytes at most.
"""

from __future__ import annotations

import gc
import time
from typing import Any

from prometheus_client import Counter

from runtime.metrics import REGISTRY

THRESHOLDS = (20_000, 20, 10)
"""Young, middle and old generation thresholds (CPython's defaults: 700, 10, 10)."""

PAUSE_SECONDS = Counter(
    "insw_gc_pause_seconds",
    "CPU seconds spent in Python's garbage collector, by generation collected",
    ["generation"],
    registry=REGISTRY,
)


def tune(thresholds: tuple[int, int, int] = THRESHOLDS) -> None:
    """Freeze what start-up built and widen the young generation (call once, before serving)."""
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
