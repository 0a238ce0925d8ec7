"""``python -m bench --soak SECONDS``: the hub at a steady rate, its memory sampled.

Why: issue 15 asks that the RSS of every hub process and Redis's size stay
flat over ten minutes at half load. The soak warms the hub up, measures a
short full load (unless ``--soak-rate`` gives the rate), then offers half of
that rate, open-loop, for ``SECONDS``, while :mod:`bench.memory` samples every
``--soak-interval`` seconds. The decisions are checked like any phase's.
"""

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import redis.asyncio as redis

from bench.memory import drifts, growth_per_registration, process_sample
from bench.perreg import DRIVER
from bench.phases import PhaseReport, Target, run_phase, say

REDIS_KEYS = "redis keys (DBSIZE)"
REDIS_MEMORY = "redis used_memory bytes"


async def redis_sample(url: str) -> dict[str, int]:
    """Redis's key count and ``used_memory``; empty when Redis does not answer."""
    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        keys = int(await client.dbsize())
        memory = int((await client.info("memory"))["used_memory"])
    except (redis.RedisError, OSError, KeyError) as error:
        say(f"could not sample Redis: {error!r}")
        return {}
    finally:
        await client.aclose()
    return {REDIS_KEYS: keys, REDIS_MEMORY: memory}


def key_family(key: bytes) -> str:
    """A key's family: its name up to the last ``:`` (ids and hashes left out), for sizing."""
    text = key.decode(errors="replace")
    return text.rsplit(":", 1)[0] + ":*" if ":" in text else text


SAMPLED_KEYS = 20
"""Keys per family whose TTL and memory are read: enough to size, cheap on a big Redis."""


async def key_families(url: str) -> dict[str, dict[str, Any]]:
    """Per key family: keys, TTLs seen (days; ``none`` = no expiry), mean bytes (sampled).

    SCAN, so Redis keeps serving; TTL and ``MEMORY USAGE`` for the first
    :data:`SAMPLED_KEYS` keys of each family only.
    """
    client = redis.Redis.from_url(url, socket_timeout=5)
    found: dict[str, dict[str, Any]] = {}
    sizes: dict[str, list[int]] = {}
    try:
        async for key in client.scan_iter(count=1000):
            name = key_family(key)
            family = found.setdefault(name, {"keys": 0, "ttl_days_sampled": []})
            family["keys"] += 1
            if family["keys"] <= SAMPLED_KEYS:
                ttl = int(await client.ttl(key))
                days = "none" if ttl == -1 else round(ttl / 86400, 1)
                if ttl != -2 and days not in family["ttl_days_sampled"]:
                    family["ttl_days_sampled"].append(days)
                sizes.setdefault(name, []).append(int(await client.memory_usage(key) or 0))
    except (redis.RedisError, OSError) as error:
        say(f"could not scan Redis: {error!r}")
    finally:
        await client.aclose()
    for name, family in found.items():
        sampled = sizes.get(name) or [0]
        family["bytes_per_key_sampled"] = round(sum(sampled) / len(sampled))
    return dict(sorted(found.items(), key=lambda item: -int(item[1]["keys"])))


class Sampler:
    """Samples the hub's memory every ``interval`` seconds until :meth:`stop`."""

    def __init__(
        self, pids: Mapping[str, int], redis_url: str, interval: float, rate_per_s: float
    ) -> None:
        self.rate_per_s = rate_per_s
        self.pids = {k: v for k, v in pids.items() if k != DRIVER}  # the load, not the hub
        self.redis_url = redis_url
        self.interval = interval
        self.samples: list[dict[str, Any]] = []
        self._began = time.monotonic()

    async def take(self) -> None:
        """One sample now: seconds since the start and every series' value."""
        values: dict[str, float] = dict(process_sample(self.pids))
        values |= await redis_sample(self.redis_url)
        elapsed = round(time.monotonic() - self._began, 1)
        self.samples.append({"t_s": elapsed, "values": values})
        say(f"soak: memory sample at {elapsed:.0f} s")

    async def run(self, done: asyncio.Event) -> None:
        """Sample at 0, interval, 2 x interval... while the load runs, and once after it."""
        self._began = time.monotonic()
        while not done.is_set():
            await self.take()
            try:
                await asyncio.wait_for(done.wait(), self.interval)
            except TimeoutError:
                continue
        last = self.samples[-1]["t_s"] if self.samples else 0.0
        if time.monotonic() - self._began - last >= self.interval / 2:
            await self.take()

    def summary(self) -> dict[str, Any]:
        """The samples and every series' drift from the first sample after warm-up."""
        found = drifts([s["values"] for s in self.samples])
        per_registration = {}
        if len(self.samples) >= 3:
            first, last = self.samples[1], self.samples[-1]
            for name in (REDIS_KEYS, REDIS_MEMORY):
                if name in first["values"] and name in last["values"]:
                    per_registration[name] = growth_per_registration(
                        (first["t_s"], first["values"][name]),
                        (last["t_s"], last["values"][name]),
                        self.rate_per_s,
                    )
        return {
            "interval_s": self.interval,
            "rate_per_s": self.rate_per_s,
            "samples": self.samples,
            "drift": {name: d.as_dict() for name, d in found.items()},
            "flagged": sorted(name for name, d in found.items() if d.flagged),
            "redis_growth_per_registration_offered": per_registration,
        }


async def soak(
    target: Target,
    run_id: str,
    *,
    seconds: float,
    rate_per_s: float,
    redis_url: str,
    interval: float,
) -> PhaseReport:
    """Offer ``rate_per_s`` for ``seconds`` while sampling memory; the phase's report."""
    sampler = Sampler(target.pids(), redis_url, interval, rate_per_s)
    count = max(1, round(seconds * rate_per_s))
    report = await run_phase(target, run_id, "soak", count, rate_per_s, beside=sampler.run)
    report.figures["memory"] = sampler.summary()
    report.figures["memory"]["redis_key_families"] = await key_families(redis_url)
    return report
