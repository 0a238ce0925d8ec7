"""An agency client wrapped in the hub's resilience policy: cache, breaker, limit, taxonomy.

Why one wrapper: every adapter's client only maps its agency's wire format to
an answer (or raises :class:`AgencyUnavailable`); what to do when the agency
is slow, down or lying is decided here once, the same for every agency.

Order of a verification:

1. cache hit -> the cached facts, re-stamped with this submission id;
2. breaker open -> ``UNAVAILABLE`` at once, no HTTP call;
3. wait for a concurrency slot; ask the agency (timeouts and retries inside);
4. the agency answered -> breaker success, cache a factual outcome;
   no usable answer -> breaker failure, ``UNAVAILABLE``.

The outcome taxonomy: ``VERIFIED``, ``MISMATCH`` (``detail`` names the fields
that differ, never values), ``NOT_FOUND``, ``INVALID`` (the agency refused the
request, 4xx), ``UNAVAILABLE`` (retry budget spent, breaker open, garbage
body). ``UNAVAILABLE`` is never cached; the gateway refers it to an officer.
"""

import asyncio
import time
from typing import Protocol

from adapters.kit.breaker import CircuitBreaker
from adapters.kit.cache import AnswerCache
from adapters.kit.http import AgencyUnavailable
from adapters.kit.metrics import AgencyMeter
from contracts.agencies import answer_for
from contracts.verification import AgencyAnswer, CheckOutcome, VerificationRequested

BREAKER_OPEN = "circuit open: the agency failed repeatedly; not called"


class AgencyClient(Protocol):
    """What an adapter must provide: one agency, one question."""

    check: str

    async def verify(self, request: VerificationRequested) -> AgencyAnswer:
        """Ask the agency; raise AgencyUnavailable when it cannot answer."""


def unavailable(request: VerificationRequested, detail: str) -> AgencyAnswer:
    """The answer when the agency could not be asked or gave no usable answer."""
    return answer_for(request, outcome=CheckOutcome.UNAVAILABLE, detail=detail)


class ResilientAgency:
    """Answers every request, never raising for an agency's failure (see module doc)."""

    def __init__(
        self,
        client: AgencyClient,
        *,
        breaker: CircuitBreaker,
        cache: AnswerCache,
        meter: AgencyMeter,
        concurrency: int,
    ) -> None:
        self.check = client.check
        self._client = client
        self._breaker = breaker
        self._cache = cache
        self._meter = meter
        self._limit = asyncio.Semaphore(concurrency)

    async def verify(self, request: VerificationRequested) -> AgencyAnswer:
        """The agency's answer to ``request``, from the cache or the agency, or UNAVAILABLE."""
        self._meter.verification()
        answer = await self._cache.get(request)
        if answer is None:
            answer = await self._ask(request)
        self._meter.outcome(answer.outcome)
        return answer

    async def _ask(self, request: VerificationRequested) -> AgencyAnswer:
        if self._breaker.rejects_now():  # fail fast without queueing behind the limit
            return unavailable(request, BREAKER_OPEN)
        async with self._limit:
            if not self._breaker.allow():
                return unavailable(request, BREAKER_OPEN)
            started = time.perf_counter()
            agency_answered = False
            try:
                answer = await self._client.verify(request)
                agency_answered = answer.outcome is not CheckOutcome.UNAVAILABLE
            except AgencyUnavailable as error:
                answer = unavailable(request, str(error))
            finally:  # cancellation counts as a failure, so a half-open trial is never lost
                if agency_answered:
                    self._breaker.succeeded()
                else:
                    self._breaker.failed()
                self._meter.latency(time.perf_counter() - started)
        if agency_answered:
            await self._cache.put(request, answer)
        return answer
