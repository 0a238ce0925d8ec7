"""The Redis store passes the same conformance suite, against the real Redis server."""

import pytest
from redis.asyncio import Redis

from contracts.verification import Check
from gateway.store_redis import RedisRegistrationStore
from runtime.errors import TransientFailure
from tests.store_conformance import StoreConformance, answer
from tests.support import at_rest


class TestRedisStore(StoreConformance):
    @pytest.fixture
    async def store(self, redis_url):
        client = Redis.from_url(redis_url)
        yield RedisRegistrationStore(client, at_rest())
        await client.aclose()


async def test_redis_outage_is_a_transient_failure_not_a_crash():
    client = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    store = RedisRegistrationStore(client, at_rest())
    with pytest.raises(TransientFailure):
        await store.record([answer("SUB-X", Check.NIB)])
    await client.aclose()
