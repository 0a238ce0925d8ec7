"""Percentiles and latency summaries: pure functions, unit-tested.

Why nearest-rank: every reported percentile is then a latency that really
happened (no interpolated value between two samples), and the definition is
the textbook one: the p-th percentile of n sorted samples is the sample at
1-based rank ``ceil(p/100 * n)`` (rank 1 for p = 0).
"""

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass


def percentile(samples: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0 <= p <= 100) of ``samples`` by the nearest-rank method."""
    if not samples:
        raise ValueError("percentile of no samples")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} outside 0..100")
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class LatencySummary:
    """p50/p95/p99/max of a set of latencies, in milliseconds."""

    count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    def as_dict(self) -> dict[str, float]:
        """JSON-ready form."""
        return asdict(self)


def summarize(latencies_s: Sequence[float]) -> LatencySummary | None:
    """Summarise latencies given in seconds; None when there are none."""
    if not latencies_s:
        return None
    ms = [value * 1000.0 for value in latencies_s]
    return LatencySummary(
        count=len(ms),
        p50_ms=percentile(ms, 50),
        p95_ms=percentile(ms, 95),
        p99_ms=percentile(ms, 99),
        max_ms=max(ms),
    )


def rate(count: int, first_s: float, last_s: float) -> float:
    """Events per second over ``[first_s, last_s]``; 0 when the span is empty."""
    span = last_s - first_s
    return count / span if span > 0 else 0.0
