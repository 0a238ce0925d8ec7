"""Composition root of the OSS adapter."""

from faststream import FastStream

from adapters.kit.agency import build_agency
from adapters.kit.verifier import verification_service
from adapters.oss_nib.client import OssNibClient
from adapters.oss_nib.settings import OssSettings
from contracts.agencies import OSS_NIB


def build(settings: OssSettings) -> FastStream:
    """The OSS adapter service."""
    return verification_service(
        settings,
        spec=OSS_NIB,
        agency=build_agency("oss", settings.agency, settings, OssNibClient),
    )
