"""Offset arithmetic for replays, apart from Kafka so it can be tested table by table.

Why pure: choosing where a consumer group restarts, or which records a sandbox
copy takes, is where a replay goes wrong (a past-the-end offset, a timestamp
after the last record, a range that was already deleted by retention). The
Kafka modules only gather the facts (log bounds, committed offsets, offsets
for a time) and hand them here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from hubctl.console import Refused


@dataclass(frozen=True)
class LogBounds:
    """A partition's first offset still stored and its end (the next offset to be written).

    Read with ``read_committed``, ``end`` is the last stable offset: records of
    open transactions are not counted.
    """

    beginning: int
    end: int

    def clamp(self, offset: int) -> int:
        """``offset`` moved into ``[beginning, end]``: deleted records cannot be re-read."""
        return max(self.beginning, min(offset, self.end))


@dataclass(frozen=True)
class OffsetRange:
    """Offsets ``start`` (included) to ``stop`` (excluded) of one partition."""

    start: int
    stop: int

    @property
    def span(self) -> int:
        """How many offsets the range covers (records, give or take transaction markers)."""
        return max(0, self.stop - self.start)


class TargetKind(StrEnum):
    """Where a consumer group is moved to."""

    OFFSET = "offset"
    TIMESTAMP = "timestamp"
    EARLIEST = "earliest"
    LATEST = "latest"


@dataclass(frozen=True)
class Target:
    """The requested restart point; ``value`` is an offset or epoch milliseconds."""

    kind: TargetKind
    value: int | None = None

    def describe(self) -> str:
        """The target as the operator asked for it, for tables and errors."""
        if self.kind is TargetKind.TIMESTAMP and self.value is not None:
            return f"timestamp {datetime.fromtimestamp(self.value / 1000, UTC).isoformat()}"
        if self.kind is TargetKind.OFFSET:
            return f"offset {self.value}"
        return self.kind.value


def parse_instant(text: str) -> int:
    """ISO 8601 date-time to epoch milliseconds; a time without an offset is read as UTC.

    Why UTC and not local time: the broker stamps records in UTC, and an
    operator on a Jakarta laptop and one on a CI runner must get the same offsets.
    """
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Refused(f"not an ISO 8601 date-time: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def resolve_target(target: Target, bounds: LogBounds, found_for_time: int | None) -> int:
    """The offset one partition restarts from.

    ``found_for_time`` is the broker's answer to "first offset at or after the
    timestamp" (``None`` when every record is older: the group then starts at
    the end). Offsets past the end become the end; offsets deleted by
    retention become the first stored one.
    """
    if target.kind is TargetKind.EARLIEST:
        return bounds.beginning
    if target.kind is TargetKind.LATEST:
        return bounds.end
    if target.kind is TargetKind.TIMESTAMP:
        return bounds.end if found_for_time is None else bounds.clamp(found_for_time)
    if target.value is None:
        raise Refused("an offset target needs an offset")
    return bounds.clamp(target.value)


@dataclass(frozen=True)
class PartitionMove:
    """One partition of a consumer group: where it is committed and where it will restart."""

    partition: int
    committed: int | None
    target: int
    bounds: LogBounds

    @property
    def re_read(self) -> int:
        """Offsets the group will consume a second time (0 when it moves forward)."""
        if self.committed is None:
            return 0
        return max(0, min(self.committed, self.bounds.end) - self.target)

    @property
    def skipped(self) -> int:
        """Offsets the group will never consume because the target is ahead of it."""
        if self.committed is None:
            return 0
        return max(0, self.target - self.committed)

    @property
    def to_read(self) -> int:
        """Offsets between the target and the end of the partition: the group's new lag."""
        return max(0, self.bounds.end - self.target)

    def effect(self) -> str:
        """What the move does, in words for the table."""
        if self.committed is None:
            return f"reads {self.to_read} (nothing committed before)"
        if self.re_read:
            return f"re-reads {self.re_read}"
        if self.skipped:
            return f"skips {self.skipped}"
        return "no change"


def plan_moves(
    target: Target,
    bounds: Mapping[int, LogBounds],
    committed: Mapping[int, int | None],
    found_for_time: Mapping[int, int | None] | None = None,
) -> list[PartitionMove]:
    """Every partition's move, in partition order."""
    found = found_for_time or {}
    return [
        PartitionMove(
            partition=p,
            committed=committed.get(p),
            target=resolve_target(target, bounds[p], found.get(p)),
            bounds=bounds[p],
        )
        for p in sorted(bounds)
    ]


def offset_ranges(
    bounds: Mapping[int, LogBounds], start: int | None, stop: int | None
) -> dict[int, OffsetRange]:
    """The same offset window on every partition, cut to what each partition holds.

    ``None`` means "from the first stored record" / "up to the current end".
    """
    ranges = {}
    for p, b in sorted(bounds.items()):
        first = b.beginning if start is None else b.clamp(start)
        last = b.end if stop is None else b.clamp(stop)
        ranges[p] = OffsetRange(first, max(first, last))
    return ranges


def time_ranges(
    bounds: Mapping[int, LogBounds],
    found_start: Mapping[int, int | None] | None,
    found_stop: Mapping[int, int | None] | None,
) -> dict[int, OffsetRange]:
    """A time window as offsets: from the first record at or after the start time
    to the first record at or after the stop time (excluded).

    A missing mapping means the window is open on that side; a partition
    whose records are all older than a bound has that bound at its end.
    """
    ranges = {}
    for p, b in sorted(bounds.items()):
        first = _at_time(b, found_start, p, open_end=b.beginning)
        last = _at_time(b, found_stop, p, open_end=b.end)
        ranges[p] = OffsetRange(first, max(first, last))
    return ranges


def _at_time(
    bounds: LogBounds, found: Mapping[int, int | None] | None, partition: int, open_end: int
) -> int:
    if found is None:
        return open_end
    offset = found.get(partition)
    return bounds.end if offset is None else bounds.clamp(offset)
