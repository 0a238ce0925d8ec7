"""Gateway settings, read from the environment at the composition root only."""

from pydantic import Field

from runtime.settings import InfraSettings


class GatewaySettings(InfraSettings):
    """Infrastructure plus the gateway's own knobs."""

    gateway_group_id: str = Field(default="insw-gateway")
