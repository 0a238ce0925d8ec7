"""The Redis store passes the same conformance suite, against the real Redis server."""

import os
import signal
import time

import pytest
from redis.asyncio import Redis

from contracts.verification import Check
from devstack.redis import RedisNode
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


async def test_a_paused_redis_fails_the_round_trip_in_time_and_the_store_recovers():
    """A Redis that stops answering (SIGSTOP) must not hang the gateway's batch.

    The hot path's client has no per-reply timeout (the store bounds the whole
    pipeline), so without that bound this read would wait for as long as
    Redis stays paused.
    """
    with RedisNode(fsync="no").start() as node:
        client = Redis.from_url(node.url, socket_timeout=None)
        store = RedisRegistrationStore(client, at_rest(), round_trip_s=0.5)
        assert await store.already_decided(["SUB-PAUSE"]) == set()
        assert node.process is not None and node.process.pid is not None
        os.kill(node.process.pid, signal.SIGSTOP)
        try:
            began = time.monotonic()
            with pytest.raises(TransientFailure, match="no answer in time"):
                await store.already_decided(["SUB-PAUSE"])
            assert time.monotonic() - began < 3.0
        finally:
            os.kill(node.process.pid, signal.SIGCONT)
        # The connection whose reply was cut off is dropped; the next batch reads cleanly.
        assert await store.already_decided(["SUB-PAUSE"]) == set()
        await client.aclose()
