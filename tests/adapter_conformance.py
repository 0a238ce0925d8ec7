"""Conformance suite for agency adapters: each client, wrapped as production wraps it.

Every adapter's client runs through :func:`adapters.kit.agency.build_agency` (cache,
breaker, concurrency limit, metrics) against its simulator over real HTTP,
with short timeouts and cool-downs. The simulator's ``/admin/requests``
counter tells how many HTTP requests really reached the agency, so "retried",
"not retried" and "not called at all" are checked, not assumed.

Subclasses provide ``simulator`` (a key of the ``urls`` fixture), ``agency``
(metrics label), ``make_client`` and the requests for each outcome.
"""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
import redis.asyncio as redis
from prometheus_client import CollectorRegistry

from adapters.kit.agency import Agency, build_agency
from adapters.kit.cache import AnswerCache, NoCache, RedisAnswerCache
from adapters.kit.http import AgencyHttp
from adapters.kit.metrics import AgencyMeter, AgencyMetrics
from adapters.kit.resilience import BREAKER_OPEN, AgencyClient
from adapters.kit.settings import AgencySettings, agency_config
from contracts.verification import CheckOutcome, VerificationRequested
from devstack.net import free_port
from runtime.at_rest import AtRest
from runtime.sealing import new_key
from runtime.settings import InfraSettings

READ_TIMEOUT = 0.3
ATTEMPTS = 3
COOLDOWN = 0.4


class ConformanceSettings(AgencySettings):
    """Short timeouts and cool-downs; a prefix no environment sets."""

    model_config = agency_config("CONFORMANCE_TEST_AGENCY_")


class Simulator:
    """The admin side of one simulator: faults and the request counter."""

    def __init__(self, base_url: str, http: aiohttp.ClientSession) -> None:
        self.base_url = base_url
        self._http = http

    async def faults(self, **settings: Any) -> None:
        async with self._http.post(self.base_url + "/admin/faults", json=settings) as resp:
            assert resp.status == 200, await resp.text()

    async def override(self, identifier: str, status: int | str, **settings: Any) -> None:
        await self.faults(overrides={identifier: {"status": status}}, **settings)

    async def reset(self) -> None:
        async with self._http.delete(self.base_url + "/admin/faults") as resp:
            assert resp.status == 200

    async def requests(self) -> int:
        async with self._http.get(self.base_url + "/admin/requests") as resp:
            return int((await resp.json())["requests"])


