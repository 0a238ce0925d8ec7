"""Intake settings, read from the environment at the composition root only."""

import json
from pathlib import Path

from pydantic import Field

from runtime.settings import InfraSettings


class IntakeSettings(InfraSettings):
    """Where the intake listens, who may call it, how often, and how long keys are kept."""

    intake_host: str = Field(default="127.0.0.1")
    intake_port: int = Field(default=8200, ge=0, le=65535)
    idempotency_ttl_seconds: int = Field(default=7 * 24 * 3600, gt=0)
    intake_portal_keys: dict[str, str] = Field(default_factory=dict, repr=False)
    """Portal id → SHA-256 (hex) of its API key; ``python -m intake.portals NAME`` makes one."""
    intake_portal_keys_file: Path | None = Field(default=None)
    """A JSON file of the same mapping (merged with ``intake_portal_keys``)."""
    intake_portal_rate_limit: str = Field(default="60/minute")
    """Registrations per portal (``limits`` notation)."""
    intake_client_rate_limit: str = Field(default="120/minute")
    """Requests per client address, counted before authentication (key guessing)."""

    def portal_key_hashes(self) -> dict[str, str]:
        """Every configured portal's key hash, from the environment and the file."""
        hashes = dict(self.intake_portal_keys)
        if self.intake_portal_keys_file is not None:
            hashes.update(json.loads(self.intake_portal_keys_file.read_text()))
        return hashes
