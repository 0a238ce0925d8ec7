"""DJP adapter settings (environment: ``DJP_BASE_URL``, ``DJP_CONCURRENCY``)."""

from pydantic import Field

from runtime.settings import InfraSettings


class DjpSettings(InfraSettings):
    """Where DJP is and how hard to press it."""

    djp_base_url: str = Field(default="http://127.0.0.1:8102")
    djp_concurrency: int = Field(default=64, ge=1)