class AdapterConformance:
    """Inherit, set the class attributes and implement the request builders."""

    simulator: str
    agency: str
    make_client: Callable[[AgencyHttp], AgencyClient]

    def verified(self) -> VerificationRequested:
        raise NotImplementedError

    def not_found(self) -> VerificationRequested:
        raise NotImplementedError

    def invalid(self) -> VerificationRequested:
        raise NotImplementedError

    def mismatch(self) -> VerificationRequested | None:
        """A request the agency answers with differing fields; ``None`` if it has none."""
        return None

    def personal_values(self) -> list[str]:
        """Identifiers and names that must never appear in details, keys or metrics."""
        requests = [self.verified(), self.not_found()]
        return [v for r in requests for v in (r.identifier, r.full_name) if v]

    # ---- fixtures -------------------------------------------------------------------

    @pytest.fixture
    async def sim(self, urls: dict[str, str]) -> AsyncIterator[Simulator]:
        async with aiohttp.ClientSession() as http:
            simulator = Simulator(urls[self.simulator], http)
            await simulator.reset()
            try:
                yield simulator
            finally:
                await simulator.reset()

    @pytest.fixture
    async def make(self, sim: Simulator) -> AsyncIterator[Callable[..., Any]]:
        started: list[Agency] = []

        async def make(
            *,
            base_url: str | None = None,
            cache: Callable[[AgencyMeter], AnswerCache] | None = None,
            **settings: Any,
        ) -> Agency:
            values: dict[str, Any] = {
                "base_url": base_url or sim.base_url,
                "connect_timeout_seconds": READ_TIMEOUT,
                "read_timeout_seconds": READ_TIMEOUT,
                "attempts": ATTEMPTS,
                "backoff_base_seconds": 0.01,
                "breaker_failures": 2,
                "breaker_cooldown_seconds": COOLDOWN,
                "cache_ttl_seconds": 0,
                **settings,
            }
            metrics = AgencyMetrics(CollectorRegistry())
            agency = build_agency(
                self.agency,
                ConformanceSettings(**values),
                InfraSettings(),
                self.make_client,
                metrics=metrics,
                cache=(cache or (lambda meter: NoCache()))(metrics.meter(self.agency)),
            )
            await agency.start()
            started.append(agency)
            return agency

        yield make
        for agency in started:
            await agency.close()

    @staticmethod
    def sample(agency: Agency, name: str, **labels: str) -> float:
        value = agency.metrics.registry.get_sample_value(name, {"agency": agency.name, **labels})
        return value or 0.0

    def assert_no_personal_data(self, text: str) -> None:
        for value in self.personal_values():
            assert value not in text

    # ---- outcomes -------------------------------------------------------------------

    async def test_verified_in_one_request(self, make, sim):
        agency, before = await make(), await sim.requests()
        request = self.verified()
        answer = await agency.verifier.verify(request)
        assert answer.outcome is CheckOutcome.VERIFIED, answer.detail
        assert (answer.submission_id, answer.check) == (request.submission_id, request.check)
        assert await sim.requests() - before == 1

    async def test_not_found_is_not_retried(self, make, sim):
        agency, before = await make(), await sim.requests()
        answer = await agency.verifier.verify(self.not_found())
        assert answer.outcome is CheckOutcome.NOT_FOUND
        assert await sim.requests() - before == 1

    async def test_invalid_is_a_refusal_not_retried(self, make, sim):
        agency, before = await make(), await sim.requests()
        answer = await agency.verifier.verify(self.invalid())
        assert answer.outcome is CheckOutcome.INVALID
        assert await sim.requests() - before == 1

    # ---- a slow, failing or lying agency --------------------------------------------

    async def test_latency_under_the_read_timeout_is_still_verified(self, make, sim):
        agency = await make()
        await sim.faults(latency_ms=READ_TIMEOUT * 1000 / 3)
        answer = await agency.verifier.verify(self.verified())
        assert answer.outcome is CheckOutcome.VERIFIED

    async def test_hang_over_the_read_timeout_is_unavailable_after_retries(self, make, sim):
        agency, request = await make(), self.verified()
        await sim.override(request.identifier, "timeout", hang_ms=READ_TIMEOUT * 4000)
        before, started = await sim.requests(), time.monotonic()
        answer = await agency.verifier.verify(request)
        assert answer.outcome is CheckOutcome.UNAVAILABLE
        assert await sim.requests() - before == ATTEMPTS
        assert time.monotonic() - started >= ATTEMPTS * READ_TIMEOUT
        assert self.sample(agency, "insw_agency_http_requests_total", result="timeout") == ATTEMPTS

    async def test_5xx_is_retried_then_unavailable_and_other_records_unaffected(self, make, sim):
        agency, request = await make(breaker_failures=5), self.verified()
        await sim.override(request.identifier, 503)
        before = await sim.requests()
        answer = await agency.verifier.verify(request)
        assert answer.outcome is CheckOutcome.UNAVAILABLE
        assert await sim.requests() - before == ATTEMPTS
        assert answer.detail is not None
        self.assert_no_personal_data(answer.detail)
        other = await agency.verifier.verify(self.not_found())
        assert other.outcome is CheckOutcome.NOT_FOUND

    async def test_agency_down_is_unavailable(self, make):
        agency = await make(base_url=f"http://127.0.0.1:{free_port()}")
        answer = await agency.verifier.verify(self.verified())
        assert answer.outcome is CheckOutcome.UNAVAILABLE

    async def test_garbage_body_is_unavailable(self, make, sim):
        agency, request = await make(), self.verified()
        await sim.override(request.identifier, "malformed")
        answer = await agency.verifier.verify(request)
        assert answer.outcome is CheckOutcome.UNAVAILABLE
        assert answer.detail is not None
        self.assert_no_personal_data(answer.detail)

    async def test_breaker_opens_fails_fast_and_closes_after_cooldown(self, make, sim):
        agency, request = await make(), self.verified()
        await sim.override(request.identifier, 503)
        for _ in range(2):  # breaker_failures
            assert (await agency.verifier.verify(request)).outcome is CheckOutcome.UNAVAILABLE
        assert self.sample(agency, "insw_agency_breaker_state") == 2
        before, started = await sim.requests(), time.monotonic()
        for fast in (request, self.not_found()):
            answer = await agency.verifier.verify(fast)
            assert (answer.outcome, answer.detail) == (CheckOutcome.UNAVAILABLE, BREAKER_OPEN)
        assert time.monotonic() - started < READ_TIMEOUT
        assert await sim.requests() - before == 0
        await sim.reset()
        await asyncio.sleep(COOLDOWN)
        assert (await agency.verifier.verify(request)).outcome is CheckOutcome.VERIFIED
        assert await sim.requests() - before == 1
        assert self.sample(agency, "insw_agency_breaker_state") == 0

    # ---- cache and metrics ----------------------------------------------------------

    @pytest.fixture
    async def redis_cache(self, redis_url: str) -> AsyncIterator[tuple[str, redis.Redis]]:
        client = redis.Redis.from_url(redis_url)
        yield f"test:agency-cache:{uuid.uuid4().hex}", client
        await client.aclose()

    def cache(
        self, client: redis.Redis, prefix: str, at_rest: AtRest | None = None
    ) -> Callable[[AgencyMeter], AnswerCache]:
        ring = at_rest or AtRest([new_key()], b"index")

        def build(meter: AgencyMeter) -> AnswerCache:
            return RedisAnswerCache(
                client,
                agency=self.agency,
                secret=b"k",
                at_rest=ring,
                ttl_seconds=60,
                meter=meter,
                prefix=prefix,
            )

        return build

    async def test_factual_answers_are_cached_under_keyed_hashes(self, make, sim, redis_cache):
        prefix, client = redis_cache
        agency = await make(cache=self.cache(client, prefix))
        first = self.verified()
        again = first.model_copy(update={"submission_id": f"SUB-{uuid.uuid4().hex[:8]}"})
        answer = await agency.verifier.verify(first)
        before = await sim.requests()
        cached = await agency.verifier.verify(again)
        assert await sim.requests() == before
        assert cached.submission_id == again.submission_id
        assert cached.model_dump(exclude={"submission_id"}) == answer.model_dump(
            exclude={"submission_id"}
        )
        keys = [k.decode() async for k in client.scan_iter(f"{prefix}:*")]
        assert len(keys) == 1
        self.assert_no_personal_data(keys[0])
        assert 0 < await client.ttl(keys[0]) <= 60
        assert first.submission_id.encode() not in (await client.get(keys[0]) or b"")

    async def test_cached_values_hold_no_fact_in_clear_and_survive_a_key_rotation(
        self, make, sim, redis_cache
    ):
        """Issue 12: an OSS answer names responsible persons with their NIK; Redis must not."""
        prefix, client = redis_cache
        old_key, new_key_ = new_key(), new_key()
        agency = await make(cache=self.cache(client, prefix, AtRest([old_key], b"i")))
        answer = await agency.verifier.verify(self.verified())
        [key] = [k async for k in client.scan_iter(f"{prefix}:*")]
        value = (await client.get(key) or b"").decode()
        leaves = string_leaves(answer.model_dump(exclude={"submission_id"}, mode="json"))
        assert [leaf for leaf in leaves if len(leaf) >= 4 and leaf in value] == []
        rotated = await make(cache=self.cache(client, prefix, AtRest([new_key_, old_key], b"i")))
        before = await sim.requests()
        again = await rotated.verifier.verify(self.verified())
        assert await sim.requests() == before  # the old value still opens after rotation
        assert again.model_dump(exclude={"submission_id"}) == answer.model_dump(
            exclude={"submission_id"}
        )
        retired = await make(cache=self.cache(client, prefix, AtRest([new_key_], b"i")))
        await retired.verifier.verify(self.verified())
        assert await sim.requests() == before + 1  # a retired key's value is a miss, not a crash

    async def test_unavailable_and_invalid_are_never_cached(self, make, sim, redis_cache):
        prefix, client = redis_cache
        agency = await make(cache=self.cache(client, prefix), breaker_failures=5)
        request = self.verified()
        await sim.override(request.identifier, 503)
        assert (await agency.verifier.verify(request)).outcome is CheckOutcome.UNAVAILABLE
        await sim.reset()
        assert (await agency.verifier.verify(self.invalid())).outcome is CheckOutcome.INVALID
        assert [k async for k in client.scan_iter(f"{prefix}:*")] == []
        before = await sim.requests()
        assert (await agency.verifier.verify(request)).outcome is CheckOutcome.VERIFIED
        assert await sim.requests() - before == 1

    async def test_redis_unreachable_skips_the_cache(self, make):
        dead = redis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")
        agency = await make(cache=self.cache(dead, "test:dead"))
        try:
            for _ in range(2):
                answer = await agency.verifier.verify(self.verified())
                assert answer.outcome is CheckOutcome.VERIFIED
        finally:
            await dead.aclose()
        assert self.sample(agency, "insw_agency_cache_total", result="error") >= 1
        assert self.sample(agency, "insw_agency_cache_total", result="hit") == 0

    async def test_metrics_endpoint_exposes_the_agency_series(self, make):
        port = free_port()
        agency = await make(metrics_port=port)
        await agency.verifier.verify(self.verified())
        await agency.verifier.verify(self.not_found())
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/metrics") as resp,
        ):
            assert resp.status == 200
            body = await resp.text()
        label = f'agency="{self.agency}"'
        for line in (
            f"insw_agency_verifications_total{{{label}}} 2.0",
            f'insw_agency_outcomes_total{{{label},outcome="VERIFIED"}} 1.0',
            f'insw_agency_outcomes_total{{{label},outcome="NOT_FOUND"}} 1.0',
            f"insw_agency_latency_seconds_count{{{label}}} 2.0",
            f"insw_agency_breaker_state{{{label}}} 0.0",
        ):
            assert line in body.splitlines(), line
        assert f"insw_agency_http_requests_total{{{label}," in body
        self.assert_no_personal_data(body)


class MismatchConformance(AdapterConformance):
    """For agencies that answer MISMATCH (Dukcapil's match flags): their suite adds this."""

    async def test_mismatch_names_fields_not_values(self, make):
        request = self.mismatch()
        assert request is not None
        answer = await (await make()).verifier.verify(request)
        assert answer.outcome is CheckOutcome.MISMATCH
        assert answer.detail is not None and answer.detail.startswith("differs: ")
        self.assert_no_personal_data(answer.detail)
        assert request.full_name is None or request.full_name not in answer.detail


def string_leaves(value: Any) -> list[str]:
    """Every string inside a JSON-like value: what a raw cache value would show."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in string_leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in string_leaves(item)]
    return []
