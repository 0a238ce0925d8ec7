"""Cache keys, backoff with jitter, and the resilient wrapper, without a network."""

import asyncio

import pytest
from prometheus_client import CollectorRegistry

from adapters.kit.breaker import CircuitBreaker
from adapters.kit.cache import NoCache, cache_key
from adapters.kit.http import AgencyHttp, AgencyUnavailable, HttpPolicy
from adapters.kit.metrics import AgencyMetrics
from adapters.kit.resilience import ResilientAgency
from adapters.kit.settings import AgencySettings, agency_config
from contracts.verification import AgencyAnswer, Check, CheckOutcome, VerificationRequested
from runtime.secrets import InsecureSecret
from tests.support import agency_answer

NIK, NAME = "3171010101900001", "Budi Santoso"


def ask(sid: str = "SUB-1", name: str | None = NAME) -> VerificationRequested:
    return VerificationRequested(submission_id=sid, check=Check.NIK, identifier=NIK, full_name=name)


def test_cache_key_is_a_keyed_hash_of_identifier_and_name():
    key = cache_key(b"secret", ask())
    assert len(key) == 64 and NIK not in key
    assert key == cache_key(b"secret", ask(sid="SUB-2"))  # the submission id is not part of it
    assert key != cache_key(b"other", ask())
    assert key != cache_key(b"secret", ask(name="Budi Santosa"))


def test_cache_secret_from_settings_and_refused_when_unset_outside_development(monkeypatch):
    """Issue 12: the old default was derived from public addresses, so anyone could compute it."""

    class Settings(AgencySettings):
        model_config = agency_config("UNIT_TEST_AGENCY_")

    monkeypatch.delenv("AGENCY_CACHE_SECRET", raising=False)
    with pytest.raises(InsecureSecret, match="AGENCY_CACHE_SECRET is not set"):
        Settings(base_url="http://x").cache_key_secret(development=False)
    stand_in = Settings(base_url="http://x").cache_key_secret(development=True)
    monkeypatch.setenv("AGENCY_CACHE_SECRET", stand_in.decode())
    with pytest.raises(InsecureSecret, match="well-known"):
        Settings(base_url="http://x").cache_key_secret(development=False)
    monkeypatch.setenv("AGENCY_CACHE_SECRET", "s3cret")
    assert Settings(base_url="http://x").cache_key_secret(development=False) == b"s3cret"


async def test_backoff_is_exponential_with_jitter_and_bounded(monkeypatch):
    delays: list[tuple[float, float]] = []

    def uniform(low: float, high: float) -> float:
        delays.append((low, high))
        return low

    async def no_sleep(seconds: float) -> None:
        return None

    monkeypatch.setattr("adapters.kit.http.random.uniform", uniform)
    monkeypatch.setattr("adapters.kit.http.asyncio.sleep", no_sleep)
    attempts: list[str] = []
    # Port 9 (discard) on loopback: refused at once, no network beyond this machine.
    http = AgencyHttp(
        "http://127.0.0.1:9", HttpPolicy(attempts=4, backoff_base=0.1), on_attempt=attempts.append
    )
    await http.start()
    try:
        with pytest.raises(AgencyUnavailable, match="4 attempts failed"):
            await http.call("GET", "/x")
    finally:
        await http.close()
    assert delays == [(0.1, 0.2), (0.2, 0.4), (0.4, 0.8)]
    assert attempts == ["error"] * 4


class FlakyClient:
    check: str = Check.NIK

    def __init__(self) -> None:
        self.calls = 0
        self.fail = True

    async def verify(self, request: VerificationRequested) -> AgencyAnswer:
        self.calls += 1
        await asyncio.sleep(0)
        if self.fail:
            raise AgencyUnavailable("3 attempts failed, last: HTTP 503")
        return agency_answer(
            submission_id=request.submission_id, check=self.check, outcome=CheckOutcome.VERIFIED
        )


async def test_wrapper_never_raises_and_counts_outcomes():
    metrics = AgencyMetrics(CollectorRegistry())
    client = FlakyClient()
    agency = ResilientAgency(
        client,
        breaker=CircuitBreaker(failures=1, cooldown=60),
        cache=NoCache(),
        meter=metrics.meter("dukcapil"),
        concurrency=1,
    )
    first, second = await agency.verify(ask()), await agency.verify(ask())
    assert first.outcome is second.outcome is CheckOutcome.UNAVAILABLE
    assert client.calls == 1  # the breaker opened after one failure
    labels = {"agency": "dukcapil", "outcome": "UNAVAILABLE"}
    assert metrics.registry.get_sample_value("insw_agency_outcomes_total", labels) == 2
