"""Dukcapil adapter settings: environment ``DUKCAPIL_*``.

Every name is a field of :class:`adapters.kit.settings.AgencySettings` with the prefix:

``DUKCAPIL_BASE_URL``, ``DUKCAPIL_CONCURRENCY``, ``DUKCAPIL_CONNECT_TIMEOUT_SECONDS``,
``DUKCAPIL_READ_TIMEOUT_SECONDS``, ``DUKCAPIL_ATTEMPTS``, ``DUKCAPIL_BACKOFF_BASE_SECONDS``,
``DUKCAPIL_BREAKER_FAILURES``, ``DUKCAPIL_BREAKER_COOLDOWN_SECONDS``,
``DUKCAPIL_CACHE_TTL_SECONDS``, ``DUKCAPIL_METRICS_PORT``, ``DUKCAPIL_METRICS_HOST``.
"""

from pydantic import Field

from adapters.kit.settings import AgencySettings, agency_config
from runtime.settings import InfraSettings


class DukcapilAgencySettings(AgencySettings):
    """Where Dukcapil is and how to treat it."""

    model_config = agency_config("DUKCAPIL_")

    base_url: str = "http://127.0.0.1:8103"


class DukcapilSettings(InfraSettings):
    """Kafka and Redis, plus Dukcapil."""

    agency: DukcapilAgencySettings = Field(default_factory=DukcapilAgencySettings)
