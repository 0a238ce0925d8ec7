"""The history file: Kafka records as gzip'd JSON lines, one record per line.

Why a file: an integrator can re-decide months of traffic, or hand a bug
report to the hub's maintainers, without access to the production cluster.
``hubctl replay export`` writes it; ``hubctl replay what-if --history`` reads it.

Each line is ``{"topic", "partition", "offset", "timestamp", "key", "value",
"headers"}``: ``timestamp`` in epoch milliseconds (the record's Kafka
timestamp), ``key`` and ``value`` as text (the hub's keys are submission ids
and its values JSON), ``headers`` as ``[[name, text], ...]`` in record order.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts import topics
from hubctl.console import Refused

HISTORY_TOPICS = (
    topics.REGISTRATION_SUBMITTED,
    topics.VERIFICATION_COMPLETED,
    topics.REGISTRATION_DECIDED,
)
"""What a what-if needs: the submissions, the agencies' answers and the decisions."""

FIELDS = ("topic", "partition", "offset", "timestamp", "key", "value", "headers")


@dataclass(frozen=True)
class HistoryRecord:
    """One Kafka record, decoded to text; what the what-if core works on."""

    topic: str
    partition: int
    offset: int
    timestamp: int
    key: str | None
    value: str | None
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_kafka(cls, record: Any) -> HistoryRecord:
        """From an aiokafka ``ConsumerRecord``."""
        return cls(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            timestamp=record.timestamp,
            key=_text(record.key),
            value=_text(record.value),
            headers=tuple((name, _text(value) or "") for name, value in record.headers or ()),
        )

    def to_line(self) -> str:
        """One JSON line (no trailing newline)."""
        data = {
            "topic": self.topic,
            "partition": self.partition,
            "offset": self.offset,
            "timestamp": self.timestamp,
            "key": self.key,
            "value": self.value,
            "headers": [list(h) for h in self.headers],
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_line(cls, line: str) -> HistoryRecord:
        """Parse one line; raises ``ValueError`` naming what is wrong (never the value)."""
        data = json.loads(line)
        if not isinstance(data, dict) or set(FIELDS) - set(data):
            raise ValueError(f"a history record needs the fields {', '.join(FIELDS)}")
        return cls(
            topic=str(data["topic"]),
            partition=int(data["partition"]),
            offset=int(data["offset"]),
            timestamp=int(data["timestamp"]),
            key=None if data["key"] is None else str(data["key"]),
            value=None if data["value"] is None else str(data["value"]),
            headers=tuple((str(name), str(value)) for name, value in data["headers"] or ()),
        )


def _text(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("utf-8", errors="replace")


def write_history(path: Path, records: Iterable[HistoryRecord]) -> int:
    """Write ``records`` to ``path``, in topic, partition and offset order; returns how many.

    The gzip header carries no file name or time, so the same records always
    give the same bytes (a regenerated bundle only differs where the data does).
    """
    ordered = sorted(records, key=lambda r: (r.topic, r.partition, r.offset))
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as zipped,
        io.TextIOWrapper(zipped, encoding="utf-8", newline="\n") as text,
    ):
        for record in ordered:
            text.write(record.to_line() + "\n")
    return len(ordered)


def read_history(path: Path) -> list[HistoryRecord]:
    """Every record of a history file; refuses a file that is not one, naming the line."""
    return list(_records(path))


def _records(path: Path) -> Iterator[HistoryRecord]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    yield HistoryRecord.from_line(line)
                except (ValueError, TypeError, KeyError) as error:
                    raise Refused(f"{path}:{number}: not a history record ({error})") from None
    except FileNotFoundError:
        raise Refused(f"{path}: no such history file") from None
    except (gzip.BadGzipFile, EOFError, UnicodeDecodeError):
        raise Refused(f"{path}: not a gzip'd JSON-lines history file") from None
