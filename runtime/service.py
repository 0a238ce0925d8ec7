"""Starting a hub service: broker construction, logging and the event loop."""

import asyncio
import logging

import uvloop
from faststream import FastStream
from faststream.kafka import KafkaBroker

from runtime.settings import InfraSettings


def kafka_broker(settings: InfraSettings, *, client_id: str) -> KafkaBroker:
    """A broker whose producer waits for all in-sync replicas and never reorders retries."""
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=2,
        logger=logging.getLogger(client_id),
    )


def run(app: FastStream) -> None:
    """Run a service on uvloop; FastStream handles SIGINT/SIGTERM by draining and closing."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    uvloop.install()
    asyncio.run(app.run())
