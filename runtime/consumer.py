"""The hub's one consume policy: batches, transactions, retries, dead letters, backoff.

Every subscriber in the hub runs a :class:`BatchPump`, so the acknowledgement
policy is decided here and nowhere else. The pump is pure policy, written
against :class:`BatchTransaction` and a committed-offsets reader: FastStream
meets it in :mod:`runtime.binding`, the delayed retries in
:mod:`runtime.retry_consumer`.

* Records arrive in batches (one poll); the handler sees the whole batch so it
  can pipeline Redis and prepare its publishes together. Everything the batch
  produces (outputs, retries, dead letters) and the batch's input offsets are
  committed in **one Kafka transaction** (:mod:`runtime.transactions`), so a
  crash at any point means the batch is processed again and its earlier
  outputs were never visible to ``read_committed`` readers: each output once.
  Effects outside Kafka (Redis "done" marks, email) are made idempotent by
  their handlers; the marks run after the commit (``after_publish``) and are
  retried until they succeed, never rewinding a committed batch.
* A record that can never succeed (:class:`PoisonMessage`) goes to
  ``<topic>.dlq``. A record that fails for another reason of its own gets
  delayed retries on ``<topic>.retry`` (:mod:`runtime.retry`), then the
  dead-letter topic. When a batch fails with an unexpected error, its records
  are replayed one at a time to find the culprit instead of punishing the
  innocent.
* A failure of the world (:class:`TransientFailure`, broker or Redis
  unreachable) aborts the transaction, backs off exponentially with jitter,
  then rewinds the batch: slow retries, no hot loop, no dead-lettering of
  good records during an outage.
* A failed commit request may still have landed
  (:class:`~runtime.transactions.CommitUncertain`): the pump settles the
  transaction and asks the broker for the group's committed offsets before
  it either rewinds or carries on, so such a batch is neither repeated nor lost.
* On a consumer-group rebalance, partitions are handed over only after the
  batch in flight is committed or rewound, so two instances never process
  the same records at once.
* Records fetched while a batch was handled join it before its commit
  (:meth:`BatchPump.process`, ``more``), once per batch and only when the
  part handled so far left nothing to run after the commit: one commit
  instead of two, and a record that landed a moment too late (an
  application's last agency answer) does not wait for the commit of the one
  before it.
"""

import asyncio
import logging
import random
import time
import traceback
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from aiokafka import TopicPartition

from contracts.topics import DLQ_SUFFIX
from runtime import metrics
from runtime.checkpoints import BEFORE_COMMIT, BEFORE_PRODUCE, Checkpoint
from runtime.deadletter import dead_letter
from runtime.errors import (
    CommitUncertain,
    PoisonMessage,
    PublishedUncommitted,
    TransientFailure,
)
from runtime.records import Inbound, Outbound
from runtime.retry import RetryPolicy
from runtime.sealing import DeadLetterSeal
from runtime.transient import TRANSIENT

log = logging.getLogger(__name__)

T = TypeVar("T")


class BatchTransaction(Protocol):
    """Publishes a batch's outputs and commits its offsets, all or nothing.

    :class:`runtime.transactions.TransactionalOutbox` is the Kafka one; tests pass fakes.
    :class:`runtime.at_least_once.AtLeastOnceOutbox` publishes, then commits,
    for hops whose readers drop repeats (it may publish a batch twice, never lose one).
    """

    @property
    def transactional_id(self) -> str:
        """Names the producer (and the pump, in logs)."""

    async def commit(
        self,
        records: Sequence[Outbound],
        offsets: Mapping[TopicPartition, int],
        group_id: str,
        before_commit: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Publish ``records`` and commit ``offsets``; raise CommitUncertain when unsure."""

    async def fence(self) -> None:
        """Settle the last transaction (committed or aborted) before offsets are read."""


@dataclass
class HandlerResult:
    """What a handler asks for: records to publish, records that failed, follow-ups.

    ``dead`` records go where :class:`FailurePolicy` sends them: ``T.retry``,
    or ``T.dlq`` for poison and for records whose retries are spent.
    ``after_publish`` callbacks run once the batch's transaction (outputs and
    offsets) has committed, and are retried until they succeed: the place to
    write "done" markers, so a marker never claims an effect that was not
    published, and a failing marker never causes a second publication.
    """

    outbound: list[Outbound] = field(default_factory=list)
    dead: list[tuple[Inbound, BaseException]] = field(default_factory=list)
    after_publish: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def merge(self, other: "HandlerResult") -> None:
        """Fold another result into this one (used when isolating a poison record)."""
        self.outbound.extend(other.outbound)
        self.dead.extend(other.dead)
        self.after_publish.extend(other.after_publish)


class OutputStage(Protocol):
    """Turns a batch's outputs into what is sent (audit chaining, signatures), and is told
    whether they committed: :class:`runtime.audit.OutputStage` is the hub's."""

    async def prepare(self, records: Sequence[Outbound]) -> list[Outbound]:
        """The records as they will be sent."""

    def settled(self, committed: bool) -> None:
        """Whether the records :meth:`prepare` returned last were committed."""

    def forget(self) -> None:
        """The records :meth:`prepare` returned last may be on the topic, uncommitted."""


