"""Composition root of the gateway: builds the service, the store and the subscribers.

Nothing connects at import time; :func:`build` wires objects and the
FastStream lifecycle opens and closes the connections.
"""

import asyncio
import logging
from datetime import timedelta

from aiohttp import web
from faststream import FastStream

from contracts import channels, signers
from gateway import officer_api
from gateway.console import app as console
from gateway.console.audit import KafkaAudit
from gateway.deadlines import DeadlineWatch
from gateway.handlers import Gateway
from gateway.officer_auth import TokenVerifier
from gateway.officers import OfficerDesk
from gateway.ratelimit import RateLimit
from gateway.recheck import Rechecker
from gateway.settings import GatewaySettings
from gateway.store_redis import RedisRegistrationStore
from runtime import ops
from runtime.documents import RedisDocumentStore
from runtime.polling import DueWork, poll_forever
from runtime.service import HubService

log = logging.getLogger(__name__)


def build(settings: GatewaySettings) -> FastStream:
    """The gateway service, ready for ``app.run()``."""
    service = HubService(settings, name=settings.gateway_group_id, signer=signers.GATEWAY)
    redis = settings.redis()
    at_rest = settings.at_rest()
    # The hot path's own client: the store bounds a whole pipeline, not each reply.
    state = settings.redis(socket_timeout=None)
    store = RedisRegistrationStore(state, at_rest)
    documents = RedisDocumentStore(redis, at_rest)
    gateway = Gateway(
        store,
        documents,
        recheck_delay=timedelta(seconds=settings.recheck_delay_seconds),
    )
    desk = OfficerDesk(store)
    service.consume(
        channels.REGISTRATION_SUBMITTED,
        gateway.on_submissions,
        description="Registrations from portals: validate, then ask the agencies.",
        # Questions alone go at least once (asking twice is harmless: the second
        # answer is dropped); a batch that decides at intake keeps its transaction.
        delivery=gateway.only_questions,
    )
    service.consume(
        channels.VERIFICATION_COMPLETED,
        gateway.on_results,
        parse=gateway.rulebook.agencies.decode_answer,
        signers=gateway.rulebook.agencies.signers(),
        description="Agency answers: gather in Redis, decide when all are in.",
        # A batch that only records answers goes at least once, so the last answer
        # of an application waits for no transaction; one that decides keeps it.
        delivery=gateway.only_receipts,
    )
    service.consume(
        channels.MANUAL_DECISION,
        desk.on_manual_decisions,
        description="Officers' decisions on referred applications (R13).",
    )
    workers: list[DueWork] = [
        Rechecker(store, service.publish),
        DeadlineWatch(store, service.publish),
    ]
    background: list[asyncio.Task[None]] = []
    runners: list[web.AppRunner] = []

    async def start_background() -> None:
        background.append(
            asyncio.create_task(poll_forever(workers, settings.recheck_interval_seconds))
        )
        if settings.officer_api_port is not None:
            provider = settings.identity_provider()
            api = officer_api.OfficerApi(
                service.publish,
                store,
                TokenVerifier(provider),
                RateLimit(settings.officer_rate_per_second, settings.officer_rate_burst),
            )
            http = officer_api.make_app(api)
            desk_console = console.Console(
                api,
                documents,
                KafkaAudit(service.publish),
                issuer_url=provider.issuer,
                issuer_public_url=(settings.officer_issuer_public_url or provider.issuer).rstrip(
                    "/"
                ),
                bootstrap=settings.kafka_bootstrap_servers,
                customs_url=settings.customs_status_url,
            )
            http.add_subapp("/console", console.make_app(desk_console))
            ops.add_routes(http, service.ops)
            runner = web.AppRunner(http, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, settings.officer_api_host, settings.officer_api_port).start()
            runners.append(runner)
            log.info(
                "officer endpoint and console (/console/) on http://%s:%s",
                settings.officer_api_host,
                runner.addresses[0][1],
            )

    async def stop_background() -> None:
        for runner in runners:
            await runner.cleanup()
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)

    return service.app(
        on_startup=[start_background], after_shutdown=[stop_background, redis.aclose, state.aclose]
    )
