"""Per-agency metrics in the Prometheus text format, and the ``/metrics`` endpoint.

Why: "the agency is slow" and "the breaker is open" must be visible before
applicants notice REFERRED decisions. Every series carries an ``agency``
label; no label ever holds an identifier, a name or a URL, only fixed
vocabularies (outcome, HTTP result class, cache result).

Series (``agency`` label on all):

* ``insw_agency_verifications_total``: verification requests handled;
* ``insw_agency_outcomes_total{outcome}``: answers by ``CheckOutcome``;
* ``insw_agency_http_requests_total{result}``: HTTP attempts (retries
  included) by ``2xx``/``3xx``/``4xx``/``5xx``/``timeout``/``error``;
* ``insw_agency_latency_seconds``: histogram of verifications that went to
  the agency (cache hits and fail-fast answers excluded);
* ``insw_agency_breaker_state``: 0 closed, 1 half-open, 2 open;
* ``insw_agency_cache_total{result}``: ``hit``, ``miss``, ``error``
  (Redis unreachable: the cache was skipped).
"""

from dataclasses import dataclass

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from adapters.kit.breaker import BreakerState

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class AgencyMetrics:
    """The metric families of one process, registered once in ``registry``."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        labels = ["agency"]
        self.verifications = Counter(
            "insw_agency_verifications", "Verification requests handled", labels, registry=registry
        )
        self.outcomes = Counter(
            "insw_agency_outcomes", "Answers by outcome", [*labels, "outcome"], registry=registry
        )
        self.http_requests = Counter(
            "insw_agency_http_requests",
            "HTTP attempts to the agency, retries included",
            [*labels, "result"],
            registry=registry,
        )
        self.latency = Histogram(
            "insw_agency_latency_seconds",
            "Time of verifications that went to the agency",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.breaker = Gauge(
            "insw_agency_breaker_state", "0 closed, 1 half-open, 2 open", labels, registry=registry
        )
        self.cache = Counter(
            "insw_agency_cache", "Cache look-ups by result", [*labels, "result"], registry=registry
        )

    def meter(self, agency: str) -> "AgencyMeter":
        """The recording side for one agency (label bound once)."""
        return AgencyMeter(self, agency)


@dataclass(frozen=True)
class AgencyMeter:
    """Records one agency's events; every method is cheap and never raises."""

    metrics: AgencyMetrics
    agency: str

    def verification(self) -> None:
        """One verification request arrived."""
        self.metrics.verifications.labels(self.agency).inc()

    def outcome(self, outcome: str) -> None:
        """One answer left with ``outcome``."""
        self.metrics.outcomes.labels(self.agency, outcome).inc()

    def http_attempt(self, result: str) -> None:
        """One HTTP attempt ended with ``result`` (status class or failure kind)."""
        self.metrics.http_requests.labels(self.agency, result).inc()

    def latency(self, seconds: float) -> None:
        """One verification spent ``seconds`` at the agency (retries included)."""
        self.metrics.latency.labels(self.agency).observe(seconds)

    def breaker(self, state: BreakerState) -> None:
        """The breaker moved to ``state``."""
        self.metrics.breaker.labels(self.agency).set(int(state))

    def cache(self, result: str) -> None:
        """One cache look-up or write ended with ``hit``, ``miss`` or ``error``."""
        self.metrics.cache.labels(self.agency, result).inc()


async def serve_metrics(registry: CollectorRegistry, host: str, port: int) -> web.AppRunner:
    """Serve ``GET /metrics`` for ``registry`` on ``host:port``; clean up the returned runner."""

    async def metrics(request: web.Request) -> web.Response:
        return web.Response(
            body=generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
