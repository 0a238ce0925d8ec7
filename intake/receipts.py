"""Idempotency for the intake: the same request (same key) gets the same answer, once.

The submission id is derived from the client's ``Idempotency-Key``, so even
two identical requests racing each other produce the same submission id, and
the gateway keeps the first (it is idempotent on submission id). The first
answer is remembered in Redis (``insw:intake:receipt:{hash of the key}``;
the key itself is the client's and is not stored raw).
"""

import hashlib
import json
from typing import Any

from redis.asyncio import Redis

from runtime.redis_faults import redis_faults


def submission_id_for(idempotency_key: str) -> str:
    """The submission id every request with this key receives."""
    return "SUB-" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24].upper()


def _key(idempotency_key: str) -> str:
    return "insw:intake:receipt:" + hashlib.sha256(idempotency_key.encode()).hexdigest()


class ReceiptBook:
    """Remembered answers, by idempotency key."""

    def __init__(self, redis: "Redis", ttl_seconds: int) -> None:
        self._redis = redis
        self._ttl = ttl_seconds

    async def find(self, idempotency_key: str) -> dict[str, Any] | None:
        """The answer already given for this key, if any."""
        with redis_faults():
            raw = await self._redis.get(_key(idempotency_key))
        return None if raw is None else dict(json.loads(raw))

    async def keep_first(self, idempotency_key: str, answer: dict[str, Any]) -> dict[str, Any]:
        """Remember ``answer`` unless one is already kept; return the kept one."""
        key = _key(idempotency_key)
        with redis_faults():
            await self._redis.set(key, json.dumps(answer), nx=True, ex=self._ttl)
            raw = await self._redis.get(key)
        return dict(json.loads(raw)) if raw else answer
