"""Composition root of the CEISA adapter."""

from faststream import FastStream

from adapters.ceisa.handler import ceisa_handler
from adapters.ceisa.settings import CeisaSettings
from contracts import topics
from runtime.service import HubService

NAME = "insw-adapter-ceisa"


def build(settings: CeisaSettings) -> FastStream:
    """The CEISA adapter service."""
    service = HubService(settings, name=NAME)
    service.subscribe(
        topics.REGISTRATION_DECIDED,
        handler=ceisa_handler(settings.ceisa_sender),
        description="Approved decisions become ceisa.registration.v1 XML for customs.",
    )
    return service.app()
