"""Composition root of the DJP adapter."""

from faststream import FastStream

from adapters.djp_npwp.client import DjpNpwpClient
from adapters.djp_npwp.settings import DjpSettings
from contracts import topics
from runtime.agency import build_agency
from runtime.verifier import verification_service


def build(settings: DjpSettings) -> FastStream:
    """The DJP adapter service."""
    return verification_service(
        settings,
        name="insw-adapter-djp-npwp",
        topic=topics.NPWP_VERIFICATION_REQUESTED,
        agency=build_agency("djp", settings.agency, settings, DjpNpwpClient),
    )
