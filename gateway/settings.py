"""Gateway settings, read from the environment at the composition root only."""

from pydantic import Field

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
    """Port of the officers' HTTP endpoint; unset means the endpoint is not served."""
