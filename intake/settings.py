"""Intake settings, read from the environment at the composition root only."""

from pydantic import Field

from runtime.settings import InfraSettings


class IntakeSettings(InfraSettings):
    """Where the intake listens and how long it remembers an idempotency key."""

    intake_host: str = Field(default="127.0.0.1")
    intake_port: int = Field(default=8200, ge=0, le=65535)
    idempotency_ttl_seconds: int = Field(default=7 * 24 * 3600, gt=0)
