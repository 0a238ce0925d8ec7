"""A token bucket per caller, so one client cannot flood the officers' endpoints.

Why in process: the officer desk is a handful of people; a per-instance limit
stops a runaway script or a guessing attack without another moving part. The
bucket is keyed by the caller (the token's subject once known, else the
peer address) and refills continuously.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class RateLimit:
    """``burst`` requests at once, then ``per_second`` on average, per key."""

    per_second: float = 5.0
    burst: int = 20
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def allow(self, key: str) -> float:
        """0 when ``key`` may go ahead (a token is taken), else seconds until it may."""
        now = self.clock()
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.per_second)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.per_second
        self._buckets[key] = (tokens - 1.0, now)
        if len(self._buckets) > 10_000:  # forget idle callers rather than grow without bound
            self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 60}
        return 0.0
