"""Connection settings shared by every service; read only by composition roots."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class InfraSettings(BaseSettings):
    """Where Kafka and Redis are. Environment names are the README's."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    kafka_bootstrap_servers: str = Field(default="127.0.0.1:9092")
    redis_url: str = Field(default="redis://127.0.0.1:6379/0")
    dlq_seal_key: str | None = Field(default=None, repr=False)
    """Fernet key sealing dead-letter values (they hold personal data); see runtime.sealing."""
    batch_max_records: int = Field(default=500, ge=1, le=10_000)
    """Upper bound of records handled per poll: one Redis pipeline and one commit per batch."""
    hub_instance_id: str = Field(default="0", pattern=r"^[A-Za-z0-9_-]{1,40}$")
    """Names this instance of a service; stable across its restarts, unique among its peers.

    Kafka transactional ids derive from it: a restarted instance must reuse its
    id to fence its killed predecessor, and two live instances must differ.
    """
    retry_delays_seconds: tuple[float, ...] = Field(default=(2.0, 10.0, 30.0))
    """Delays before each retry on ``T.retry``, then ``T.dlq`` (JSON list in the environment)."""
