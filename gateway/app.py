"""Composition root of the gateway: builds the service, the store and the subscribers.

Nothing connects at import time; :func:`build` wires objects and the
FastStream lifecycle opens and closes the connections.
"""

import asyncio
from datetime import timedelta

from faststream import FastStream
from redis.asyncio import Redis

from contracts import topics
from gateway.handlers import Gateway
from gateway.recheck import Rechecker
from gateway.settings import GatewaySettings
from gateway.store_redis import RedisRegistrationStore
from runtime.service import HubService


def build(settings: GatewaySettings) -> FastStream:
    """The gateway service, ready for ``app.run()``."""
    service = HubService(settings, name=settings.gateway_group_id)
    redis = Redis.from_url(settings.redis_url)
    store = RedisRegistrationStore(redis)
    gateway = Gateway(store, recheck_delay=timedelta(seconds=settings.recheck_delay_seconds))
    rechecker = Rechecker(store, service.outbox.publish)
    polling: list[asyncio.Task[None]] = []

    async def start_rechecks() -> None:
        polling.append(
            asyncio.create_task(rechecker.run_forever(settings.recheck_interval_seconds))
        )

    async def stop_rechecks() -> None:
        for task in polling:
            task.cancel()
        await asyncio.gather(*polling, return_exceptions=True)

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
    return service.app(on_startup=[start_rechecks], after_shutdown=[stop_rechecks, redis.aclose])
