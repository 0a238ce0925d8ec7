"""The soak's Redis readings against a real Redis: size, memory, key families, TTLs."""

import uuid

from redis.asyncio import Redis

from bench.soak import REDIS_KEYS, REDIS_MEMORY, key_families, redis_sample


async def test_redis_sample_counts_keys_and_families_carry_ttls_and_sizes(redis_url):
    prefix = f"bench-test-{uuid.uuid4().hex[:8]}"
    client = Redis.from_url(redis_url)
    try:
        before = await redis_sample(redis_url)
        for n in range(5):
            await client.set(f"{prefix}:app:{n}", "x" * 500, ex=14 * 86400)
        await client.set(f"{prefix}:forever:1", "y")
        after = await redis_sample(redis_url)
        assert after[REDIS_KEYS] - before[REDIS_KEYS] >= 6  # others may write beside us
        assert after[REDIS_MEMORY] > 0
        families = await key_families(redis_url)
        app = families[f"{prefix}:app:*"]
        assert app["keys"] == 5
        assert app["ttl_days_sampled"] == [14.0]
        assert app["bytes_per_key_sampled"] >= 500
        assert families[f"{prefix}:forever:*"]["ttl_days_sampled"] == ["none"]
    finally:
        await client.delete(*[k async for k in client.scan_iter(f"{prefix}:*")])
        await client.aclose()


async def test_an_unreachable_redis_gives_an_empty_sample_not_a_crash():
    assert await redis_sample("redis://127.0.0.1:1/0") == {}
    assert await key_families("redis://127.0.0.1:1/0") == {}
