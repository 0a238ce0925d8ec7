"""Composition root of the gateway: builds the broker, the store and the subscribers.

Nothing connects at import time; :func:`build` wires objects and the
FastStream lifecycle opens and closes the connections.
"""

from faststream import FastStream
from faststream.kafka import KafkaBroker
from redis.asyncio import Redis

from contracts import topics
from gateway.handlers import Gateway
from gateway.settings import GatewaySettings
from gateway.store_redis import RedisRegistrationStore
from runtime.consumer import subscribe
from runtime.service import kafka_broker


def build(settings: GatewaySettings) -> FastStream:
    """The gateway service, ready for ``app.run()``."""
    broker: KafkaBroker = kafka_broker(settings, client_id="insw-gateway")
    redis = Redis.from_url(settings.redis_url)
    gateway = Gateway(RedisRegistrationStore(redis))
    subscribe(
        broker,
        topics.REGISTRATION_SUBMITTED,
        group_id=settings.gateway_group_id,
        handler=gateway.on_submissions,
        max_records=settings.batch_max_records,
        description="Registrations from portals: validate, then ask the agencies.",
    )
    subscribe(
        broker,
        topics.VERIFICATION_COMPLETED,
        group_id=settings.gateway_group_id,
        handler=gateway.on_results,
        max_records=settings.batch_max_records,
        description="Agency answers: gather in Redis, decide when all are in.",
    )
    app = FastStream(broker)

    @app.after_shutdown
    async def close_redis() -> None:
        await redis.aclose()

    return app
