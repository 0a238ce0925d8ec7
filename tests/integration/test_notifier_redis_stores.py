"""The Redis ports pass the notifier's conformance suites, against the real Redis server."""

import pytest
from redis.asyncio import Redis

from notifier.store_redis import RedisActivationStore, RedisMailLedger, account_key
from runtime.errors import TransientFailure
from tests.support import at_rest
from tests.unit.test_notifier_stores import (
    HOUR_MS,
    NOW_MS,
    ActivationStoreConformance,
    MailLedgerConformance,
    digest,
    username,
)


@pytest.fixture
async def client(redis_url):
    redis = Redis.from_url(redis_url)
    yield redis
    await redis.aclose()


class TestRedisMailLedger(MailLedgerConformance):
    @pytest.fixture
    def ledger(self, client):
        return RedisMailLedger(client)


class TestRedisActivationStore(ActivationStoreConformance):
    @pytest.fixture
    def store(self, client):
        return RedisActivationStore(client, at_rest())


async def test_redis_keeps_only_hashes_in_keys(client):
    ring = at_rest()
    store = RedisActivationStore(client, ring)
    name, token = username(), digest()
    await store.issue(name, "secret.person@example.co.id", token, NOW_MS + HOUR_MS)
    keys = [k.decode() async for k in client.scan_iter(match="insw:notifier:*")]
    account = account_key(ring.index("username", name))
    assert f"insw:notifier:token:{token}" in keys and account in keys
    assert not [k for k in keys if "@" in k or "secret" in k or name in k]


async def test_redis_outage_is_a_transient_failure():
    redis = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    with pytest.raises(TransientFailure):
        await RedisMailLedger(redis).claim("d", "o", 1000)
    with pytest.raises(TransientFailure):
        await RedisActivationStore(redis, at_rest()).check(digest(), NOW_MS)
    await redis.aclose()
