"""The cost benchmarks stay runnable: a few registrations and requests through the real code."""

from redis.asyncio import Redis

from bench import adapter_cost
from bench.gateway_cost import STAGES, measure


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
