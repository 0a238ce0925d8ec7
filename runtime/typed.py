"""The one decode / dead-letter loop: handlers receive typed records, never raw bytes.

Why here: every subscriber used to decode its batch itself and dead-letter
what failed, each in its own words. :func:`typed` does it once, with the
channel's model (or a parser the service supplies, such as the gateway's
agency-aware answer decoder): a value that cannot be attributed is dead-
lettered with the field and error class, and the handler sees the rest as
``(record, payload)`` pairs.

A record whose ``insw-schema`` header names another schema than the
channel's (a portal sending ``/v2`` to a ``v1`` topic, a record on the wrong
topic) is dead-lettered naming the header and both values: its value was
written to another contract, so decoding it as this one would be a guess.
A record without the header is read as the channel's schema: portals may
omit lineage headers (the hub stamps its own on everything it writes).
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from contracts import headers as h
from contracts.channels import Channel
from runtime import tracing
from runtime.codec import parse_with
from runtime.consumer import BatchHandler, HandlerResult
from runtime.errors import PoisonMessage
from runtime.records import Inbound

T = TypeVar("T")

Typed = Sequence[tuple[Inbound, T]]
TypedHandler = Callable[[Typed[T]], Awaitable[HandlerResult]]


def schema_mismatch(channel: Channel, record: Inbound) -> PoisonMessage | None:
    """Why ``record``'s ``insw-schema`` header rules it out of ``channel``, or ``None``."""
    declared = h.header(record.headers, h.SCHEMA)
    if declared is None or declared == channel.schema_id:
        return None
    return PoisonMessage(
        f"{h.SCHEMA} header: {declared[:80]!r} is not {channel.schema_id!r} "
        f"(the schema of {channel.topic})"
    )


def typed(
    channel: Channel,
    handler: TypedHandler[T],
    parse: Callable[[bytes], T] | None = None,
) -> BatchHandler:
    """A batch handler that decodes each record for ``channel`` and calls ``handler`` once.

    Records that cannot be decoded go to the dead-letter topic through the
    consume policy, ahead of what the handler returns. Each record's consume
    span (:func:`runtime.tracing.consuming`, when tracing is on) lasts while
    its batch is handled; what it causes is traced as its child.
    """
    decoder: Callable[[bytes], Any] = parse if parse is not None else channel.decode
    what = channel.schema_id

    async def handle(batch: Sequence[Inbound]) -> HandlerResult:
        records, spans = tracing.consuming(batch, channel.topic)
        try:
            decoded: list[tuple[Inbound, T]] = []
            dead: list[tuple[Inbound, BaseException]] = []
            for record in records:
                if (mismatch := schema_mismatch(channel, record)) is not None:
                    dead.append((record, mismatch))
                    continue
                try:
                    decoded.append((record, parse_with(decoder, record.value, what)))
                except PoisonMessage as error:
                    dead.append((record, error))
            result = await handler(decoded) if decoded else HandlerResult()
        finally:
            tracing.finish(spans)
        result.dead[:0] = dead
        return result

    return handle
