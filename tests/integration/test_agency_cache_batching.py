"""Issue 15: an adapter's cache calls of one batch go to Redis together (MGET, one pipeline).

The answers are the ones a look-up per request gave: hits re-stamped with
their own submission, misses as misses; a Redis failure reaches every
look-up of the MGET, and each is a miss, never an error for the request.
"""

import asyncio
import uuid
from typing import cast

from prometheus_client import CollectorRegistry
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from adapters.kit.cache import RedisAnswerCache
from adapters.kit.metrics import AgencyMetrics
from contracts.agencies import answer_for
from contracts.verification import CheckOutcome, NibRecord, VerificationRequested
from runtime.at_rest import AtRest
from runtime.sealing import new_key


class CountingRedis(Redis):
    """Redis, counting the look-up commands sent."""

    gets = 0
    mgets = 0
    pipelines = 0
    fail = False

    def pipeline(self, *args, **kwargs):
        self.pipelines += 1
        return super().pipeline(*args, **kwargs)

    async def get(self, *args, **kwargs):
        self.gets += 1
        return await super().get(*args, **kwargs)

    async def mget(self, *args, **kwargs):
        self.mgets += 1
        if self.fail:
            raise RedisConnectionError("down")
        return await super().mget(*args, **kwargs)


def counting(redis_url: str) -> CountingRedis:
    return cast(CountingRedis, CountingRedis.from_url(redis_url))


def request(nib: str, sid: str) -> VerificationRequested:
    return VerificationRequested(submission_id=sid, check="NIB", identifier=nib, request_id="r")


def cache(client: Redis) -> RedisAnswerCache:
    meter = AgencyMetrics(CollectorRegistry()).meter("oss")
    return RedisAnswerCache(
        client,
        agency="oss",
        secret=uuid.uuid4().bytes,
        at_rest=AtRest([new_key()], b"i"),
        ttl_seconds=60,
        meter=meter,
    )


def verified(asked: VerificationRequested):
    record = NibRecord(nib=asked.identifier, company_name="PT C", status="01")
    return answer_for(asked, outcome=CheckOutcome.VERIFIED, nib_record=record)


async def test_a_batch_of_look_ups_is_one_mget_with_each_answer_its_own(redis_url):
    client = counting(redis_url)
    try:
        answers = cache(client)
        nibs = [f"91200012345{i:02d}" for i in range(5)]
        old = [request(nib, "SUB-OLD") for nib in nibs[:4]]
        await asyncio.gather(*(answers.put(r, verified(r)) for r in old))
        assert client.pipelines == 1
        asked = [request(nib, f"SUB-{i}") for i, nib in enumerate(nibs)]
        found = await asyncio.gather(*(answers.get(r) for r in asked))
        assert (client.mgets, client.gets) == (1, 0)
        hits = [a for a in found if a is not None]
        assert [a.submission_id for a in hits] == ["SUB-0", "SUB-1", "SUB-2", "SUB-3"]
        assert [a.identifier for a in hits] == nibs[:4] and found[4] is None
        again = await answers.get(asked[0])  # alone in its turn: a batch of one
        assert again is not None and client.mgets == 2
    finally:
        await client.aclose()


async def test_redis_down_makes_every_look_up_of_the_batch_a_miss(redis_url):
    client = counting(redis_url)
    client.fail = True
    try:
        answers = cache(client)
        asked = [request(f"912000123456{i}", f"SUB-{i}") for i in range(3)]
        assert await asyncio.gather(*(answers.get(r) for r in asked)) == [None, None, None]
        assert client.mgets == 1
        assert await answers.get(asked[0]) is None and client.mgets == 1  # skipped for a while
    finally:
        await client.aclose()
