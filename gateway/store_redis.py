"""The Redis implementation of :class:`gateway.store.RegistrationStore`.

Layout (all keys expire, so abandoned applications do not pile up):

* ``insw:gw:app:{submission_id}``: hash with ``submission`` (JSON),
  ``expected`` (comma-separated checks) and one ``result:{CHECK}`` per answer;
* ``insw:gw:decision:{submission_id}``: the published decision (JSON);
* ``insw:gw:username:{USERNAME}``: the submission that owns a username (R16).
"""

from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from contracts.registration import RegistrationSubmitted
from contracts.verification import Check, VerificationCompleted
from gateway.store import PendingApplication
from runtime.errors import TransientFailure

APPLICATION_TTL_SECONDS = 14 * 24 * 3600
DECISION_TTL_SECONDS = 90 * 24 * 3600


def _app(submission_id: str) -> str:
    return f"insw:gw:app:{submission_id}"


def _decision(submission_id: str) -> str:
    return f"insw:gw:decision:{submission_id}"


def _username(username: str) -> str:
    return f"insw:gw:username:{username}"


class RedisRegistrationStore:
    """Batch-pipelined Redis store; Redis failures surface as :class:`TransientFailure`."""

    def __init__(self, redis: "Redis") -> None:
        self._redis = redis

    async def _run(self, pipe: Any) -> list[Any]:
        try:
            return list(await pipe.execute())
        except RedisError as error:
            raise TransientFailure(f"redis: {type(error).__name__}") from error

    async def already_decided(self, submission_ids: Sequence[str]) -> set[str]:
        """See :meth:`gateway.store.RegistrationStore.already_decided`."""
        if not submission_ids:
            return set()
        pipe = self._redis.pipeline(transaction=False)
        for submission_id in submission_ids:
            pipe.exists(_decision(submission_id))
        found = await self._run(pipe)
        return {sid for sid, hit in zip(submission_ids, found, strict=True) if hit}

    async def open(
        self, applications: Sequence[tuple[RegistrationSubmitted, frozenset[Check]]]
    ) -> None:
        """See :meth:`gateway.store.RegistrationStore.open`."""
        if not applications:
            return
        pipe = self._redis.pipeline(transaction=False)
        for submission, expected in applications:
            key = _app(submission.submission_id)
            pipe.hsetnx(key, "submission", submission.model_dump_json())
            pipe.hsetnx(key, "expected", ",".join(sorted(expected)))
            pipe.expire(key, APPLICATION_TTL_SECONDS)
        await self._run(pipe)

    async def record(
        self, results: Sequence[VerificationCompleted]
    ) -> list[PendingApplication | None]:
        """See :meth:`gateway.store.RegistrationStore.record`."""
        if not results:
            return []
        pipe = self._redis.pipeline(transaction=False)
        for result in results:
            key = _app(result.submission_id)
            # Write only into an application that exists: a stray answer must not
            # create a half application that never completes.
            pipe.exists(key)
            pipe.hgetall(key)
            pipe.exists(_decision(result.submission_id))
        replies = await self._run(pipe)
        write = self._redis.pipeline(transaction=False)
        states: list[PendingApplication | None] = []
        batch_answers: dict[str, dict[Check, VerificationCompleted]] = {}
        for index, result in enumerate(results):
            exists, fields, decided = replies[3 * index : 3 * index + 3]
            if not exists:
                states.append(None)
                continue
            write.hset(
                _app(result.submission_id), f"result:{result.check}", result.model_dump_json()
            )
            answers = batch_answers.setdefault(result.submission_id, _answers(fields))
            answers[result.check] = result
            states.append(
                PendingApplication(
                    submission=RegistrationSubmitted.model_validate_json(fields[b"submission"]),
                    expected=frozenset(
                        Check(c) for c in fields[b"expected"].decode().split(",") if c
                    ),
                    results=dict(answers),
                    decided=bool(decided),
                )
            )
        await self._run(write)
        return states

    async def claim_username(self, candidates: Sequence[tuple[str, str]]) -> list[bool]:
        """See :meth:`gateway.store.RegistrationStore.claim_username`."""
        if not candidates:
            return []
        pipe = self._redis.pipeline(transaction=False)
        for username, submission_id in candidates:
            pipe.set(_username(username), submission_id, nx=True)
            pipe.get(_username(username))
        replies = await self._run(pipe)
        return [
            replies[2 * i + 1] == submission_id.encode()
            for i, (_, submission_id) in enumerate(candidates)
        ]

    async def mark_decided(self, decisions: Sequence[tuple[str, bytes]]) -> None:
        """See :meth:`gateway.store.RegistrationStore.mark_decided`."""
        if not decisions:
            return
        pipe = self._redis.pipeline(transaction=False)
        for submission_id, decision in decisions:
            pipe.set(_decision(submission_id), decision, ex=DECISION_TTL_SECONDS)
        await self._run(pipe)


def _answers(fields: dict[bytes, bytes]) -> dict[Check, VerificationCompleted]:
    answers = {}
    for name, value in fields.items():
        if name.startswith(b"result:"):
            answer = VerificationCompleted.model_validate_json(value)
            answers[answer.check] = answer
    return answers
