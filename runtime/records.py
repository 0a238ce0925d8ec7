"""Transport-neutral records: what handlers read and what they ask to publish.

Handlers never see aiokafka or FastStream objects. That keeps them testable
with plain data and lets the error policy live in one place.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel

from contracts import headers as h
from contracts.channels import Channel
from runtime import tracing


@dataclass(frozen=True, slots=True)
class Inbound:
    """One consumed Kafka record."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]] = ()
    signer: str | None = None
    """Who signed it, once :func:`runtime.signing.verified` has checked the signature."""
    trace: object | None = None
    """This record's consume span, while its batch is handled with tracing on (runtime.tracing)."""

    @property
    def message_id(self) -> str:
        """The producer's message id, or the record's coordinates when it sent none."""
        return (
            h.header(self.headers, h.MESSAGE_ID) or f"{self.topic}-{self.partition}-{self.offset}"
        )

    @property
    def correlation_id(self) -> str | None:
        """The submission this record belongs to, as its producer declared."""
        return h.header(self.headers, h.CORRELATION_ID)


@dataclass(frozen=True, slots=True)
class Outbound:
    """One record a handler wants published once its batch is processed."""

    topic: str
    key: bytes | None
    value: bytes | None
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        channel: Channel,
        payload: BaseModel | bytes,
        *,
        cause: "Inbound | None",
        correlation_id: str,
        key: str | None = None,
    ) -> "Outbound":
        """A record for ``channel``: its topic, key, value, every lineage header and the trace's.

        The key defaults to the correlation id (the submission id), which keeps
        every record of one application on one partition.
        """
        value = payload if isinstance(payload, bytes) else payload.model_dump_json().encode()
        headers = caused_by(
            cause,
            correlation_id=correlation_id,
            schema=channel.schema_id,
            content_type=channel.content_type,
        )
        headers.update(tracing.outgoing(cause, channel.topic))
        return cls(
            channel.topic, (key if key is not None else correlation_id).encode(), value, headers
        )


def caused_by(
    cause: Inbound | None,
    *,
    correlation_id: str,
    schema: str,
    content_type: str = "application/json",
) -> dict[str, str]:
    """Lineage headers for a record produced because of ``cause``."""
    return h.lineage(
        correlation_id=correlation_id,
        causation_id=cause.message_id if cause else None,
        schema=schema,
        content_type=content_type,
    )
