"""Service logging, with the Kafka client's outage chatter folded into counts.

Why: while a broker is away, aiokafka logs every reconnect attempt of every
client at ERROR, about every 100 ms. One adapter wrote some 38,000 lines in
a 45-second broker restart, and the load slowed the broker's own restart.
The first line of each kind still goes out at once, so an outage is seen
when it starts; repeats of the same message template within
:data:`FOLD_SECONDS` are counted, and the next line of that kind after the
window says how many were folded into it. Nothing is dropped silently.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

FOLD_SECONDS = 10.0
FOLDED_LOGGERS = ("aiokafka",)
"""Loggers whose repeats are folded: the Kafka client's, never the hub's own."""
FOLDED_FROM = logging.WARNING
"""Only warnings and errors are folded: the client's INFO lines are its lifecycle (joins,
leaves, coordinators found), few and each worth keeping."""
FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


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


def configure(level: int = logging.INFO) -> None:
    """Root logging for a service process: one format, Kafka client repeats folded."""
    logging.basicConfig(level=level, format=FORMAT)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RepeatFolder())
