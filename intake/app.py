"""Composition root of the intake: Redis, the document store, the outbox and the HTTP app."""

import logging

from aiohttp import web

from intake.http import CLIENT_LIMIT, PORTAL_LIMIT, IntakeDeps, make_app
from intake.portals import PortalKeys
from intake.receipts import ReceiptBook
from intake.settings import IntakeSettings
from runtime import ops, tracing
from runtime.documents import RedisDocumentStore
from runtime.outbox import Outbox
from runtime.rate_limit import RateLimits

log = logging.getLogger(__name__)


def build(settings: IntakeSettings) -> web.Application:
    """The intake application; connections open when the app starts and close when it stops."""
    tracing.configure("insw-intake")
    redis = settings.redis()
    outbox = Outbox(
        settings.kafka_bootstrap_servers,
        client_id="insw-intake",
        security=settings.kafka_options(),
    )
    portals = PortalKeys(settings.portal_key_hashes())
    if not portals:
        log.warning("no portal API keys configured: every registration is refused (401)")
    limits = RateLimits.on_redis(
        settings.checked_redis_url(),
        {
            PORTAL_LIMIT: settings.intake_portal_rate_limit,
            CLIENT_LIMIT: settings.intake_client_rate_limit,
        },
    )
    ready_redis = ops.readiness_redis(settings.checked_redis_url())
    app = make_app(
        IntakeDeps(
            outbox,
            RedisDocumentStore(redis, settings.at_rest()),
            ReceiptBook(redis, settings.idempotency_ttl_seconds),
            portals,
            limits,
        )
    )

    ops.add_routes(
        app,
        ops.Ops(ops.Readiness({"kafka": outbox.reachable, "redis": ops.redis_check(ready_redis)})),
    )

    async def start(_: web.Application) -> None:
        await outbox.start()

    async def stop(_: web.Application) -> None:
        await outbox.stop()
        await limits.aclose()
        await redis.aclose()
        await ready_redis.aclose()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    return app
