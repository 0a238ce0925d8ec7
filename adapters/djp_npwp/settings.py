"""DJP adapter settings: environment ``DJP_*``.

Every name is a field of :class:`adapters.kit.settings.AgencySettings` with the prefix:

``DJP_BASE_URL``, ``DJP_CONCURRENCY``, ``DJP_CONNECT_TIMEOUT_SECONDS``,
``DJP_READ_TIMEOUT_SECONDS``, ``DJP_ATTEMPTS``, ``DJP_BACKOFF_BASE_SECONDS``,
``DJP_BREAKER_FAILURES``, ``DJP_BREAKER_COOLDOWN_SECONDS``,
``DJP_CACHE_TTL_SECONDS``, ``DJP_METRICS_PORT``, ``DJP_METRICS_HOST``.
"""

from pydantic import Field

from adapters.kit.settings import AgencySettings, agency_config
from runtime.settings import InfraSettings


class DjpAgencySettings(AgencySettings):
    """Where DJP is and how to treat it."""

    model_config = agency_config("DJP_")

    base_url: str = "http://127.0.0.1:8102"


class DjpSettings(InfraSettings):
    """Kafka and Redis, plus DJP."""

    agency: DjpAgencySettings = Field(default_factory=DjpAgencySettings)
