"""Agency answers cached in Redis, under keyed hashes, for a TTL per agency.

Why: the same NIB is asked about by every applicant of one company, and an
agency's answer does not change from one minute to the next. A cached
answer spares the agency a call and survives a short outage of it.

Rules:

* Only ``VERIFIED``, ``MISMATCH`` and ``NOT_FOUND`` are cached: they are facts
  about the identifier. ``INVALID`` is about a request, and ``UNAVAILABLE``
  is about the agency's health: caching it would keep referring applicants
  after the agency recovers.
* The key is ``HMAC-SHA256(secret, check, identifier, full name)``, never the
  identifier itself: a NIK is guessable from its structure, so a plain hash
  would not protect it. The name is part of the question Dukcapil answers,
  so it is part of the key.
* The value is the agency's facts without the submission id, sealed with the
  hub's at-rest key ring (:mod:`runtime.at_rest`): an OSS answer names the
  responsible persons with their NIK, so a raw value would hand out personal
  data to anyone reading Redis. A hit is re-stamped with the id of the
  submission asking now; a value that no longer opens (its key was retired
  from the ring) is a miss.
* Redis unreachable is not a verification failure: the cache is skipped
  (logged once per outage, counted as ``error``) and retried after a pause.
"""

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, Protocol, TypeVar

import redis.asyncio as redis
from redis.exceptions import RedisError

from adapters.kit.metrics import AgencyMeter
from contracts.agencies import answer_for
from contracts.verification import AgencyAnswer, CheckOutcome, VerificationRequested
from runtime.at_rest import AtRest
from runtime.sealing import SealBroken
from runtime.settings import InfraSettings

CACHEABLE = frozenset({CheckOutcome.VERIFIED, CheckOutcome.MISMATCH, CheckOutcome.NOT_FOUND})
SKIP_AFTER_ERROR_S = 5.0
"""After a Redis failure, verifications skip the cache this long instead of waiting on it."""

log = logging.getLogger(__name__)
ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")


class AnswerCache(Protocol):
    """Where an agency's answers are kept between requests."""

    async def get(self, request: VerificationRequested) -> AgencyAnswer | None:
        """The cached answer to ``request``, stamped with its submission id, or ``None``."""

    async def put(self, request: VerificationRequested, answer: AgencyAnswer) -> None:
        """Keep ``answer`` if its outcome is cacheable; never raise."""

    async def close(self) -> None:
        """Release connections."""


class NoCache:
    """The cache when caching is off (TTL 0): every request goes to the agency."""

    async def get(self, request: VerificationRequested) -> AgencyAnswer | None:
        """Never a hit."""
        return None

    async def put(self, request: VerificationRequested, answer: AgencyAnswer) -> None:
        """Keep nothing."""

    async def close(self) -> None:
        """Nothing to release."""


def cache_key(secret: bytes, request: VerificationRequested) -> str:
    """The keyed hash naming ``request``'s answer: no identifier or name can be read from it."""
    message = "\x1f".join((request.check, request.identifier, request.full_name or ""))
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


