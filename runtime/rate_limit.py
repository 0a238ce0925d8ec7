"""Rate limits for the public HTTP endpoints, kept in Redis by the ``limits`` library.

Why a library: a moving window that several processes share, with atomic
Lua scripts on Redis, is easy to get subtly wrong by hand; ``limits`` is
maintained and speaks redis-py's asyncio client (``implementation="redispy"``),
the client the hub already uses. Limits are written as ``limits`` strings
(``"5/hour"``, ``"60/minute"``) in the settings.

Keys are ``insw:ratelimit/…`` followed by the limit's name and the caller's
identifiers (a portal id, a username, a client address): never personal data.
Storage errors become :class:`~runtime.errors.TransientFailure`.
"""

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio import BlockingConnectionPool

from runtime.errors import TransientFailure

KEY_PREFIX = "insw:ratelimit"
POOL_SIZE = 16
POOL_WAIT_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a request may proceed, and if not, how many seconds until it may."""

    allowed: bool
    retry_after_seconds: int = 0


class RateLimits:
    """Named moving-window limits over one storage (Redis in services, memory in unit tests)."""

    def __init__(
        self, storage: Storage, limits: dict[str, str], pool: BlockingConnectionPool | None = None
    ) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._pool = pool
        self._items: dict[str, RateLimitItem] = {name: parse(spec) for name, spec in limits.items()}

    @classmethod
    def on_redis(
        cls, redis_url: str, limits: dict[str, str], *, key_prefix: str = KEY_PREFIX
    ) -> "RateLimits":
        """Limits shared by every process that uses the Redis at ``redis_url``.

        A blocking pool of its own: a burst of requests waits for a connection
        instead of failing (redis-py's default pool refuses past its size), and
        the limiter's load cannot starve the service's own Redis client. Tests
        pass their own ``key_prefix`` so that their counts stay apart.
        """
        pool = BlockingConnectionPool.from_url(
            redis_url, max_connections=POOL_SIZE, timeout=POOL_WAIT_SECONDS
        )
        storage = RedisStorage(
            "async+" + redis_url,
            implementation="redispy",
            key_prefix=key_prefix,
            wrap_exceptions=True,
            connection_pool=pool,  # type: ignore[arg-type]
        )
        return cls(storage, limits, pool)

    @classmethod
    def in_memory(cls, limits: dict[str, str]) -> "RateLimits":
        """Limits held in this process only (unit tests)."""
        return cls(MemoryStorage(), limits)

    async def aclose(self) -> None:
        """Close the limiter's Redis connections."""
        if self._pool is not None:
            await self._pool.disconnect()

    async def hit(self, name: str, *identifiers: str) -> Verdict:
        """Count one request under limit ``name`` for ``identifiers``; refuse when over it."""
        item = self._items[name]
        try:
            if await self._limiter.hit(item, name, *identifiers):
                return Verdict(True)
            stats = await self._limiter.get_window_stats(item, name, *identifiers)
        except StorageError as error:
            raise TransientFailure(f"rate limit storage: {type(error).__name__}") from error
        return Verdict(False, max(1, math.ceil(stats.reset_time - time.time())))
