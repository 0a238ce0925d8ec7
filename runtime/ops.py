"""``/health``, ``/ready`` and ``/metrics`` for every service, on its HTTP port or a small one.

Why: an orchestrator must tell "the process is up" (health: restart it if
not) from "it can do its work" (ready: send it nothing until it can), and
Prometheus must find the hub's metrics in one place per process.

* ``GET /health``: 200 while the process serves HTTP.
* ``GET /ready``: 200 when every dependency answers (Kafka broker, Redis),
  else 503 with an RFC 9457 problem naming each failing dependency and why.
  Each check is bounded by :data:`CHECK_TIMEOUT_S`, and the answer is cached
  for :data:`CACHE_S`, so a probe storm cannot become a Redis or broker storm.
* ``GET /metrics``: the Prometheus text of :data:`runtime.metrics.REGISTRY`
  and any registry the service adds (the agency kit's).

``/ready`` and ``/metrics`` are rate limited per client address
(:data:`OPS_LIMIT`, 429 problem with ``Retry-After``): on a public port
(intake's) they are public endpoints too. The count is held in the process,
not in Redis, so that ``/ready`` still answers while Redis is down.

Services with an HTTP app add the routes to it (:func:`add_routes`); the
others serve them on ``OPS_PORT`` when it is set (:func:`serve`).
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field

from aiohttp import web
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from redis.asyncio import Redis

from runtime import metrics
from runtime.rate_limit import RateLimits

log = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 1.0
"""Longest one dependency check may take: a probe answers within its own timeout."""
CACHE_S = 1.5
"""How long a readiness answer is reused."""
OPS = "ops"
OPS_LIMIT = "300/minute"
"""Per client address: a probe every second and a scrape every few seconds fit many times."""

Check = Callable[[], Awaitable[object]]
"""Raises (or times out) when its dependency does not answer."""
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
LIMITED_PATHS = frozenset({"/ready", "/metrics"})


@dataclass
class Readiness:
    """Whether every dependency answers, checked concurrently, bounded and cached."""

    checks: Mapping[str, Check]
    timeout_s: float = CHECK_TIMEOUT_S
    cache_s: float = CACHE_S
    clock: Callable[[], float] = time.monotonic
    _last: tuple[float, dict[str, str]] | None = field(default=None, init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    async def failures(self) -> dict[str, str]:
        """``{dependency: why}`` for each one that did not answer; empty when ready."""
        async with self._lock:  # concurrent probes share one round of checks
            if self._last is not None and self.clock() - self._last[0] < self.cache_s:
                return self._last[1]
            results = await asyncio.gather(*(self._run(c) for c in self.checks.values()))
            failed = {
                name: why for name, why in zip(self.checks, results, strict=True) if why is not None
            }
            self._last = (self.clock(), failed)
            metrics.READY.set(0 if failed else 1)
            return failed

    async def _run(self, check: Check) -> str | None:
        try:
            await asyncio.wait_for(check(), self.timeout_s)
        except TimeoutError:
            return f"no answer within {self.timeout_s:g}s"
        except Exception as error:  # the class only: a message may quote a URL
            return f"{type(error).__name__}"
        return None


def redis_check(redis: Redis) -> Check:
    """PING on ``redis`` (a client of the service's own, with short socket timeouts)."""

    async def ping() -> object:
        return await redis.ping()

    return ping


def readiness_redis(url: str) -> Redis:
    """A small client for readiness checks only: a stuck pool elsewhere does not hide Redis."""
    return Redis.from_url(
        url,
        socket_connect_timeout=CHECK_TIMEOUT_S,
        socket_timeout=CHECK_TIMEOUT_S,
        max_connections=2,
    )


KEY: web.AppKey["Ops"] = web.AppKey("ops")


@dataclass
class Ops:
    """What the three endpoints answer from."""

    readiness: Readiness
    registries: Iterable[CollectorRegistry] = (metrics.REGISTRY,)
    limits: RateLimits = field(default_factory=lambda: RateLimits.in_memory({OPS: OPS_LIMIT}))


async def health(_: web.Request) -> web.Response:
    """``GET /health``: the process serves HTTP."""
    return web.json_response({"status": "ok"})


@web.middleware
async def _limited(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse ``/ready`` and ``/metrics`` past :data:`OPS_LIMIT` for one client address."""
    if request.path not in LIMITED_PATHS or KEY not in request.app:
        return await handler(request)
    verdict = await request.app[KEY].limits.hit(OPS, request.remote or "unknown")
    if verdict.allowed:
        return await handler(request)
    return web.json_response(
        {
            "type": "https://insw.go.id/problems/rate-limited",
            "title": "Too many requests",
            "status": 429,
            "detail": f"{request.path}: at most {OPS_LIMIT} per client address",
        },
        status=429,
        content_type="application/problem+json",
        headers={"Retry-After": str(verdict.retry_after_seconds)},
    )


async def ready(request: web.Request) -> web.Response:
    """``GET /ready``: 200, or 503 with a problem naming each dependency that does not answer."""
    failed = await request.app[KEY].readiness.failures()
    if not failed:
        return web.json_response({"status": "ready"})
    detail = "; ".join(f"{name}: {why}" for name, why in sorted(failed.items()))
    return web.json_response(
        {
            "type": "https://insw.go.id/problems/not-ready",
            "title": "Not ready",
            "status": 503,
            "detail": detail,
            "unavailable": failed,
        },
        status=503,
        content_type="application/problem+json",
        headers={"Retry-After": "2"},
    )


async def prometheus(request: web.Request) -> web.Response:
    """``GET /metrics``: every registry's series in the Prometheus text format."""
    body = b"".join(generate_latest(r) for r in request.app[KEY].registries)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def add_routes(app: web.Application, ops: Ops) -> None:
    """Add ``/health``, ``/ready`` and ``/metrics`` to a service's HTTP ``app``."""
    app[KEY] = ops
    app.middlewares.append(_limited)
    taken = {r.resource.canonical for r in app.router.routes() if r.resource is not None}
    for path, handler in (("/health", health), ("/ready", ready), ("/metrics", prometheus)):
        if path not in taken:  # a service's own /health (notifier, customs) stays
            app.router.add_get(path, handler)


async def serve(ops: Ops, host: str, port: int) -> web.AppRunner:
    """Serve the three endpoints on ``host:port`` (a service without HTTP); clean up the runner."""
    app = web.Application()
    add_routes(app, ops)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("health, readiness and metrics on %s:%d", host, port)
    return runner
