"""The cost benchmarks stay runnable: a few registrations and requests through the real code."""

from redis.asyncio import Redis

from bench import adapter_cost, store_cost
from bench.gateway_cost import STAGES, measure
from runtime.redis_wire import PackedConnection, packed_by_hiredis


async def test_the_cost_benchmark_approves_every_registration_and_times_every_stage(redis_url):
    redis = Redis.from_url(redis_url)
    try:
        figures = await measure(redis, 12, 5)  # raises unless all 12 are approved
    finally:
        await redis.aclose()
    stages = figures["stages_us_per_registration"]
    assert figures["registrations"] == 12 and set(stages) == set(STAGES)
    assert figures["cpu_us_per_registration"] > 0
    assert stages["answers.verify"] > 0 and stages["answers.output"] > 0


async def test_the_adapter_cost_benchmark_answers_every_request_in_both_passes(redis_url):
    redis = Redis.from_url(redis_url)
    try:
        figures = await adapter_cost.measure(redis, 12, 5)  # raises unless each is answered
    finally:
        await redis.aclose()
    assert figures["cpu_us_per_request_miss"] > 0 and figures["cpu_us_per_request_hit"] > 0


async def test_the_store_cost_benchmark_counts_what_its_client_sends(redis_url):
    redis = store_cost.counting(packed_by_hiredis(Redis.from_url(redis_url)), store_cost.SENT)
    try:
        await store_cost.measure(redis, 5, 5)  # loads the scripts: NOSCRIPT, SCRIPT LOAD
        figures = await store_cost.measure(redis, 20, 10)  # raises if an answer finds no app
    finally:
        await redis.aclose()
    assert set(figures["calls_us_per_registration"]) == set(store_cost.CALLS)
    # Per registration: a script to open it, one per answer, the outcome and the decision;
    # per batch of 10: the timers' ZADDs and one ZREM per sorted set.
    assert figures["commands"]["EVALSHA"] == 20 * 4
    assert figures["commands"]["HSET"] == figures["commands"]["SET"] == 20
    assert 6 < figures["commands_per_registration"] < 7
    assert issubclass(redis.connection_pool.connection_class, PackedConnection)