class Coalesced(Generic[ItemT, ResultT]):
    """Calls made in one event-loop turn, sent to Redis as one command or pipeline.

    Why: an adapter handles a whole batch at once (one task per request), so
    its cache look-ups (and, against a quick agency, its writes) come
    together; one round trip per turn instead of one per request saves most
    of the Redis client's CPU per verification and a pooled connection per
    request in flight. ``send`` answers the items in order; its failure
    reaches every call of the turn.
    """

    def __init__(self, send: Callable[[Sequence[ItemT]], Awaitable[list[ResultT]]]) -> None:
        self._send = send
        self._queued: list[tuple[ItemT, asyncio.Future[ResultT]]] = []
        self._sending: set[asyncio.Task[None]] = set()

    async def submit(self, item: ItemT) -> ResultT:
        """``item``'s answer, once the turn's command has been sent."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[ResultT] = loop.create_future()
        self._queued.append((item, future))
        if len(self._queued) == 1:  # the first of this turn: send once the others are queued
            loop.call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        queued, self._queued = self._queued, []
        task = asyncio.ensure_future(self._deliver(queued))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _deliver(self, queued: list[tuple[ItemT, "asyncio.Future[ResultT]"]]) -> None:
        try:
            results = await self._send([item for item, _ in queued])
        except (RedisError, OSError) as error:
            for _, future in queued:
                if not future.done():
                    future.set_exception(error)
            return
        except BaseException:  # cancelled: the callers must not wait forever
            for _, future in queued:
                future.cancel()
            raise
        for (_, future), result in zip(queued, results, strict=True):
            if not future.done():
                future.set_result(result)


class RedisAnswerCache:
    """:class:`AnswerCache` in Redis; keys ``{prefix}:{agency}:{hmac}`` expire after ``ttl``."""

    def __init__(
        self,
        client: "redis.Redis",
        *,
        agency: str,
        secret: bytes,
        at_rest: AtRest,
        ttl_seconds: int,
        meter: AgencyMeter,
        prefix: str = "insw:agency-answer:v1",
    ) -> None:
        self._redis = client
        self._at_rest = at_rest
        self._agency = agency
        self._secret = secret
        self._ttl = ttl_seconds
        self._meter = meter
        self._prefix = prefix
        self._skip_until = 0.0
        self._reads = Coalesced[str, bytes | str | None](self._mget)
        self._writes = Coalesced[tuple[str, bytes], None](self._set_all)

    def _key(self, request: VerificationRequested) -> str:
        return f"{self._prefix}:{self._agency}:{cache_key(self._secret, request)}"

    async def get(self, request: VerificationRequested) -> AgencyAnswer | None:
        """The cached answer, re-stamped with ``request``'s submission id; ``None`` on a miss."""
        if time.monotonic() < self._skip_until:
            self._meter.cache("error")
            return None
        try:
            raw = await self._reads.submit(self._key(request))
        except (RedisError, OSError) as error:
            self._unreachable(error)
            return None
        self._recovered()
        facts = None if raw is None else self._open(raw)
        if facts is None:
            self._meter.cache("miss")
            return None
        self._meter.cache("hit")
        return answer_for(request, **facts)

    async def put(self, request: VerificationRequested, answer: AgencyAnswer) -> None:
        """Keep a cacheable answer, without its submission id, for the TTL."""
        if answer.outcome not in CACHEABLE or time.monotonic() < self._skip_until:
            return
        facts = answer.model_dump_json(
            exclude={"submission_id", "request_id", "check", "identifier"}, exclude_none=True
        )
        try:
            await self._writes.submit((self._key(request), self._at_rest.seal(facts)))
        except (RedisError, OSError) as error:
            self._unreachable(error)

    async def _mget(self, keys: Sequence[str]) -> list[bytes | str | None]:
        return list(await self._redis.mget(keys))

    async def _set_all(self, items: Sequence[tuple[str, bytes]]) -> list[None]:
        pipe = self._redis.pipeline(transaction=False)
        for key, value in items:
            pipe.set(key, value, ex=self._ttl)
        await pipe.execute()
        return [None] * len(items)

    async def close(self) -> None:
        """Close the Redis connection pool."""
        await self._redis.aclose()

    def _open(self, raw: bytes | str) -> dict[str, object] | None:
        try:
            return dict(json.loads(self._at_rest.open(raw)))
        except SealBroken:
            return None

    def _unreachable(self, error: Exception) -> None:
        self._meter.cache("error")
        if not self._skip_until:  # once per outage: the next success re-arms it
            log.warning(
                "agency cache for %s skipped: Redis unavailable (%s)",
                self._agency,
                type(error).__name__,
            )
        self._skip_until = time.monotonic() + SKIP_AFTER_ERROR_S

    def _recovered(self) -> None:
        if self._skip_until:
            log.info("agency cache for %s: Redis reachable again", self._agency)
            self._skip_until = 0.0


def redis_answer_cache(
    infra: InfraSettings, *, agency: str, secret: bytes, ttl_seconds: int, meter: AgencyMeter
) -> AnswerCache:
    """The cache an adapter uses: Redis with short timeouts, or :class:`NoCache` at TTL 0.

    Short socket timeouts because a slow cache must not be slower than the agency.
    """
    if ttl_seconds <= 0:
        return NoCache()
    client = infra.redis(socket_connect_timeout=0.25, socket_timeout=0.25, retry_on_timeout=False)
    return RedisAnswerCache(
        client,
        agency=agency,
        secret=secret,
        at_rest=infra.at_rest(),
        ttl_seconds=ttl_seconds,
        meter=meter,
    )
