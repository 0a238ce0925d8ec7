"""Gateway settings, read from the environment at the composition root only."""

from pydantic import Field

from gateway.officer_auth import IdentityProvider
from runtime.errors import HubError
from runtime.settings import InfraSettings


class GatewaySettings(InfraSettings):
    """Infrastructure plus the gateway's own knobs."""

    gateway_group_id: str = Field(default="insw-gateway")
    recheck_delay_seconds: float = Field(default=30.0, gt=0)
    """How long after an agency was unavailable its question is asked again."""
    recheck_interval_seconds: float = Field(default=1.0, gt=0)
    """How often the gateway looks for due re-checks and deadline events."""
    officer_api_host: str = Field(default="127.0.0.1")
    officer_api_port: int | None = Field(default=None, ge=0, le=65535)
    """Port of the officers' HTTP endpoint and console; unset means neither is served."""
    officer_issuer_url: str | None = Field(default=None)
    """The INSW identity provider (the ``iss`` of officers' tokens); required with the port."""
    officer_issuer_public_url: str | None = Field(default=None)
    """The provider as an officer's browser reaches it (sign-in form); default: the above."""
    officer_jwks_url: str | None = Field(default=None)
    """The provider's keys; default ``{issuer}/.well-known/jwks.json``."""
    officer_audience: str = Field(default="insw-officer-desk")
    officer_rate_per_second: float = Field(default=5.0, gt=0)
    officer_rate_burst: int = Field(default=40, gt=0)
    customs_status_url: str | None = Field(default=None)
    """The customs lifecycle service's HTTP read side, for the console's customs page."""

    def identity_provider(self) -> IdentityProvider:
        """Who signs officers' tokens; refused when the officers' port is set without one."""
        if not self.officer_issuer_url:
            raise HubError(
                "OFFICER_ISSUER_URL is not set: the officers' endpoint takes only tokens of "
                "the INSW identity provider (devstack runs a local one)"
            )
        issuer = self.officer_issuer_url.rstrip("/")
        jwks = self.officer_jwks_url or f"{issuer}/.well-known/jwks.json"
        return IdentityProvider(issuer=issuer, jwks_url=jwks, audience=self.officer_audience)
