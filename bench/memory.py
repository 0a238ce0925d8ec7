"""Memory over a long run: RSS of every process and Redis's size, sampled, and their drift.

Why: a leak shows as growth over minutes at a steady load, which no short
phase reveals. Every ``interval`` seconds the soak (:mod:`bench.soak`) reads
each process's resident set (``VmRSS`` in ``/proc/<pid>/status``), and
Redis's key count (``DBSIZE``) and ``used_memory``. The first sample is taken
as warm-up (caches, pools and the JVM heap still filling) and only shown;
drift is measured from the second. The arithmetic is pure and unit-tested
(``tests/unit/test_bench_memory.py``).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

GROWTH_LIMIT_PCT = 10.0
"""Growth from the baseline to the last sample above this is flagged (issue 15: within 10 %)."""


def rss_kb(pid: int) -> int | None:
    """Resident set size of ``pid`` in KiB (``VmRSS``), None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def process_sample(pids: Mapping[str, int]) -> dict[str, int]:
    """RSS in KiB of every named process still alive."""
    out = {}
    for name, pid in pids.items():
        value = rss_kb(pid)
        if value is not None:
            out[f"rss_kb {name}"] = value
    return out


@dataclass(frozen=True)
class Drift:
    """How one series moved from its baseline (the first sample after warm-up)."""

    baseline: float
    last: float
    maximum: float
    last_pct: float
    """(last - baseline) / baseline in %: the growth over the run."""
    max_pct: float
    """(maximum - baseline) / baseline in %: the worst excursion."""
    flagged: bool
    """``last_pct`` above :data:`GROWTH_LIMIT_PCT`."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "baseline": self.baseline,
            "last": self.last,
            "max": self.maximum,
            "first_vs_last_pct": self.last_pct,
            "max_drift_pct": self.max_pct,
            "flagged": self.flagged,
        }


def pct(value: float, baseline: float) -> float:
    """Change of ``value`` against ``baseline`` in %, 2 places; 0 -> 0 is 0 %, 0 -> x is inf."""
    if baseline == 0:
        return 0.0 if value == 0 else float("inf")
    return round((value - baseline) / baseline * 100.0, 2)


def drift(
    values: Sequence[float], warmup: int = 1, limit_pct: float = GROWTH_LIMIT_PCT
) -> Drift | None:
    """The drift of one series, its first ``warmup`` samples skipped; None if too short.

    It needs a baseline and at least one later sample.
    """
    kept = list(values[warmup:])
    if len(kept) < 2:
        return None
    baseline, last, maximum = kept[0], kept[-1], max(kept)
    growth = pct(last, baseline)
    return Drift(baseline, last, maximum, growth, pct(maximum, baseline), growth > limit_pct)


def drifts(
    samples: Sequence[Mapping[str, float]], warmup: int = 1, limit_pct: float = GROWTH_LIMIT_PCT
) -> dict[str, Drift]:
    """The drift of every series present in every sample (a process that died has a gap)."""
    if not samples:
        return {}
    names = set(samples[0]).intersection(*samples[1:])
    out = {}
    for name in sorted(names):
        result = drift([s[name] for s in samples], warmup, limit_pct)
        if result is not None:
            out[name] = result
    return out


def growth_per_registration(
    baseline: tuple[float, float], last: tuple[float, float], rate_per_s: float
) -> float | None:
    """What a series gained per registration offered between two ``(t_s, value)`` samples.

    Why: state kept by design (decisions live 90 days in Redis) grows with
    the registrations, not with time; a constant gain per registration is
    that design, a rising one a leak. None when no time passed.
    """
    elapsed = last[0] - baseline[0]
    if elapsed <= 0 or rate_per_s <= 0:
        return None
    return round((last[1] - baseline[1]) / (elapsed * rate_per_s), 3)
