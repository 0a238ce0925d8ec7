"""Composition root of the Dukcapil adapter."""

from faststream import FastStream

from adapters.dukcapil.client import DukcapilClient
from adapters.dukcapil.settings import DukcapilSettings
from contracts.agencies import DUKCAPIL_NIK
from runtime.agency import build_agency
from runtime.verifier import verification_service


def build(settings: DukcapilSettings) -> FastStream:
    """The Dukcapil adapter service."""
    return verification_service(
        settings,
        spec=DUKCAPIL_NIK,
        agency=build_agency("dukcapil", settings.agency, settings, DukcapilClient),
    )
