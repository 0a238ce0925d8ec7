"""``/ready`` and ``/metrics`` are rate limited per client; ``/health`` and other routes are not."""

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from runtime import ops
from runtime.rate_limit import RateLimits


async def _always() -> object:
    return True


async def _client(limit: str) -> TestClient:
    app = web.Application()

    async def own(_: web.Request) -> web.Response:
        return web.Response(text="the service's own route")

    app.router.add_get("/own", own)
    ops.add_routes(
        app,
        ops.Ops(
            ops.Readiness({"kafka": _always}),
            limits=RateLimits.in_memory({ops.OPS: limit}),
        ),
    )
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def test_ready_past_its_limit_is_a_429_problem_with_retry_after():
    async with await _client("2/minute") as http:
        assert [(await http.get("/ready")).status for _ in range(2)] == [200, 200]
        refused = await http.get("/ready")
        assert refused.status == 429
        assert refused.content_type == "application/problem+json"
        assert int(refused.headers["Retry-After"]) >= 1
        assert "/ready" in (await refused.json())["detail"]
        assert (await http.get("/metrics")).status == 429  # one count per client address


async def test_health_and_the_services_own_routes_are_not_counted():
    async with await _client("1/minute") as http:
        statuses = [(await http.get(path)).status for path in ("/health", "/own") * 3]
        assert statuses == [200] * 6
        assert (await http.get("/metrics")).status == 200
