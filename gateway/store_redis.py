"""The Redis implementation of :class:`gateway.store.RegistrationStore`.

Layout (application and decision keys expire, so abandoned work does not pile up):

* ``insw:gw:app:{submission_id}``: hash with ``submission`` (JSON),
  ``assessment`` (JSON: the identifiers asked), ``expected`` (comma-separated
  ids of the questions asked, read on every answer without parsing the
  assessment), one ``result:{question id}`` per answer
  and ``outcome`` (the last published decision's outcome);
* ``insw:gw:decision:{submission_id}``: the final decision (JSON);
* ``insw:gw:username:{HMAC of the username}``: the submission that owns a username (R16);
* ``insw:gw:timer:{timer}``: one sorted set per :class:`gateway.store.Timer`,
  submission ids scored by when the timer is due;
* ``insw:gw:referred``: the officers' queue, referred submission ids scored by
  their 24-hour deadline (R13), removed by the final decision.

Personal data at rest (issue 12): ``submission``, every ``result:*`` and the
decision are sealed with the hub's at-rest key ring (:mod:`runtime.at_rest`)
as they are written and opened as they are read; nothing else in this module
knows. Usernames are named by a keyed hash, not in clear.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from redis.asyncio import Redis

from contracts.decision import Outcome
from contracts.registration import RegistrationSubmitted
from contracts.verification import AgencyAnswer
from gateway.rules.assess import Assessment, question_of
from gateway.store import FINAL_OUTCOMES, PendingApplication, PublishedDecision, Timer
from runtime.at_rest import AtRest
from runtime.redis_faults import redis_faults
from runtime.redis_scripts import PipelineScript, send_filled

APPLICATION_TTL_SECONDS = 14 * 24 * 3600
DECISION_TTL_SECONDS = 90 * 24 * 3600


def _timer(timer: Timer) -> str:
    return f"insw:gw:timer:{timer.value}"


def _app(submission_id: str) -> str:
    return f"insw:gw:app:{submission_id}"


REFERRED_KEY = "insw:gw:referred"
_TIMER_KEYS = tuple(_timer(timer) for timer in Timer)
"""Every timer's sorted set, named once: iterating an enum per decision shows in profiles."""


def _decision(submission_id: str) -> str:
    return f"insw:gw:decision:{submission_id}"


def _username(username: str) -> str:
    return f"insw:gw:username:{username}"


_OPEN = PipelineScript(
    """
    redis.call('HSETNX', KEYS[1], 'submission', ARGV[1])
    redis.call('HSETNX', KEYS[1], 'assessment', ARGV[2])
    redis.call('HSETNX', KEYS[1], 'expected', ARGV[3])
    return redis.call('EXPIRE', KEYS[1], ARGV[4])
    """
)
"""Open one application: first write wins for each field, and the hash's life restarts.

One command where there were four (three HSETNX and an EXPIRE); the same
effect, and safe to run twice."""

_RECORD = PipelineScript(
    """
    redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
    if ARGV[3] == '0' then
      return 1
    end
    if redis.call('HEXISTS', KEYS[1], 'submission') == 0
        or redis.call('HEXISTS', KEYS[1], 'assessment') == 0 then
      redis.call('DEL', KEYS[1])
      return 0
    end
    return redis.call('HGETALL', KEYS[1])
    """
)
"""Write one answer; with ARGV[3] = '1', read the application back, or remove stray answers.

The store asks for the state only with an application's last answer in a
batch, which sees every answer of the batch. A hash without a submission
holds only answers for an application never opened here: it is removed,
and 0 says so. One command where there were two (HSET, then HGETALL)."""

_SCRIPTS = (_OPEN, _RECORD)

_Call = tuple[list[str], list[str | bytes]]
"""One script run: its keys and its arguments."""


ROUND_TRIP_S = 5.0
"""Longest one pipeline may take, sent and answered, before Redis counts as not answering."""


