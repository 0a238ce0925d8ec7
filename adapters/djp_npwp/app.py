"""Composition root of the DJP adapter."""

from faststream import FastStream

from adapters.djp_npwp.client import DjpNpwpClient
from adapters.djp_npwp.settings import DjpSettings
from adapters.kit.agency import build_agency
from adapters.kit.verifier import verification_service
from contracts.agencies import DJP_NPWP


def build(settings: DjpSettings) -> FastStream:
    """The DJP adapter service."""
    return verification_service(
        settings,
        spec=DJP_NPWP,
        agency=build_agency("djp", settings.agency, settings, DjpNpwpClient),
    )
