"""Re-drive progress: which dead letters were already sent back, and the transactions to run.

The consumer group ``insw-hubctl-dlq-redrive`` holds it: its committed offset
on a ``.dlq`` partition covers everything below, and single re-drives ahead of
it travel in the commit's metadata. Pure code, so the rules that make a
re-drive happen once are tested without a broker.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Final

from hubctl.console import Refused
from hubctl.dlq_letters import Redrive

REDRIVE_GROUP: Final = "insw-hubctl-dlq-redrive"
"""Consumer group whose committed offsets on each ``.dlq`` partition record re-drive progress."""

SINGLES_TAG: Final = "redriven="
MAX_METADATA: Final = 3000
"""Brokers refuse offset metadata above ``offset.metadata.max.bytes`` (4096 by default)."""
MAX_RUN: Final = 100_000
"""Longest range of singles we write; a longer one in metadata is not ours and is ignored."""


@dataclass(frozen=True, slots=True)
class RedriveProgress:
    """How far a ``.dlq`` partition has been re-driven.

    ``committed`` is the group's offset: everything below it was re-driven.
    ``singles`` are offsets at or above it re-driven one by one (``--partition
    --offset``); they travel in the offset commit's metadata so ``--all`` never
    sends them a second time.
    """

    committed: int
    singles: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def from_commit(cls, offset: int | None, metadata: str, log_start: int) -> "RedriveProgress":
        """Progress from the group's commit (``None``/-1: never committed) and the log start."""
        start = log_start if offset is None or offset < 0 else max(offset, log_start)
        return cls(start, parse_singles(metadata)).compacted()

    def redriven(self, offset: int) -> bool:
        """Whether the dead letter at ``offset`` was already sent back to its topic."""
        return offset < self.committed or offset in self.singles

    def after_single(self, offset: int) -> "RedriveProgress":
        """Progress once ``offset`` alone is re-driven."""
        return replace(self, singles=self.singles | {offset}).compacted()

    def advanced_to(self, offset: int) -> "RedriveProgress":
        """Progress once everything below ``offset`` is re-driven."""
        return RedriveProgress(max(self.committed, offset), self.singles).compacted()

    def compacted(self) -> "RedriveProgress":
        """Singles contiguous with the committed offset become part of it; older ones vanish."""
        committed, singles = self.committed, set(self.singles)
        while committed in singles:
            committed += 1
        return RedriveProgress(committed, frozenset(s for s in singles if s > committed))

    def metadata(self) -> str:
        """The commit metadata carrying ``singles`` (``redriven=3,7-9``)."""
        if not self.singles:
            return ""
        runs = list(_ranges(sorted(self.singles)))
        text = SINGLES_TAG + ",".join(f"{a}-{b}" if a != b else str(a) for a, b in runs)
        if len(text) > MAX_METADATA or any(b - a >= MAX_RUN for a, b in runs):
            raise Refused("too many single re-drives ahead of the group offset; run --all")
        return text


def _ranges(offsets: list[int]) -> Iterable[tuple[int, int]]:
    """``[3, 7, 8, 9]`` -> ``(3, 3)``, ``(7, 9)``: keeps the metadata short."""
    runs: list[list[int]] = []
    for offset in offsets:
        if runs and offset == runs[-1][1] + 1:
            runs[-1][1] = offset
        else:
            runs.append([offset, offset])
    return ((first, last) for first, last in runs)


def parse_singles(metadata: str) -> frozenset[int]:
    """Offsets named by :meth:`RedriveProgress.metadata`; foreign metadata means none."""
    if not metadata.startswith(SINGLES_TAG):
        return frozenset()
    found: set[int] = set()
    try:
        for part in filter(None, metadata[len(SINGLES_TAG) :].split(",")):
            first, _, last = part.partition("-")
            run = range(int(first), int(last or first) + 1)
            if len(run) > MAX_RUN:
                return frozenset()
            found.update(run)
    except ValueError:
        return frozenset()
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class Batch:
    """Records sent in one Kafka transaction, with the group progress committed alongside."""

    redrives: tuple[Redrive, ...]
    progress: dict[int, RedriveProgress]


def plan_batches(
    redrives: Iterable[Redrive],
    progress: dict[int, RedriveProgress],
    ends: dict[int, int],
    size: int,
) -> list[Batch]:
    """Split an ``--all`` re-drive into transactions of at most ``size`` records.

    Each batch commits, per partition, the offset after its last record, so a
    crash between batches resumes where the last committed one ended; the
    final batch of a partition commits the partition's end (skipping
    transaction markers and singles already sent).
    """
    by_partition: dict[int, list[Redrive]] = {p: [] for p in ends}
    for redrive in redrives:
        if not progress[redrive.source.partition].redriven(redrive.source.offset):
            by_partition[redrive.source.partition].append(redrive)
    batches: list[Batch] = []
    for partition, pending in sorted(by_partition.items()):
        done = progress[partition]
        chunks = [pending[i : i + size] for i in range(0, len(pending), size)] or [[]]
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            upto = ends[partition] if last else chunk[-1].source.offset + 1
            if not chunk and upto <= done.committed:
                continue
            done = done.advanced_to(upto)
            batches.append(Batch(tuple(chunk), {partition: done}))
    return batches
