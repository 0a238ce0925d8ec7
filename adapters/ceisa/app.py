"""Composition root of the CEISA adapter."""

from faststream import FastStream

from adapters.ceisa.handler import ceisa_handler
from adapters.ceisa.sent import RedisSentApplications
from adapters.ceisa.settings import CeisaSettings
from contracts import topics
from runtime.service import HubService

NAME = "insw-adapter-ceisa"


def build(settings: CeisaSettings) -> FastStream:
    """The CEISA adapter service."""
    service = HubService(settings, name=NAME)
    redis = settings.redis()
    service.subscribe(
        topics.REGISTRATION_DECIDED,
        handler=ceisa_handler(settings.ceisa_sender, RedisSentApplications(redis)),
        description="Approved decisions become ceisa.registration.v1 XML for customs, once.",
    )
    return service.app(after_shutdown=[redis.aclose])
