"""Issue 15: the gateway's answer path over Redis does each costly step once, and only when needed.

* sealed values are opened when read: an answer that leaves its application
  incomplete decrypts nothing, while a value the key ring cannot open still
  fails as soon as it is read;
* an application whose answers all arrive in one batch is decided once.
"""

import uuid
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from contracts import topics
from contracts.verification import Check, CheckOutcome
from gateway.handlers import Gateway
from gateway.store_redis import RedisRegistrationStore
from runtime.at_rest import AtRest
from runtime.sealing import SealBroken, new_key
from tests.store_conformance import opened
from tests.support import agency_answer, example_documents, results_of, submissions_of
from tests.unit.test_gateway_handlers import answers_for, submitted

NOW = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


@pytest.fixture
async def client(redis_url):
    async with Redis.from_url(redis_url) as redis:
        yield redis


class CountingAtRest(AtRest):
    """The at-rest ring, counting what it opens."""

    opened = 0

    def open(self, sealed: bytes | str) -> bytes:
        self.opened += 1
        return super().open(sealed)


async def test_an_answer_that_leaves_its_application_incomplete_opens_nothing(client):
    sid = f"SUB-{uuid.uuid4().hex[:10]}"
    ring = CountingAtRest([new_key()], b"index-key")
    store = RedisRegistrationStore(client, ring)
    await store.open([opened(sid, Check.NIB, Check.NIK)])
    answer = agency_answer(submission_id=sid, check=Check.NIK, outcome=CheckOutcome.VERIFIED)
    [pending] = await store.record([answer])
    assert pending is not None and not pending.complete and ring.opened == 0
    assert sid in pending.submission_json.decode() and ring.opened == 1


async def test_a_value_the_ring_cannot_open_still_fails_when_read(client):
    sid = f"SUB-{uuid.uuid4().hex[:10]}"
    await RedisRegistrationStore(client, AtRest([new_key()], b"i")).open([opened(sid, Check.NIK)])
    other = RedisRegistrationStore(client, AtRest([new_key()], b"i"))
    answer = agency_answer(submission_id=sid, check=Check.NIK, outcome=CheckOutcome.VERIFIED)
    [pending] = await other.record([answer])
    assert pending is not None and pending.complete
    with pytest.raises(SealBroken):
        pending.submission  # noqa: B018 - reading is the point
    with pytest.raises(SealBroken):
        pending.assessment  # noqa: B018
    assert [a.check for a in pending.answers().values()] == [Check.NIK]  # sealed by this ring


async def test_three_answers_in_one_batch_decide_their_application_once(client, monkeypatch):
    sid = f"SUB-{uuid.uuid4().hex[:10]}"
    store = RedisRegistrationStore(client, AtRest([new_key()], b"index-key"))
    gateway = Gateway(store, example_documents(), clock=lambda: NOW)
    await submissions_of(gateway)([submitted(sid)])
    decided: list[str] = []
    decide = gateway._decide

    def counted(cause, state):
        decided.append(state.submission.submission_id)
        return decide(cause, state)

    monkeypatch.setattr(gateway, "_decide", counted)
    result = await results_of(gateway)(answers_for(sid))
    assert decided == [sid]
    published = [o for o in result.outbound if o.topic == topics.REGISTRATION_DECIDED]
    assert len(published) == 1 and b'"APPROVED"' in (published[0].value or b"")
