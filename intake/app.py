"""Composition root of the intake: Redis, the document store, the outbox and the HTTP app."""

from aiohttp import web

from intake.http import IntakeDeps, make_app
from intake.receipts import ReceiptBook
from intake.settings import IntakeSettings
from runtime.documents import RedisDocumentStore
from runtime.outbox import Outbox


def build(settings: IntakeSettings) -> web.Application:
    """The intake application; connections open when the app starts and close when it stops."""
    redis = settings.redis()
    outbox = Outbox(
        settings.kafka_bootstrap_servers,
        client_id="insw-intake",
        security=settings.kafka_options(),
    )
    app = make_app(
        IntakeDeps(
            outbox,
            RedisDocumentStore(redis, settings.at_rest()),
            ReceiptBook(redis, settings.idempotency_ttl_seconds),
        )
    )

    async def start(_: web.Application) -> None:
        await outbox.start()

    async def stop(_: web.Application) -> None:
        await outbox.stop()
        await redis.aclose()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    return app
