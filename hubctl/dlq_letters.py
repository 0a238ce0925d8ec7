"""Dead letters as the CLI sees them, and what re-driving one means: pure code, no Kafka.

Kept apart from the Kafka I/O so the rules that decide what is sent (which
headers survive, which offsets count as re-driven) are tested with plain data.
"""

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from contracts import headers as h
from contracts.topics import DLQ_SUFFIX, original_topic
from hubctl.console import Refused
from runtime.sealing import SCHEME, DeadLetterSeal, SealBroken

SEAL_KEY_VARIABLE: Final = "DLQ_SEAL_KEY"

REDRIVEN_FROM: Final = h.REDRIVEN_FROM
"""Header on a re-driven record naming its dead letter: ``<dlq topic>/<partition>/<offset>``."""

CONNECT_PREFIX: Final = "__connect.errors."


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a dead letter was first consumed, from its ``__connect.errors.*`` headers."""

    topic: str
    partition: int | None
    offset: int | None

    def __str__(self) -> str:
        partition = "?" if self.partition is None else self.partition
        offset = "?" if self.offset is None else self.offset
        return f"{self.topic}[{partition}]@{offset}"


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One record of a ``.dlq`` topic; ``value`` is still sealed."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()

    @property
    def coordinates(self) -> str:
        """``topic/partition/offset``: how operators name one dead letter."""
        return f"{self.topic}/{self.partition}/{self.offset}"

    def header(self, name: str) -> str | None:
        """One header as text (the first one of that name)."""
        return h.header(self.headers, name)

    def origin(self) -> Origin:
        """The record's source; refuses when ``__connect.errors.topic`` is missing."""
        topic = self.header(h.DLQ_TOPIC)
        if not topic:
            raise Refused(f"{self.coordinates} has no {h.DLQ_TOPIC} header")
        return Origin(
            topic,
            _int_or_none(self.header(h.DLQ_PARTITION)),
            _int_or_none(self.header(h.DLQ_OFFSET)),
        )

    def failed_at(self) -> str:
        """``__connect.errors.timestamp`` (epoch milliseconds) as ISO-8601 UTC, or ``?``."""
        millis = _int_or_none(self.header(h.DLQ_FAILED_AT))
        if millis is None:
            return "?"
        stamp = datetime.fromtimestamp(millis / 1000, tz=UTC)
        return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def open_value(self, seal: DeadLetterSeal) -> bytes | None:
        """The original value; refuses a scheme we cannot open, raises SealBroken on a wrong key."""
        scheme = self.header(h.DLQ_SEALED)
        if scheme != SCHEME:
            found = "missing" if scheme is None else f"{scheme!r}"
            raise Refused(
                f"{self.coordinates}: header {h.DLQ_SEALED} is {found}, expected {SCHEME}"
            )
        try:
            return seal.open(self.value)
        except SealBroken as error:
            raise SealBroken(
                f"{self.coordinates}: {error} (wrong DLQ_SEAL_KEY or tampered value)"
            ) from error


def _int_or_none(text: str | None) -> int | None:
    """Header numbers are text; a malformed one reads as unknown rather than failing a listing."""
    try:
        return None if text is None else int(text)
    except ValueError:
        return None


def dlq_name(topic: str) -> str:
    """Operators may name a dead-letter topic or the topic it guards; both mean the ``.dlq``."""
    return topic if topic.endswith(DLQ_SUFFIX) else topic + DLQ_SUFFIX


def printable(data: bytes | str | None, limit: int | None = None) -> str:
    """Text safe for a terminal: no control characters from a record reach the screen."""
    if data is None:
        return "-"
    text = data.decode("utf-8", errors="backslashreplace") if isinstance(data, bytes) else data
    cleaned = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    if limit is not None and len(cleaned) > limit:
        return cleaned[: limit - 1] + "…"
    return cleaned


def fingerprint(value: bytes | None) -> dict[str, object]:
    """Size and SHA-256 of a value: enough to compare two values without showing either."""
    if value is None:
        return {"size": None, "sha256": None}
    return {"size": len(value), "sha256": hashlib.sha256(value).hexdigest()}


def show_value(value: bytes | None) -> str:
    """An opened value for a human: pretty JSON when it is JSON, else its Python repr."""
    if value is None:
        return "None (tombstone)"
    try:
        return json.dumps(json.loads(value), indent=2, ensure_ascii=False)
    except ValueError:
        return repr(value)


@dataclass(frozen=True, slots=True)
class Redrive:
    """What one dead letter becomes on its way back: a record for its original topic."""

    source: DeadLetter
    topic: str
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


def prepare(
    letter: DeadLetter, seal: DeadLetterSeal, new_id: Callable[[], str] = h.new_message_id
) -> Redrive:
    """The record to send for ``letter``: original topic, key and value, rewritten headers.

    The destination is the consumed topic even when the failure happened on
    its retry topic: a re-drive is a fresh first attempt.
    """
    origin = letter.origin()
    return Redrive(
        source=letter,
        topic=original_topic(origin.topic),
        key=letter.key,
        value=letter.open_value(seal),
        headers=redrive_headers(letter, origin, new_id()),
    )


def redrive_headers(
    letter: DeadLetter, origin: Origin, message_id: str
) -> tuple[tuple[str, bytes], ...]:
    """Lineage kept, failure context dropped, a fresh message id caused by the failed one.

    The old id becomes the causation id so the re-driven record is a new
    message (consumers' idempotency keys see it once) yet traceable to the
    one that failed; ``insw-redriven-from`` names the dead letter.
    """
    replaced = {h.MESSAGE_ID, h.CAUSATION_ID, h.DLQ_SEALED, REDRIVEN_FROM}
    kept = [
        (n, v) for n, v in letter.headers if n not in replaced and not n.startswith(CONNECT_PREFIX)
    ]
    cause = letter.header(h.MESSAGE_ID) or f"{origin.topic}-{origin.partition}-{origin.offset}"
    added = [
        (h.MESSAGE_ID, message_id),
        (h.CAUSATION_ID, cause),
        (REDRIVEN_FROM, letter.coordinates),
    ]
    return (*kept, *((n, v.encode()) for n, v in added))


def seal_from_env() -> DeadLetterSeal:
    """The seal of ``DLQ_SEAL_KEY``; refuses rather than invent a throw-away key.

    Read from the environment directly (not the services' settings) so the CLI
    does not depend on settings it never uses.
    """
    key = os.environ.get(SEAL_KEY_VARIABLE)
    if not key:
        raise Refused(f"{SEAL_KEY_VARIABLE} is not set: it is needed to open dead-letter values")
    try:
        return DeadLetterSeal(key)
    except ValueError:
        raise Refused(f"{SEAL_KEY_VARIABLE} is not a valid Fernet key") from None
