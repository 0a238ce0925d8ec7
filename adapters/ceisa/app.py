"""Composition root of the CEISA adapter."""

from faststream import FastStream

from adapters.ceisa.handler import ceisa_handler
from adapters.ceisa.settings import CeisaSettings
from contracts import topics
from runtime.consumer import subscribe
from runtime.service import kafka_broker

NAME = "insw-adapter-ceisa"


def build(settings: CeisaSettings) -> FastStream:
    """The CEISA adapter service."""
    broker = kafka_broker(settings, client_id=NAME)
    subscribe(
        broker,
        topics.REGISTRATION_DECIDED,
        group_id=NAME,
        handler=ceisa_handler(settings.ceisa_sender),
        max_records=settings.batch_max_records,
        description="Approved decisions become ceisa.registration.v1 XML for customs.",
    )
    return FastStream(broker)
