"""Notifier settings, read from the environment at the composition root only."""

from pydantic import Field, SecretStr

from runtime.secrets import require
from runtime.settings import InfraSettings


class NotifierSettings(InfraSettings):
    """Infrastructure plus where mail goes, where links point and how long they live."""

    notifier_group_id: str = Field(default="insw-notifier")
    smtp_host: str = Field(default="127.0.0.1")
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_timeout_seconds: float = Field(default=15.0, gt=0)
    smtp_username: str | None = Field(default=None)
    """Set when the relay wants a login; then ``SMTP_PASSWORD`` is required."""
    smtp_password: SecretStr | None = Field(default=None)
    mail_sender: str = Field(default="noreply@insw.go.id")
    """R17: applicants are told to trust only this sender; configurable, this by default."""
    public_base_url: str = Field(default="http://127.0.0.1:8110")
    """Base of the links in emails: where applicants reach the account endpoints."""
    activation_ttl_seconds: int = Field(default=86_400, ge=60)
    """R19: how long a confirmation link works (24 hours, like the 1x24h promise of §6)."""
    notifier_http_host: str = Field(default="127.0.0.1")
    notifier_http_port: int = Field(default=8110, ge=0, le=65535)
    notifier_operator_token: SecretStr | None = Field(default=None)
    """Bearer token of the operators' email-change endpoint; the endpoint is off when unset."""
    mail_claim_seconds: int = Field(default=120, ge=10)
    """Lease on one decision's email while it is being sent; well above the SMTP timeout."""

    def smtp_credentials(self) -> tuple[str, str] | None:
        """The relay login, or None for a relay that wants none (the dev mailbox).

        A username without a password is refused like any unset secret.
        """
        if not self.smtp_username:
            return None
        password = require("SMTP_PASSWORD", self.smtp_password, development=self.development)
        return (self.smtp_username, password or "")

    resend_limit_per_username: str = Field(default="3/hour")
    """Resend requests per username (``limits`` notation): bounds the emails one applicant gets."""
    resend_limit_per_client: str = Field(default="30/hour")
    """Resend requests per client address: bounds what one client can probe."""
