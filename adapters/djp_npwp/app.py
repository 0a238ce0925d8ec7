"""Composition root of the DJP adapter."""

from faststream import FastStream

from adapters.djp_npwp.client import DjpNpwpClient
from adapters.djp_npwp.settings import DjpSettings
from contracts import topics
from runtime.agency_http import AgencyHttp
from runtime.verifier import verification_service


def build(settings: DjpSettings) -> FastStream:
    """The DJP adapter service."""
    http = AgencyHttp(settings.djp_base_url)
    return verification_service(
        settings,
        name="insw-adapter-djp-npwp",
        topic=topics.NPWP_VERIFICATION_REQUESTED,
        client=DjpNpwpClient(http),
        http=http,
        concurrency=settings.djp_concurrency,
    )
