"""`python -m bench.gateway_cost` stays runnable: a few registrations, the real handlers."""

from redis.asyncio import Redis

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
