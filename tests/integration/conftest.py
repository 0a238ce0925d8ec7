"""Fixtures for integration tests: the three agency simulators on real local ports."""

from collections.abc import AsyncIterator

import pytest_asyncio
from aiohttp import web

from simulators import djp, dukcapil, oss
from simulators.dataset import WORLD


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def urls() -> AsyncIterator[dict[str, str]]:
    """Start the three simulator apps on free local ports; yield their base URLs."""
    runners, bases = [], {}
    for name, make_app in (
        ("oss", oss.make_app),
        ("djp", djp.make_app),
        ("dukcapil", dukcapil.make_app),
    ):
        runner = web.AppRunner(make_app(WORLD), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        bases[name] = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield bases
    finally:
        for runner in runners:
            await runner.cleanup()
