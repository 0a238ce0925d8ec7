"""Connection settings and secrets shared by every service; read only by composition roots."""

import logging
import re
import socket
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict
from redis.asyncio import Redis

from runtime.at_rest import AtRest, parse_key_ring
from runtime.kafka_security import KafkaSecurity, client_options, faststream_security
from runtime.redis_wire import packed_by_hiredis
from runtime.sealing import DeadLetterSeal
from runtime.secrets import (
    DEVELOPMENT,
    HOW_TO_FIX,
    InsecureSecret,
    development_value,
    require,
    require_redis_password,
)
from runtime.signing import (
    SigningKey,
    TrustedKeys,
    development_key,
    development_registry,
    is_development,
    parse_signing_key,
    parse_trusted_keys,
)

log = logging.getLogger(__name__)


def instance_id_of_host(hostname: str) -> str:
    """A valid ``HUB_INSTANCE_ID`` from a host name: its first label, other characters as ``-``.

    A container's hostname is its short id (12 hex digits); a machine's may be
    a dotted name, of which the first label names it.
    """
    label = hostname.split(".", 1)[0]
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", label)[:40]
    return cleaned or "0"


class InfraSettings(KafkaSecurity):
    """Where Kafka and Redis are, and the keys of what is kept. Environment names are the README's.

    Secrets are ``SecretStr`` and are read through the methods below, which
    refuse unset or well-known values unless ``HUB_ENV=development``
    (:mod:`runtime.secrets`): a service fails at its composition root, naming
    the variable, instead of protecting personal data with a public key.
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    hub_env: Literal["production", "development"] = Field(default="production")
    """``development`` lets a service start with public development secrets (with a warning)."""
    redis_url: SecretStr = Field(default=SecretStr("redis://127.0.0.1:6379/0"))
    """With the ACL user's credentials (``redis://user:password@host:port/db``): a secret."""
    dlq_seal_key: SecretStr | None = Field(default=None)
    """Fernet key sealing dead-letter values (they hold personal data); see runtime.sealing."""
    at_rest_keys: SecretStr | None = Field(default=None)
    """Key ring sealing personal data in Redis (Fernet-format keys), newest first; see at_rest."""
    at_rest_index_key: SecretStr | None = Field(default=None)
    """HMAC key naming Redis keys that would otherwise name a person; never rotated casually."""
    batch_max_records: int = Field(default=500, ge=1, le=10_000)
    """Upper bound of records handled per poll: one Redis pipeline and one commit per batch."""
    kafka_fetch_min_bytes: int = Field(default=1, ge=1, le=1_048_576)
    """Bytes a consumer's fetch waits for on the broker (up to ``kafka_fetch_max_wait_ms``).

    Why 1 (the broker answers as soon as one record is there): a larger value
    only batches when records arrive faster than one per wait, and then the
    wait must be short to add no latency floor; a short wait makes every
    quiet consumer fetch hundreds of times a second. Measured with
    ``python -m bench.consume_cost --mode idle`` (one idle consumer, SASL_SSL):
    16 KB / 10 ms cost 9-25% of the broker's core and 3.6-3.9% of the
    client's, 64 KB / 5 ms 17-32% and 5.7-6.5%, 1 byte / 500 ms 3.4-3.7% and
    0.4-0.5%; at 88 records/s (``--mode trickle``) the short waits still gave
    1.1-1.4 records per fetch. Under load batches grow anyway: records pile
    up while the previous batch's transaction commits.
    """
    kafka_fetch_max_wait_ms: int = Field(default=500, ge=0, le=10_000)
    """Longest a fetch waits for ``kafka_fetch_min_bytes``: with 1 byte, only how long a quiet
    consumer's fetch stays open (no latency); with more, the most it adds to each hop."""
    hub_instance_id: str = Field(
        default_factory=lambda: instance_id_of_host(socket.gethostname()),
        pattern=r"^[A-Za-z0-9_-]{1,40}$",
    )
    """Names this instance of a service; stable across its restarts, unique among its peers.

    Kafka transactional ids derive from it: a restarted instance must reuse its
    id to fence its killed predecessor, and two live instances must differ.
    Unset, it is the host's name: each replica of ``docker compose up --scale``
    has its own container hostname, kept across restarts of that container.
    Two processes of one service on one host must set it (the fault suite does).
    """
    retry_delays_seconds: tuple[float, ...] = Field(default=(2.0, 10.0, 30.0))
    """Delays before each retry on ``T.retry``, then ``T.dlq`` (JSON list in the environment)."""
    hub_signing_key: SecretStr | None = Field(default=None)
    """This process's own Ed25519 key, ``<key id>:<base64url>``; see runtime.signing."""
    hub_trusted_keys: str | None = Field(default=None)
    """The public registry: ``<key id>=<signer>:<base64url public key>``, comma-separated."""
    ops_port: int | None = Field(default=None, ge=0, le=65535)
    """Port of ``/health``, ``/ready`` and ``/metrics`` for a service without HTTP of its own."""
    ops_host: str = Field(default="127.0.0.1")
    """Address the ``OPS_PORT`` endpoints bind to."""

    def kafka_options(self) -> dict[str, Any]:
        """This service's principal for aiokafka clients (:mod:`runtime.kafka_security`)."""
        return client_options(self)

    def kafka_security(self) -> Any:
        """This service's principal for FastStream's ``KafkaBroker(security=...)``."""
        return faststream_security(self)

    @property
    def development(self) -> bool:
        """Whether this service was told it runs on a developer's machine."""
        return self.hub_env == DEVELOPMENT

    def dead_letter_seal(self) -> DeadLetterSeal:
        """The seal of dead letters; in development an unset key means a throw-away one."""
        return DeadLetterSeal(
            require("DLQ_SEAL_KEY", self.dlq_seal_key, development=self.development)
        )

    def at_rest(self) -> AtRest:
        """The key ring and index key that protect personal data in Redis."""
        keys = require(
            "AT_REST_KEYS",
            self.at_rest_keys,
            development=self.development,
            fallback=development_value("AT_REST_KEYS"),
        )
        index_key = require(
            "AT_REST_INDEX_KEY",
            self.at_rest_index_key,
            development=self.development,
            fallback=development_value("AT_REST_INDEX_KEY"),
        )
        assert keys is not None and index_key is not None  # a fallback was given
        return AtRest(parse_key_ring(keys), index_key.encode())

    def checked_redis_url(self) -> str:
        """``REDIS_URL``, refused without a password outside development."""
        return require_redis_password(self.redis_url, development=self.development)

    def redis(self, **options: Any) -> "Redis":
        """An asyncio Redis client on the checked URL (``options`` go to ``from_url``).

        Its commands are packed by hiredis (:mod:`runtime.redis_wire`).
        """
        return packed_by_hiredis(Redis.from_url(self.checked_redis_url(), **options))

    def trusted_keys(self) -> TrustedKeys:
        """The registry of signers' public keys; the development one when unset in development.

        Outside development an unset registry is refused: a consumer of signed
        channels would refuse every record, and a silent stand-in would trust
        public keys.
        """
        text = (self.hub_trusted_keys or "").strip()
        if text:
            return parse_trusted_keys(text)
        if not self.development:
            raise InsecureSecret(
                "HUB_TRUSTED_KEYS is not set: `python -m devstack secrets` prints a registry"
            )
        return development_registry()

    def signing_key(self, trusted: TrustedKeys, signer: str | None) -> SigningKey | None:
        """The key of ``signer`` (None: this process signs nothing), checked against ``trusted``.

        Refused when unset or a public development key, outside development;
        in development an unset key means ``signer``'s development key.
        """
        if signer is None:
            return None
        raw = self.hub_signing_key.get_secret_value().strip() if self.hub_signing_key else ""
        if not raw:
            if not self.development:
                raise InsecureSecret(f"HUB_SIGNING_KEY is not set: {HOW_TO_FIX}")
            log.warning("HUB_SIGNING_KEY is not set: development key of %s", signer)
            return development_key(signer)
        key = parse_signing_key(raw, trusted)
        if is_development(key) and not self.development:
            raise InsecureSecret("HUB_SIGNING_KEY is a well-known development value")
        if key.signer != signer:
            raise InsecureSecret(f"HUB_SIGNING_KEY belongs to {key.signer}, not {signer}")
        return key
