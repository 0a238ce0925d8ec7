"""Composition root of the customs lifecycle service (``python -m customs``).

Consumes ``ceisa.response.v1`` and the trader's ``customs.trader-command.v1``
with the hub's consume policy, keeps each
application in Redis, publishes statuses and deadline events, and serves the
HTTP read side. Nothing connects at import time.
"""

import asyncio
import logging

from aiohttp import web
from faststream import FastStream

from contracts import signers, topics
from customs import http
from customs.callers import OfficerTokens
from customs.commands import TraderDesk
from customs.handler import Lifecycle
from customs.officer_desk import OfficerDesk
from customs.settings import CustomsSettings
from customs.store_redis import RedisCustomsStore
from customs.watch import DeadlineWatch
from runtime import ops
from runtime.polling import poll_forever
from runtime.rate_limit import RateLimits
from runtime.service import HubService

log = logging.getLogger(__name__)


def build(settings: CustomsSettings) -> FastStream:
    """The lifecycle service, ready for ``app.run()``."""
    service = HubService(settings, name=settings.customs_group_id, signer=signers.CUSTOMS)
    redis = settings.redis()
    store = RedisCustomsStore(redis)
    lifecycle = Lifecycle(store, warning_days=settings.customs_deadline_warning_days)
    service.subscribe(
        topics.CEISA_RESPONSE,
        handler=lifecycle.on_responses,
        description="CEISA's answers: read safely, apply PER-21, publish the status.",
    )
    desk = TraderDesk(store, warning_days=settings.customs_deadline_warning_days)
    service.subscribe(
        topics.TRADER_COMMAND,
        handler=desk.handler(),
        description="The trader's acts: checked against PER-21, sent to customs as XML.",
    )
    officers = OfficerDesk(store, warning_days=settings.customs_deadline_warning_days)
    service.subscribe(
        topics.CUSTOMS_OFFICER_COMMAND,
        handler=officers.handler(),
        description="A customs officer's signed acts (C13, C14): checked against PER-21.",
    )
    watch = DeadlineWatch(store, service.outbox.publish)
    background: list[asyncio.Task[None]] = []
    issuer = settings.officer_issuer_url
    if issuer is None:
        log.warning("no OFFICER_ISSUER_URL: /applications/{id} answers 503 (fail closed)")
    tokens = OfficerTokens.of(issuer, settings.officer_jwks_url) if issuer else None
    limits = RateLimits.on_redis(
        settings.checked_redis_url(), {http.STATUS_LIMIT: settings.customs_status_rate_limit}
    )
    app = http.make_app(store, tokens=tokens, limits=limits)
    ops.add_routes(app, service.ops)
    runner = web.AppRunner(app, access_log=None)

    async def start_background() -> None:
        background.append(
            asyncio.create_task(poll_forever([watch], settings.customs_deadline_interval_seconds))
        )
        await runner.setup()
        await web.TCPSite(runner, settings.customs_http_host, settings.customs_http_port).start()
        log.info(
            "customs applications on http://%s:%s",
            settings.customs_http_host,
            runner.addresses[0][1],
        )

    async def stop_background() -> None:
        await runner.cleanup()
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)

    return service.app(
        on_startup=[start_background],
        after_shutdown=[stop_background, limits.aclose, redis.aclose],
    )
