"""OSS adapter settings (environment: ``OSS_BASE_URL``, ``OSS_CONCURRENCY``)."""

from pydantic import Field

from runtime.settings import InfraSettings


class OssSettings(InfraSettings):
    """Where OSS is and how hard to press it."""

    oss_base_url: str = Field(default="http://127.0.0.1:8101")
    oss_concurrency: int = Field(default=64, ge=1)
