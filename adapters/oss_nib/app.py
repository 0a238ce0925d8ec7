"""Composition root of the OSS adapter."""

from faststream import FastStream

from adapters.oss_nib.client import OssNibClient
from adapters.oss_nib.settings import OssSettings
from contracts import topics
from runtime.agency_http import AgencyHttp
from runtime.verifier import verification_service


def build(settings: OssSettings) -> FastStream:
    """The OSS adapter service."""
    http = AgencyHttp(settings.oss_base_url)
    return verification_service(
        settings,
        name="insw-adapter-oss-nib",
        topic=topics.NIB_VERIFICATION_REQUESTED,
        client=OssNibClient(http),
        http=http,
        concurrency=settings.oss_concurrency,
    )
