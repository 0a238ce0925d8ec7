"""Composition root of the Dukcapil adapter."""

from faststream import FastStream

from adapters.dukcapil.client import DukcapilClient
from adapters.dukcapil.settings import DukcapilSettings
from contracts import topics
from runtime.agency_http import AgencyHttp
from runtime.verifier import verification_service


def build(settings: DukcapilSettings) -> FastStream:
    """The Dukcapil adapter service."""
    http = AgencyHttp(settings.dukcapil_base_url)
    return verification_service(
        settings,
        name="insw-adapter-dukcapil",
        topic=topics.NIK_VERIFICATION_REQUESTED,
        client=DukcapilClient(http),
        http=http,
        concurrency=settings.dukcapil_concurrency,
    )