BatchHandler = Callable[[Sequence[Inbound]], Awaitable[HandlerResult]]
More = Callable[[], Awaitable[Sequence[Inbound]]]
"""The records fetched since a batch was polled, without waiting for any (none: empty)."""
CommittedOffsets = Callable[
    [Sequence[TopicPartition]], Awaitable[Mapping[TopicPartition, int | None]]
]
"""Reads the consumer group's committed offsets from the broker (not the consumer's positions)."""

RESOLVE_READ_TIMEOUT_S = 15.0
"""Longest one read of committed offsets may take before it is logged and tried again."""


@dataclass(frozen=True)
class Backoff:
    """Delay before a failed batch is retried: ``base * 2**n``, capped, with full jitter."""

    base_seconds: float = 0.2
    cap_seconds: float = 10.0

    def delay(self, consecutive_failures: int) -> float:
        """Seconds to wait after ``consecutive_failures`` failures in a row."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** min(consecutive_failures, 16))
        return random.uniform(ceiling / 2, ceiling)


DEFAULT_BACKOFF = Backoff()


@dataclass(frozen=True)
class FailurePolicy:
    """Where records that failed go: sealed dead letters, delayed retries, batch backoff."""

    seal: DeadLetterSeal
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    backoff: Backoff = DEFAULT_BACKOFF

    def reroute(self, record: Inbound, error: BaseException) -> Outbound:
        """``T.retry`` for a record that may yet succeed, ``T.dlq`` for one that cannot."""
        if not isinstance(error, PoisonMessage):
            parked = self.retry.park(record, error)
            if parked is not None:
                return parked
        return dead_letter(record, error, self.seal)


class BatchPump:
    """Runs one handler over batches with the policy above. One instance per subscription."""

    def __init__(
        self,
        outbox: BatchTransaction,
        handler: BatchHandler,
        *,
        group_id: str,
        failures: FailurePolicy,
        fault: Checkpoint | None = None,
        stage: OutputStage | None = None,
    ) -> None:
        self._outbox = outbox
        self._stage = stage
        self._handler = handler
        self._group_id = group_id
        self._policy = failures
        self._fault = fault
        self._failures = 0
        self.busy = asyncio.Lock()
        """Held while a batch is in flight; a rebalance waits for it (see :class:`HandOver`)."""

    @property
    def name(self) -> str:
        """The consumer group and transactional id, for logs."""
        return self._outbox.transactional_id

    async def process(
        self,
        records: Sequence[Inbound],
        committed_offsets: CommittedOffsets,
        more: More | None = None,
    ) -> None:
        """Handle, then publish and commit in one transaction; raise after a backoff on outages.

        Raising means "read this batch again". When the commit itself failed
        it may still have landed, so ``committed_offsets`` (the group's offsets on
        the broker) decides, after the transaction has been settled. ``more``
        returns the records fetched meanwhile (:meth:`_top_up`); the caller
        rewinds them with the batch when this raises.
        """
        records = list(records)
        topic = records[0].topic if records else ""
        began = time.monotonic()
        committed = False
        try:
            result = await self._handle(records)
            if more is not None:
                await self._top_up(records, result, more)
            outputs = await self._prepare(result.outbound)
            rerouted = [self._policy.reroute(r, e) for r, e in result.dead]
            await self._reach(BEFORE_PRODUCE, topic)
            await self._outbox.commit(
                outputs + rerouted,
                next_offsets(records),
                self._group_id,
                before_commit=lambda: self._reach(BEFORE_COMMIT, topic),
            )
            committed = True
        except CommitUncertain as error:
            landed = await self._landed(records, committed_offsets)
            metrics.UNCERTAIN_COMMITS.labels(self._group_id, str(landed).lower()).inc()
            if not landed:
                await self._back_off(records, error)
                raise
            committed = True
            log.warning(
                "%s: the commit of a batch of %d reported %s but had landed: not processed again",
                self.name,
                len(records),
                error,
            )
        except TRANSIENT as error:
            if isinstance(error, PublishedUncommitted) and self._stage is not None:
                self._stage.forget()  # an at-least-once try may have landed: re-read the head
            await self._back_off(records, error)
            raise
        finally:
            if self._stage is not None:
                self._stage.settled(committed)
        self._failures = 0
        self._count(topic, len(records), rerouted, time.monotonic() - began)
        await self._settle(result.after_publish)

    async def _top_up(self, records: list[Inbound], result: HandlerResult, more: More) -> None:
        """Handle the records fetched while ``records`` were handled, into the same commit.

        Why: at a trickle an application's three agency answers land a few
        milliseconds apart, and the last one waited for the first one's commit
        before it was even read (stop 21's traces: about 4 ms of every
        decision). Handled now, it commits with the first.

        Once per batch, so a busy topic cannot hold a commit back for ever;
        and only when ``result`` has nothing to run after the commit: a
        handler's ``after_publish`` marks (an application decided) are what
        its next call would read, and they are not written yet.
        """
        if result.after_publish:
            return
        extra = await more()
        if extra:
            records.extend(extra)
            result.merge(await self._handle(extra))

    def _count(self, topic: str, size: int, rerouted: Sequence[Outbound], seconds: float) -> None:
        """The committed batch in the metrics: per batch, never per record (cheap)."""
        labels = (self._group_id, topic)
        metrics.BATCHES.labels(*labels).inc()
        metrics.RECORDS.labels(*labels).inc(size)
        metrics.BATCH_SECONDS.labels(*labels).observe(seconds)
        dead = sum(1 for r in rerouted if r.topic.endswith(DLQ_SUFFIX))
        if dead:
            metrics.DEAD_LETTERED.labels(*labels).inc(dead)
        if len(rerouted) > dead:
            metrics.PARKED.labels(*labels).inc(len(rerouted) - dead)

    async def _prepare(self, records: list[Outbound]) -> list[Outbound]:
        """Outputs as sent: audit events chained, records of signed channels signed.

        Dead letters and parked records are not prepared: they keep the
        signature their original writer gave them.
        """
        return records if self._stage is None else await self._stage.prepare(records)

    async def _back_off(self, records: Sequence[Inbound], error: BaseException) -> None:
        self._failures += 1
        delay = self._policy.backoff.delay(self._failures)
        labels = (self._group_id, records[0].topic if records else "")
        metrics.BACKOFFS.labels(*labels).inc()
        metrics.BACKOFF_SECONDS.labels(*labels).inc(delay)
        log.warning(
            "%s: batch of %d will be retried in %.1fs after %s: %s",
            self.name,
            len(records),
            delay,
            type(error).__name__,
            error if isinstance(error, TransientFailure) else "",  # ours: no personal data
        )
        await asyncio.sleep(delay)

    async def _landed(self, records: Sequence[Inbound], committed: CommittedOffsets) -> bool:
        """Whether the batch's uncertain commit landed: its offsets are the group's now.

        Keeps trying while the broker is away: guessing either way is wrong
        (a rewind repeats the outputs, a skip loses the batch).
        """
        wanted = next_offsets(records)

        async def ask() -> bool:
            await self._outbox.fence()
            found = await asyncio.wait_for(committed(list(wanted)), RESOLVE_READ_TIMEOUT_S)
            return all((found.get(tp) or 0) >= offset for tp, offset in wanted.items())

        return await self._until_done(ask, "cannot yet tell whether an uncertain commit landed")

    async def _reach(self, point: str, topic: str) -> None:
        if self._fault is not None:
            await self._fault.reach(point, topic)

    async def _settle(self, follow_ups: Sequence[Callable[[], Awaitable[None]]]) -> None:
        """Run the post-commit marks until they succeed: the batch is committed, never rewind it."""
        for follow_up in follow_ups:
            await self._until_done(follow_up, "post-commit mark failed")

    async def _until_done(self, attempt: Callable[[], Awaitable[T]], trouble: str) -> T:
        """Try ``attempt`` until the world lets it through, backing off between tries.

        For steps after a commit was sent, where neither rewinding nor giving
        up is right: they must happen, however long an outage lasts.
        """
        failures = 0
        while True:
            try:
                return await attempt()
            except TRANSIENT as error:
                failures += 1
                delay = self._policy.backoff.delay(failures)
                log.warning(
                    "%s: %s (%s), trying again in %.1fs",
                    self.name,
                    trouble,
                    type(error).__name__,
                    delay,
                )
                await asyncio.sleep(delay)

    async def _handle(self, records: Sequence[Inbound]) -> HandlerResult:
        try:
            return await self._handler(records)
        except TRANSIENT:
            raise
        except Exception as error:
            if len(records) == 1:
                return self._failed(records[0], error)
        merged = HandlerResult()
        for record in records:
            try:
                merged.merge(await self._handler([record]))
            except TRANSIENT:
                raise
            except Exception as error:
                merged.merge(self._failed(record, error))
        return merged

    def _failed(self, record: Inbound, error: Exception) -> HandlerResult:
        # Frames only: an exception's message may quote personal data.
        frames = (
            ""
            if isinstance(error, PoisonMessage)
            else "".join(traceback.format_tb(error.__traceback__))
        )
        log.error(
            "%s: %s[%d]@%d failed: %s %s",
            self.name,
            record.topic,
            record.partition,
            record.offset,
            type(error).__name__,
            frames,
        )
        return HandlerResult(dead=[(record, error)])


def next_offsets(records: Sequence[Inbound]) -> dict[TopicPartition, int]:
    """The offsets to commit after ``records``: one past the last record of each partition."""
    offsets: dict[TopicPartition, int] = {}
    for record in records:
        tp = TopicPartition(record.topic, record.partition)
        offsets[tp] = max(offsets.get(tp, 0), record.offset + 1)
    return offsets
