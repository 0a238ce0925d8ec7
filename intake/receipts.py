"""Idempotency for the intake: one key, one submission, one answer.

The key is **claimed** atomically in Redis before anything is read or stored
(``SET … NX``), so of two requests racing with one key exactly one proceeds;
the other is told the key is in progress (409) or, once the first finished,
gets the first answer (200). A refused request releases its claim, so the
portal can correct the form and try again with the same key.

Layout: ``insw:intake:receipt:{sha256(portal + key)}`` holds
``pending:{nonce}`` while a request works (expires after the claim lease)
and then the JSON answer for ``IDEMPOTENCY_TTL_SECONDS``. Keys are scoped per
portal and stored only as hashes: one portal can neither read nor block
another's answers.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from runtime.redis_faults import redis_faults

PENDING = "pending:"
CLAIM_LEASE_SECONDS = 120
"""How long a claim holds if its request dies midway; far above a request's run time."""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _scoped(portal: str, idempotency_key: str) -> bytes:
    return f"{portal}\n{idempotency_key}".encode()


def submission_id_for(portal: str, idempotency_key: str) -> str:
    """The submission id every request of ``portal`` with this key receives."""
    return "SUB-" + hashlib.sha256(_scoped(portal, idempotency_key)).hexdigest()[:24].upper()


def _key(portal: str, idempotency_key: str) -> str:
    return "insw:intake:receipt:" + hashlib.sha256(_scoped(portal, idempotency_key)).hexdigest()


@dataclass(frozen=True, slots=True)
class Claim:
    """What :meth:`ReceiptBook.claim` found: ours to work on, someone's in progress, or done."""

    token: str | None = None
    """Set when the caller holds the claim; pass it to :meth:`ReceiptBook.complete`/``release``."""
    kept: dict[str, Any] | None = None
    """The answer already given for this key."""

    @property
    def in_progress(self) -> bool:
        """Another request with this key holds the claim now."""
        return self.token is None and self.kept is None


class ReceiptBook:
    """Claims and remembered answers, by portal and idempotency key."""

    def __init__(self, redis: "Redis", ttl_seconds: int) -> None:
        self._redis = redis
        self._ttl = ttl_seconds
        self._release = redis.register_script(_RELEASE)

    async def claim(self, portal: str, idempotency_key: str) -> Claim:
        """Atomically take the key unless a request holds it or an answer is kept."""
        key = _key(portal, idempotency_key)
        token = PENDING + secrets.token_hex(16)
        with redis_faults():
            if await self._redis.set(key, token, nx=True, ex=CLAIM_LEASE_SECONDS):
                return Claim(token=token)
            raw = await self._redis.get(key)
        if raw is None:  # the holder released between our SET and GET: try once more
            return await self.claim(portal, idempotency_key)
        text = raw.decode() if isinstance(raw, bytes) else str(raw)
        return Claim() if text.startswith(PENDING) else Claim(kept=dict(json.loads(text)))

    async def complete(
        self, portal: str, idempotency_key: str, claim: Claim, answer: dict[str, Any]
    ) -> None:
        """Keep ``answer`` for the key, in place of the claim."""
        assert claim.token is not None
        with redis_faults():
            await self._redis.set(_key(portal, idempotency_key), json.dumps(answer), ex=self._ttl)

    async def release(self, portal: str, idempotency_key: str, claim: Claim) -> None:
        """Drop our claim (the request was refused or failed); someone else's stays."""
        if claim.token is None:
            return
        with redis_faults():
            await self._release(keys=[_key(portal, idempotency_key)], args=[claim.token])
