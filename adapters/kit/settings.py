"""Settings every agency adapter shares, read with the agency's own prefix.

Why one class: the resilience knobs (timeouts, retries, breaker, cache,
metrics) are the same for every agency; an adapter only names its prefix and
its default base URL::

    class OssAgencySettings(AgencySettings):
        model_config = agency_config("OSS_")
        base_url: str = "http://127.0.0.1:8101"

which reads ``OSS_BASE_URL``, ``OSS_READ_TIMEOUT_SECONDS`` and so on. The
cache secret is one per deployment (``AGENCY_CACHE_SECRET``), not per agency.
"""

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.kit.http import HttpPolicy
from runtime.secrets import development_value, require


def agency_config(prefix: str) -> SettingsConfigDict:
    """The settings configuration of an agency whose variables start with ``prefix``."""
    return SettingsConfigDict(env_prefix=prefix, extra="ignore", populate_by_name=True)


class AgencySettings(BaseSettings):
    """How one adapter talks to its agency. Subclasses set the prefix and ``base_url``."""

    base_url: str
    concurrency: int = Field(default=64, ge=1)
    connect_timeout_seconds: float = Field(default=1.0, gt=0)
    read_timeout_seconds: float = Field(default=3.0, gt=0)
    attempts: int = Field(default=3, ge=1, le=10)
    backoff_base_seconds: float = Field(default=0.1, ge=0)
    breaker_failures: int = Field(default=5, ge=1)
    breaker_cooldown_seconds: float = Field(default=30.0, ge=0)
    cache_ttl_seconds: int = Field(default=900, ge=0)
    """0 turns the cache off. 15 minutes: a frozen NIB is seen within that."""
    metrics_port: int = Field(default=0, ge=0, le=65535)
    """0 = no ``/metrics`` endpoint (several adapters share a host in the devstack)."""
    metrics_host: str = "127.0.0.1"
    cache_secret: SecretStr | None = Field(default=None, validation_alias="AGENCY_CACHE_SECRET")

    def http_policy(self) -> HttpPolicy:
        """Timeouts, retry budget and concurrency as the HTTP client takes them."""
        return HttpPolicy(
            connect_timeout=self.connect_timeout_seconds,
            read_timeout=self.read_timeout_seconds,
            attempts=self.attempts,
            backoff_base=self.backoff_base_seconds,
            concurrency=self.concurrency,
        )

    def cache_key_secret(self, *, development: bool) -> bytes:
        """The HMAC key of cache keys: ``AGENCY_CACHE_SECRET``, refused when unset or public.

        Why no derived default: one derived from the Kafka and Redis addresses
        (as before issue 12) is computable by anyone who knows them, and with it
        a NIK's cache key can be guessed from the NIK. In development a public
        stand-in is used, with a warning (:mod:`runtime.secrets`).
        """
        secret = require(
            "AGENCY_CACHE_SECRET",
            self.cache_secret,
            development=development,
            fallback=development_value("AGENCY_CACHE_SECRET"),
        )
        assert secret is not None  # a fallback was given
        return secret.encode()
