"""OSS adapter settings: environment ``OSS_*``.

Every name is a field of :class:`adapters.kit.settings.AgencySettings` with the prefix:

``OSS_BASE_URL``, ``OSS_CONCURRENCY``, ``OSS_CONNECT_TIMEOUT_SECONDS``,
``OSS_READ_TIMEOUT_SECONDS``, ``OSS_ATTEMPTS``, ``OSS_BACKOFF_BASE_SECONDS``,
``OSS_BREAKER_FAILURES``, ``OSS_BREAKER_COOLDOWN_SECONDS``,
``OSS_CACHE_TTL_SECONDS``, ``OSS_METRICS_PORT``, ``OSS_METRICS_HOST``.
"""

from pydantic import Field

from adapters.kit.settings import AgencySettings, agency_config
from runtime.settings import InfraSettings


class OssAgencySettings(AgencySettings):
    """Where OSS is and how to treat it."""

    model_config = agency_config("OSS_")

    base_url: str = "http://127.0.0.1:8101"


class OssSettings(InfraSettings):
    """Kafka and Redis, plus OSS."""

    agency: OssAgencySettings = Field(default_factory=OssAgencySettings)
