"""Starting a hub service: its Kafka side, logging and the event loop.

Every service is built the same way at its composition root: a
:class:`HubService` (a consuming FastStream broker plus the :class:`Outbox`
that publishes what handlers return), subscribers registered through it, and
:func:`run`. Nothing connects before the FastStream app starts.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

import uvloop
from faststream import FastStream
from faststream.kafka import KafkaBroker

from runtime.consumer import DEFAULT_BACKOFF, Backoff, BatchHandler, BatchPump, subscribe
from runtime.outbox import Outbox
from runtime.sealing import DeadLetterSeal
from runtime.settings import InfraSettings

Hook = Callable[[], Awaitable[None]]


class HubService:
    """One service's broker (consuming) and outbox (publishing), started and stopped together."""

    def __init__(self, settings: InfraSettings, *, name: str) -> None:
        self.name = name
        self._settings = settings
        self.broker = KafkaBroker(
            settings.kafka_bootstrap_servers, client_id=name, logger=logging.getLogger(name)
        )
        self.outbox = Outbox(settings.kafka_bootstrap_servers, client_id=name)
        self.seal = DeadLetterSeal(settings.dlq_seal_key)

    def subscribe(
        self,
        topic: str,
        *,
        handler: BatchHandler,
        description: str,
        group_id: str | None = None,
        backoff: Backoff = DEFAULT_BACKOFF,
    ) -> BatchPump:
        """Consume ``topic`` with the hub's consume policy (group defaults to the service name)."""
        return subscribe(
            self.broker,
            self.outbox,
            topic,
            group_id=group_id or self.name,
            handler=handler,
            max_records=self._settings.batch_max_records,
            description=description,
            seal=self.seal,
            backoff=backoff,
        )

    async def start(self) -> None:
        """Start publishing, then consuming (what the app does; for tests and tools)."""
        await self.outbox.start()
        await self.broker.start()

    async def stop(self) -> None:
        """Stop consuming, then publishing."""
        await self.broker.stop()
        await self.outbox.stop()

    def app(
        self, *, on_startup: Iterable[Hook] = (), after_shutdown: Iterable[Hook] = ()
    ) -> FastStream:
        """The FastStream app: outbox up before consuming starts, down after it stops."""
        app = FastStream(self.broker)
        app.on_startup(self.outbox.start)
        for hook in on_startup:
            app.on_startup(hook)
        for hook in after_shutdown:
            app.after_shutdown(hook)
        app.after_shutdown(self.outbox.stop)  # last: hooks above may still publish
        return app


def run(app: FastStream) -> None:
    """Run a service on uvloop; FastStream handles SIGINT/SIGTERM by draining and closing."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    uvloop.install()
    asyncio.run(app.run())
