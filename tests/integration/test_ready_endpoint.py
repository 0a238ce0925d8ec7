"""``/ready`` follows the service's real Redis: 503 naming it while it is down, 200 again after.

The Redis server is the test's own (``devstack.redis.RedisNode``), not the
session's: stopping it harms no other test. Kafka is the session's broker.
"""

import asyncio

import aiohttp

from devstack.net import free_port
from devstack.redis import RedisNode
from runtime.service import HubService
from runtime.settings import InfraSettings

WAIT_S = 10.0


async def get(url: str) -> tuple[int, dict | str]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        if "json" in response.content_type:
            return response.status, await response.json()
        return response.status, await response.text()


async def until(url: str, status: int) -> dict:
    """The body of the first answer with ``status``; fails after :data:`WAIT_S`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_S
    while True:
        got, body = await get(url)
        if got == status:
            assert isinstance(body, dict)
            return body
        assert loop.time() < deadline, f"{url} still answers {got}: {body}"
        await asyncio.sleep(0.2)


async def test_ready_turns_503_when_redis_stops_and_200_when_it_is_back(
    bootstrap_servers: str, unique_topic: str
):
    port = free_port()
    with RedisNode() as redis:
        settings = InfraSettings(
            kafka_bootstrap_servers=bootstrap_servers,
            redis_url=redis.url,
            ops_port=port,
        )
        service = HubService(settings, name=unique_topic + ".ops")
        await service.start()
        base = f"http://127.0.0.1:{port}"
        try:
            assert await until(f"{base}/ready", 200) == {"status": "ready"}
            redis.pause()
            down = await until(f"{base}/ready", 503)
            assert set(down["unavailable"]) == {"redis"}  # Kafka still answers
            assert "redis" in down["detail"] and down["status"] == 503
            assert (await get(f"{base}/health"))[0] == 200  # alive, only not ready
            await asyncio.to_thread(redis.resume)
            assert await until(f"{base}/ready", 200) == {"status": "ready"}
            status, text = await get(f"{base}/metrics")
            assert status == 200 and "insw_ready 1.0" in str(text)
        finally:
            await service.stop()
