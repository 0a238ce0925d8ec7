"""Composition root of the gateway: builds the service, the store and the subscribers.

Nothing connects at import time; :func:`build` wires objects and the
FastStream lifecycle opens and closes the connections.
"""

from faststream import FastStream
from redis.asyncio import Redis

from contracts import topics
from gateway.handlers import Gateway
from gateway.settings import GatewaySettings
from gateway.store_redis import RedisRegistrationStore
from runtime.service import HubService


def build(settings: GatewaySettings) -> FastStream:
    """The gateway service, ready for ``app.run()``."""
    service = HubService(settings, name=settings.gateway_group_id)
    redis = Redis.from_url(settings.redis_url)
    gateway = Gateway(RedisRegistrationStore(redis))
    service.subscribe(
        topics.REGISTRATION_SUBMITTED,
        handler=gateway.on_submissions,
        description="Registrations from portals: validate, then ask the agencies.",
    )
    service.subscribe(
        topics.VERIFICATION_COMPLETED,
        handler=gateway.on_results,
        description="Agency answers: gather in Redis, decide when all are in.",
    )
    return service.app(after_shutdown=[redis.aclose])
