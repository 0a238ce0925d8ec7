"""Settings of the customs lifecycle service, read at its composition root only."""

from pydantic import Field

from runtime.settings import InfraSettings


class CustomsSettings(InfraSettings):
    """Infrastructure plus the service's group, HTTP listener and deadline polling."""

    customs_group_id: str = Field(default="insw-customs")
    customs_http_host: str = Field(default="127.0.0.1")
    customs_http_port: int = Field(default=8300, ge=0, le=65535)
    customs_deadline_interval_seconds: float = Field(default=5.0, gt=0)
    """How often due deadline events are looked for."""
    customs_deadline_warning_days: int = Field(default=2, ge=1, le=10)
    """How many working days before a deadline's last day it is announced as approaching."""
    officer_issuer_url: str | None = Field(default=None)
    """The INSW identity provider whose officer tokens may read ``/applications/{id}``."""
    officer_jwks_url: str | None = Field(default=None)
    """The provider's keys; default ``{issuer}/.well-known/jwks.json``."""
    customs_status_rate_limit: str = Field(default="120/minute")
    """Status views per client address (``limits`` notation)."""
