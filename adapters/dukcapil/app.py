"""Composition root of the Dukcapil adapter."""

from faststream import FastStream

from adapters.dukcapil.client import DukcapilClient
from adapters.dukcapil.settings import DukcapilSettings
from adapters.kit.agency import build_agency
from adapters.kit.verifier import verification_service
from contracts.agencies import DUKCAPIL_NIK


def build(settings: DukcapilSettings) -> FastStream:
    """The Dukcapil adapter service."""
    return verification_service(
        settings,
        spec=DUKCAPIL_NIK,
        agency=build_agency("dukcapil", settings.agency, settings, DukcapilClient),
    )
