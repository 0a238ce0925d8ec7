"""Which submissions customs has already been sent an application for.

Why a record outside Kafka: the application itself is published in the same
Kafka transaction as the decision's offset, so a crash cannot duplicate it;
but an integrator who re-drives the adapter's consumer group, or replays the
decision topic, feeds it decisions it has already handled. Customs must
still receive one application per approved submission, so the adapter keeps
``insw:ceisa:sent:{submission_id}`` -> decision id in Redis, written after
the transaction commits and consulted before building a document.

The one window left is a crash after the commit and before the mark: the
input offsets are committed, so only a later replay of exactly that decision
could send it again, and the document would be byte-identical (its message
id derives from the decision id) for customs to recognise.

Send-once is *per attempt* (C3/C9 reapplications): this mark is attempt 1,
the application an approved decision produces. Later attempts are started by
the trader after a return or rejection, which only the customs lifecycle
service can check, so it sends them (``ceisa/v1/reapplication.xsd``) with a
MessageId derived from (submission id, attempt) and records it in the
application's handled ids, written with its state: a replayed decision still
never re-sends attempt 1, a replayed reapplication never re-sends its attempt.
"""

from collections.abc import Iterable, Sequence
from typing import Protocol

from redis.asyncio import Redis

from runtime.redis_faults import redis_faults

PREFIX = "insw:ceisa:sent:"


class SentApplications(Protocol):
    """Idempotency records of the applications sent to customs, by submission id."""

    async def already_sent(self, submission_ids: Sequence[str]) -> set[str]:
        """The submissions among ``submission_ids`` customs already has an application for."""
        ...

    async def mark_sent(self, sent: Iterable[tuple[str, str]]) -> None:
        """Record (submission id, decision id) pairs; the first record for a submission wins."""
        ...


class RedisSentApplications:
    """:class:`SentApplications` in Redis; marks never expire (a replay may come years later)."""

    def __init__(self, redis: "Redis") -> None:
        self._redis = redis

    async def already_sent(self, submission_ids: Sequence[str]) -> set[str]:
        """One ``MGET`` for the whole batch."""
        if not submission_ids:
            return set()
        with redis_faults():
            found = await self._redis.mget([PREFIX + sid for sid in submission_ids])
        return {sid for sid, value in zip(submission_ids, found, strict=True) if value}

    async def mark_sent(self, sent: Iterable[tuple[str, str]]) -> None:
        """One pipeline of ``SET NX``."""
        pairs = list(sent)
        if not pairs:
            return
        with redis_faults():
            pipe = self._redis.pipeline(transaction=False)
            for sid, decision_id in pairs:
                pipe.set(PREFIX + sid, decision_id, nx=True)
            await pipe.execute()


class MemorySentApplications:
    """:class:`SentApplications` in a dict, for unit tests."""

    def __init__(self) -> None:
        self.sent: dict[str, str] = {}

    async def already_sent(self, submission_ids: Sequence[str]) -> set[str]:
        """The ids present in the dict."""
        return {sid for sid in submission_ids if sid in self.sent}

    async def mark_sent(self, sent: Iterable[tuple[str, str]]) -> None:
        """First write wins, as in Redis."""
        for sid, decision_id in sent:
            self.sent.setdefault(sid, decision_id)