class RedisRegistrationStore:
    """Batch-pipelined Redis store; Redis failures surface as :class:`TransientFailure`.

    Why the store bounds each round trip itself: redis-py bounds each *reply*
    with ``socket_timeout``, an asyncio timeout entered and left for every
    command of a pipeline, about 4 % of the gateway's CPU at full load in a
    profile (stop 22). Give this store a client with ``socket_timeout=None``
    and one bound per pipeline replaces them; a Redis that stops answering
    (paused, partitioned) still fails the batch within :data:`ROUND_TRIP_S`,
    and redis-py drops the connection whose reply was cut off.
    """

    def __init__(
        self, redis: "Redis", at_rest: AtRest, *, round_trip_s: float = ROUND_TRIP_S
    ) -> None:
        self._redis = redis
        self._at_rest = at_rest
        self._round_trip_s = round_trip_s

    def _pipe(self) -> Any:
        return self._redis.pipeline(transaction=False)

    async def _bounded(self, round_trip: Awaitable[list[Any]]) -> list[Any]:
        """``round_trip``'s replies, within :data:`ROUND_TRIP_S`; Redis failures made transient."""
        with redis_faults():
            async with asyncio.timeout(self._round_trip_s):
                return list(await round_trip)

    async def _run(self, pipe: Any) -> list[Any]:
        return await self._bounded(pipe.execute())

    async def _send(self, fill: Callable[[Any], None]) -> list[Any]:
        """:meth:`_run` for a pipeline that calls scripts (:mod:`runtime.redis_scripts`)."""
        return await self._bounded(send_filled(self._redis, fill, _SCRIPTS))

    async def already_decided(self, submission_ids: Sequence[str]) -> set[str]:
        """See :meth:`gateway.store.RegistrationStore.already_decided`."""
        if not submission_ids:
            return set()
        pipe = self._pipe()
        for submission_id in submission_ids:
            pipe.exists(_decision(submission_id))
        found = await self._run(pipe)
        return {sid for sid, hit in zip(submission_ids, found, strict=True) if hit}

    async def open(self, applications: Sequence[tuple[RegistrationSubmitted, Assessment]]) -> None:
        """See :meth:`gateway.store.RegistrationStore.open`."""
        if not applications:
            return
        calls: list[_Call] = [
            (
                [_app(submission.submission_id)],
                [
                    self._at_rest.seal(submission.model_dump_json()),
                    self._at_rest.seal(assessment.model_dump_json()),
                    ",".join(self._filed_as(q) for q in assessment.questions.values()),
                    str(APPLICATION_TTL_SECONDS),
                ],
            )
            for submission, assessment in applications
        ]

        def fill(pipe: Any) -> None:
            for keys, args in calls:
                _OPEN.call(pipe, keys, args)

        await self._send(fill)

    async def record(self, results: Sequence[AgencyAnswer]) -> list[PendingApplication | None]:
        """See :meth:`gateway.store.RegistrationStore.record`.

        One round trip per batch, one script per answer: each writes its
        answer, and an application's last answer in the batch reads the
        application back (or removes the stray answers of one never opened).
        """
        if not results:
            return []
        last = {result.submission_id: index for index, result in enumerate(results)}
        calls: list[_Call] = [
            (
                [_app(result.submission_id)],
                [
                    f"result:{self._filed_as(question_of(result))}",
                    self._at_rest.seal(result.model_dump_json()),
                    "1" if last[result.submission_id] == index else "0",
                ],
            )
            for index, result in enumerate(results)
        ]

        def fill(pipe: Any) -> None:
            for keys, args in calls:
                _RECORD.call(pipe, keys, args)

        replies = await self._send(fill)
        # Opened lazily: an answer that leaves its application incomplete reads no sealed value.
        states = {
            sid: self._pending(_pairs(replies[index]), lazy=True) if replies[index] else None
            for sid, index in last.items()
        }
        return [states[result.submission_id] for result in results]

    async def load(self, submission_ids: Sequence[str]) -> list[PendingApplication | None]:
        """See :meth:`gateway.store.RegistrationStore.load`."""
        if not submission_ids:
            return []
        pipe = self._pipe()
        for submission_id in submission_ids:
            pipe.hgetall(_app(submission_id))
        return [self._pending(fields) for fields in await self._run(pipe)]

    async def claim_username(self, candidates: Sequence[tuple[str, str]]) -> list[bool]:
        """See :meth:`gateway.store.RegistrationStore.claim_username`.

        ``SET NX GET`` (Redis 7) claims and reports the previous owner in one command.
        """
        if not candidates:
            return []
        pipe = self._pipe()
        for username, submission_id in candidates:
            pipe.set(
                _username(self._at_rest.index("username", username)),
                submission_id,
                nx=True,
                get=True,
            )
        owners = await self._run(pipe)
        return [
            owner is None or owner == submission_id.encode()
            for owner, (_, submission_id) in zip(owners, candidates, strict=True)
        ]

    async def mark_decided(self, decisions: Sequence[PublishedDecision]) -> None:
        """See :meth:`gateway.store.RegistrationStore.mark_decided`.

        Only what can matter later is written: the outcome on an application
        that is in the store, the final decision, and the clearing of timers
        only where a referral may have set them.
        """
        if not decisions:
            return
        pipe = self._pipe()
        cleared: list[str] = []
        for decision in decisions:
            sid = decision.submission_id
            if decision.stored:
                fields = {"outcome": decision.outcome.value}
                if decision.deadline_at is not None:
                    fields["deadline_at"] = repr(decision.deadline_at)
                    pipe.zadd(REFERRED_KEY, {sid: decision.deadline_at}, lt=True)
                pipe.hset(_app(sid), mapping=fields)
            if decision.outcome in FINAL_OUTCOMES:
                sealed = self._at_rest.seal(decision.decision_json)
                pipe.set(_decision(sid), sealed, ex=DECISION_TTL_SECONDS)
                if decision.had_timers:
                    cleared.append(sid)
        if cleared:
            # One ZREM per sorted set for the whole batch, not one per decision and set.
            for timer_key in (*_TIMER_KEYS, REFERRED_KEY):
                pipe.zrem(timer_key, *cleared)
        await self._run(pipe)

    async def schedule(self, timer: Timer, due: Sequence[tuple[str, float]]) -> None:
        """See :meth:`gateway.store.RegistrationStore.schedule`."""
        if not due:
            return
        pipe = self._pipe()
        pipe.zadd(_timer(timer), dict(due), lt=True)
        await self._run(pipe)

    async def due(self, timer: Timer, now: float, *, lease_seconds: float, limit: int) -> list[str]:
        """See :meth:`gateway.store.RegistrationStore.due`."""
        pipe = self._pipe()
        pipe.zrangebyscore(_timer(timer), "-inf", now, start=0, num=limit)
        [members] = await self._run(pipe)
        if not members:
            return []
        lease = self._pipe()
        lease.zadd(_timer(timer), {member: now + lease_seconds for member in members}, xx=True)
        await self._run(lease)
        return [member.decode() for member in members]

    async def cancel(self, timer: Timer, submission_ids: Sequence[str]) -> None:
        """See :meth:`gateway.store.RegistrationStore.cancel`."""
        if not submission_ids:
            return
        pipe = self._pipe()
        pipe.zrem(_timer(timer), *submission_ids)
        await self._run(pipe)

    async def final_decisions(self, submission_ids: Sequence[str]) -> list[bytes | None]:
        """See :meth:`gateway.store.RegistrationStore.final_decisions`."""
        if not submission_ids:
            return []
        pipe = self._pipe()
        for submission_id in submission_ids:
            pipe.get(_decision(submission_id))
        found = await self._run(pipe)
        return [None if sealed is None else self._at_rest.open(sealed) for sealed in found]

    async def referrals(self, limit: int) -> list[tuple[str, float]]:
        """See :meth:`gateway.store.RegistrationStore.referrals`."""
        pipe = self._pipe()
        pipe.zrange(REFERRED_KEY, 0, max(limit, 1) - 1, withscores=True)
        [members] = await self._run(pipe)
        return [(member.decode(), float(score)) for member, score in members]

    def _filed_as(self, question: str) -> str:
        """A question id as the hash names it: keyed, as it hashes an identifier."""
        return self._at_rest.index("question", question)

    def _pending(
        self, fields: dict[bytes, bytes], *, lazy: bool = False
    ) -> PendingApplication | None:
        """:func:`_pending` of the hash, its sealed fields opened now or, ``lazy``, when read.

        Eager opening (``load``) fails at once on a value the key ring cannot open.
        """
        if not lazy:
            fields = {
                name: self._at_rest.open(value) if _is_sealed(name) else value
                for name, value in fields.items()
            }
        pending = _pending(fields)
        if pending is not None:
            pending.filed_as = self._filed_as
            if lazy:
                pending.opened = self._at_rest.open
        return pending


def _pairs(flat: list[bytes]) -> dict[bytes, bytes]:
    """A hash as ``HGETALL`` inside a script returns it (name, value, ...), as a dict."""
    return dict(zip(flat[::2], flat[1::2], strict=True))


def _is_sealed(field_name: bytes) -> bool:
    return field_name in (b"submission", b"assessment") or field_name.startswith(b"result:")


def _pending(fields: dict[bytes, bytes]) -> PendingApplication | None:
    """The application stored in a hash, or ``None`` when only stray answers are there."""
    submission = fields.get(b"submission")
    assessment = fields.get(b"assessment")
    if submission is None or assessment is None:
        return None
    expected = fields.get(b"expected", b"").decode()
    outcome = fields.get(b"outcome")
    deadline = fields.get(b"deadline_at")
    return PendingApplication(
        stored_submission=submission,
        expected=frozenset(c for c in expected.split(",") if c),
        stored_assessment=assessment,
        stored_answers={
            name[len(b"result:") :].decode(): value
            for name, value in fields.items()
            if name.startswith(b"result:")
        },
        last_outcome=Outcome(outcome.decode()) if outcome else None,
        deadline_at=float(deadline) if deadline else None,
    )
