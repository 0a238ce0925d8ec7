"""One agency as an adapter process holds it: HTTP pool, breaker, cache, metrics.

Why here and not in each adapter: the assembly is identical for every agency,
so an adapter's composition root is three lines, and a fifth agency gets the
same resilience by construction. Nothing connects until :meth:`start`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web
from prometheus_client import CollectorRegistry

from adapters.kit.breaker import CircuitBreaker
from adapters.kit.cache import AnswerCache, redis_answer_cache
from adapters.kit.http import AgencyHttp
from adapters.kit.metrics import AgencyMetrics, serve_metrics
from adapters.kit.resilience import AgencyClient, ResilientAgency
from adapters.kit.settings import AgencySettings
from runtime.settings import InfraSettings


@dataclass
class Agency:
    """The parts of one agency connection, started and closed together."""

    name: str
    settings: AgencySettings
    http: AgencyHttp
    cache: AnswerCache
    metrics: AgencyMetrics
    verifier: ResilientAgency
    _metrics_server: web.AppRunner | None = field(default=None, init=False)

    async def start(self) -> None:
        """Open the HTTP pool; serve ``/metrics`` when a metrics port is set."""
        await self.http.start()
        if self.settings.metrics_port:
            self._metrics_server = await serve_metrics(
                self.metrics.registry, self.settings.metrics_host, self.settings.metrics_port
            )

    async def close(self) -> None:
        """Close the HTTP pool, the cache connections and the metrics endpoint."""
        await self.http.close()
        await self.cache.close()
        if self._metrics_server is not None:
            await self._metrics_server.cleanup()
            self._metrics_server = None


def build_agency(
    name: str,
    settings: AgencySettings,
    infra: InfraSettings,
    make_client: Callable[[AgencyHttp], AgencyClient],
    *,
    metrics: AgencyMetrics | None = None,
    cache: AnswerCache | None = None,
) -> Agency:
    """Assemble agency ``name`` (a metrics label: ``oss``, ``djp``, ...) from its settings.

    ``metrics`` defaults to families in a fresh registry (a process runs one
    adapter); ``cache`` defaults to Redis at ``infra.redis_url`` with the
    agency's TTL, its values sealed with ``infra``'s at-rest key ring. Tests pass
    their own of both.
    """
    metrics = metrics or AgencyMetrics(CollectorRegistry())
    meter = metrics.meter(name)
    http = AgencyHttp(settings.base_url, settings.http_policy(), on_attempt=meter.http_attempt)
    if cache is None:
        cache = redis_answer_cache(
            infra,
            agency=name,
            secret=settings.cache_key_secret(development=infra.development),
            ttl_seconds=settings.cache_ttl_seconds,
            meter=meter,
        )
    breaker = CircuitBreaker(
        failures=settings.breaker_failures,
        cooldown=settings.breaker_cooldown_seconds,
        on_change=meter.breaker,
    )
    verifier = ResilientAgency(
        make_client(http),
        breaker=breaker,
        cache=cache,
        meter=meter,
        concurrency=settings.concurrency,
    )
    return Agency(name, settings, http, cache, metrics, verifier)
