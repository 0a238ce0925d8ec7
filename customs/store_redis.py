"""The lifecycle service's store in Redis.

Keys (``prefix`` defaults to ``insw:customs``; submission ids only, no personal data):

* ``{prefix}:application:{submission_id}``: the record as JSON, state and
  handled message ids in one value, so one ``SET`` writes both;
* ``{prefix}:deadline:{APPROACHING|PASSED}``: sorted sets of timers scored by
  when they are due; a poller leases a timer by pushing its score ahead.
"""

from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis

from contracts.customs import DeadlineMoment
from customs.deadlines import Timer
from customs.record import ApplicationRecord, dumps, loads


class RedisCustomsStore:
    """:class:`customs.store.CustomsStore` over one Redis client."""

    def __init__(self, redis: "Redis", prefix: str = "insw:customs") -> None:
        # Typed loosely: redis-py's stubs do not know the client returns bytes.
        self._redis: Any = redis
        self._prefix = prefix

    def _application(self, submission_id: str) -> str:
        return f"{self._prefix}:application:{submission_id}"

    def _timers(self, moment: DeadlineMoment) -> str:
        return f"{self._prefix}:deadline:{moment.value}"

    async def load(self, submission_ids: Sequence[str]) -> list[ApplicationRecord | None]:
        """See :meth:`customs.store.CustomsStore.load`."""
        if not submission_ids:
            return []
        values = await self._redis.mget([self._application(s) for s in submission_ids])
        return [loads(v) if v is not None else None for v in values]

    async def save(self, records: Sequence[ApplicationRecord], timers: Sequence[Timer]) -> None:
        """See :meth:`customs.store.CustomsStore.save`; one transaction for everything."""
        if not records and not timers:
            return
        pipe = self._redis.pipeline(transaction=True)
        for record in records:
            pipe.set(self._application(record.app.submission_id), dumps(record))
        for moment, member, when in timers:
            pipe.zadd(self._timers(moment), {member: when}, nx=True)
        await pipe.execute()

    async def due(
        self, moment: DeadlineMoment, now: float, *, lease_seconds: float, limit: int
    ) -> list[str]:
        """See :meth:`customs.store.CustomsStore.due`."""
        key = self._timers(moment)
        members = await self._redis.zrangebyscore(key, "-inf", now, start=0, num=limit)
        if not members:
            return []
        await self._redis.zadd(key, {m: now + lease_seconds for m in members}, xx=True)
        return [m.decode() for m in members]

    async def cancel(self, moment: DeadlineMoment, members: Sequence[str]) -> None:
        """See :meth:`customs.store.CustomsStore.cancel`."""
        if members:
            await self._redis.zrem(self._timers(moment), *members)
