"""Service logging, with the Kafka client's outage chatter folded into counts.

Why: while a broker is away, aiokafka logs every reconnect attempt of every
client at ERROR, about every 100 ms. One adapter wrote some 38,000 lines in
a 45-second broker restart, and the load slowed the broker's own restart.
The first line of each kind still goes out at once, so an outage is seen
when it starts; repeats of the same message template within
:data:`FOLD_SECONDS` are counted, and the next line of that kind after the
window says how many were folded into it. Nothing is dropped silently.

Lines are JSON objects (:class:`JsonFormatter`), one per line, so a log
shipper needs no parser; ``LOG_LEVEL`` (``DEBUG``, ``INFO``, ...) sets the
level of every service. Personal data must never be logged in the first
place (SECURITY.md); as a last line of defence the formatter masks what
looks like an email address, a phone number, a 16-digit NIK or a password in a URL.
"""

import json
import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from opentelemetry import trace

FOLD_SECONDS = 10.0
FOLDED_LOGGERS = ("aiokafka",)
"""Loggers whose repeats are folded: the Kafka client's, never the hub's own."""
FOLDED_FROM = logging.WARNING
"""Only warnings and errors are folded: the client's INFO lines are its lifecycle (joins,
leaves, coordinators found), few and each worth keeping."""


@dataclass
class _Seen:
    shown_at: float
    folded: int = 0


class RepeatFolder(logging.Filter):
    """Lets one line per (logger, level, message template) through per window; counts the rest."""

    def __init__(
        self,
        prefixes: tuple[str, ...] = FOLDED_LOGGERS,
        window_seconds: float = FOLD_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._prefixes = prefixes
        self._window = window_seconds
        self._clock = clock
        self._seen: dict[tuple[str, int, str], _Seen] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a repeat inside its window; the line after it carries the count."""
        if record.levelno < FOLDED_FROM or not record.name.startswith(self._prefixes):
            return True
        key = (record.name, record.levelno, str(record.msg))
        now = self._clock()
        seen = self._seen.get(key)
        if seen is not None and now - seen.shown_at < self._window:
            seen.folded += 1
            return False
        if seen is not None and seen.folded:
            record.msg = (
                f"{record.getMessage()} "
                f"[{seen.folded} more like this in the last {now - seen.shown_at:.0f}s]"
            )
            record.args = None
        self._seen[key] = _Seen(shown_at=now)
        return True


LEVEL_ENV = "LOG_LEVEL"

_HEX_ID = re.compile(r"[0-9a-f]+")
_HEX_ID_LENGTHS = frozenset({20, 32, 64})
"""Lengths of the lowercase hex ids the hub makes: customs ids, uuid4 hex ids, SHA-256 digests."""


def _mask_nik(match: re.Match[str]) -> str:
    """``[nik]``, unless the 16 digits lie inside a hex id the hub made.

    A uuid4 hex id holds 16 digits in a row about once in a thousand; masking
    them cut an id out of its log line, where nobody could find it again. The
    id is spared only when the whole alphanumeric run around the digits is
    lowercase hex of an id's length with a letter in it: a NIK glued to other
    text (``NIK3171...``, ``x3171...y``) is still masked. What is left open is a NIK
    glued to hex letters into exactly an id's length, which no code of the hub writes:
    this mask is the last defence, behind logging ids rather than personal data.
    """
    text, (start, end) = match.string, match.span()
    while start and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    run = text[start:end]
    if len(run) in _HEX_ID_LENGTHS and _HEX_ID.fullmatch(run) and not run.isdigit():
        return match.group()
    return "[nik]"


_MASKS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"(?<!\d)\d{16}(?!\d)"), _mask_nik),
    (re.compile(r"(\w+://[^:/@\s]*:)[^@\s]+@"), r"\1***@"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"(?<![\w.+])\+\d{1,3}(?:[ -]?\d){6,13}(?![\w.])"), "[phone]"),
    (re.compile(r"(?<![\w.+])(?:0|62)8\d(?:[ -]?\d){6,11}(?![\w.])"), "[phone]"),
)
"""What the formatter masks: NIK-shaped digit runs, URL passwords (before emails: a URL's
``user:password@host`` looks like one), emails, and phone numbers (R10's): any number
in international form (``+`` and country code), and Indonesian mobiles written locally
(``08``) or with the country code but no ``+`` (``628``). Bare digit runs that start
otherwise (offsets, counts) are left alone: masking them would hide what logs are for."""


def redact(text: str) -> str:
    """``text`` with anything shaped like personal data or a URL password masked."""
    for pattern, mask in _MASKS:
        text = pattern.sub(mask, text)
    return text


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (masked), trace ids, error."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON; ``trace_id``/``span_id`` when a span is current."""
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            line["trace_id"] = format(span.trace_id, "032x")
            line["span_id"] = format(span.span_id, "016x")
        if record.exc_info:
            line["error"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            line["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(line, ensure_ascii=False)


def level_from(env: Mapping[str, str] = os.environ) -> int:
    """``LOG_LEVEL`` as a logging level; INFO when unset, ValueError when not a level name."""
    name = env.get(LEVEL_ENV, "INFO").strip().upper()
    level = logging.getLevelName(name)
    if not isinstance(level, int):
        raise ValueError(f"{LEVEL_ENV}={name!r} is not a level (DEBUG, INFO, WARNING, ERROR)")
    return level


def configure(level: int | None = None, env: Mapping[str, str] = os.environ) -> None:
    """Root logging for a service process: JSON lines, ``LOG_LEVEL``, Kafka repeats folded."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RepeatFolder())
    chosen = level if level is not None else level_from(env)
    logging.basicConfig(level=chosen, handlers=[handler], force=True)
