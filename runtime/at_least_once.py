"""Publishing a batch, then committing its offsets: at least once, for hops whose reader dedupes.

Why a second delivery mode next to :mod:`runtime.transactions`: a Kafka
transaction costs each hop about nine broker requests (AddPartitionsToTxn,
the produce and the broker's KIP-890 check of it, AddOffsetsToTxn,
TxnOffsetCommit and its check, EndTxn, the commit markers) and, in aiokafka,
4-6 ms of client CPU; at a trickle every registration pays that at every hop.
A produce and an offset commit are two requests. BENCHMARKS.md, stop 20,
has the measurements.

When this is right: the hop's input can be handled twice with no harm
(the agency adapters' call is a read) and every reader of its output drops
a repeat by its key. The gateway does, for agency answers: an answer
overwrites the same field of its application, and an application with a
final decision is never decided again (``gateway/handlers.py``). It is
wrong for anything whose repeat someone downstream would act on: decisions,
customs messages and emails keep their transactions.

What a crash can do here: records published, offsets not committed. The
batch is read again and its records published a second time; read_committed
readers see both (they were never inside a transaction to abort). Nothing is
lost: offsets are committed only after every record of the batch was
acknowledged by ``acks=all``. The producer is idempotent, so a retried
produce inside one session is written once.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aiokafka import TopicPartition
from aiokafka.errors import KafkaError

from runtime.consumer import BatchTransaction
from runtime.errors import PublishedUncommitted, TransientFailure
from runtime.outbox import Outbox
from runtime.records import Outbound
from runtime.transactions import BeforeCommit

CommitOffsets = Callable[[Mapping[TopicPartition, int]], Awaitable[None]]
"""Commits a group's offsets through the consumer that read them (its member id, generation)."""


class AtLeastOnceOutbox:
    """A :class:`~runtime.consumer.BatchTransaction` without a transaction: publish, then commit.

    It publishes with an idempotent ``acks=all`` :class:`Outbox` of its own
    (no linger: a batch's records are all handed over before the first wait)
    and commits offsets through the consume loop that read the batch, bound
    with :meth:`bind` once that loop exists.
    """

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        name: str,
        client_id: str,
        security: Mapping[str, Any],
    ) -> None:
        """``name`` stands where a transactional id would: logs, metrics, the audit chain's id."""
        self._outbox = Outbox(
            bootstrap_servers, client_id=client_id, security=security, linger_ms=0
        )
        self.transactional_id = name
        self._commit_offsets: CommitOffsets | None = None

    def bind(self, commit_offsets: CommitOffsets) -> None:
        """Commit offsets with ``commit_offsets`` (the consume loop's own consumer)."""
        self._commit_offsets = commit_offsets

    async def start(self) -> None:
        """Connect the producer."""
        await self._outbox.start()

    async def stop(self) -> None:
        """Flush and disconnect the producer."""
        await self._outbox.stop()

    async def commit(
        self,
        records: Sequence[Outbound],
        offsets: Mapping[TopicPartition, int],
        group_id: str,
        before_commit: BeforeCommit | None = None,
    ) -> None:
        """Publish ``records`` and wait for every acknowledgement; then commit ``offsets``.

        Raises :class:`PublishedUncommitted` (a :class:`TransientFailure`) on
        a broker error either side: the pump rewinds and the batch runs again,
        its records published again if they already were (the reader drops
        the repeat), and an audit chain re-reads its head. Never
        ``CommitUncertain``: reading a batch twice is this mode's answer to
        every doubt. ``group_id`` is the loop's own group, which the bound
        consumer commits for.
        """
        commit_offsets = self._commit_offsets
        if commit_offsets is None:
            raise RuntimeError(f"{self.transactional_id}: bind() a consume loop before commit()")
        try:
            await self._outbox.publish(records)
        except TransientFailure as error:  # some records may have landed
            raise PublishedUncommitted(str(error)) from error
        try:
            if before_commit is not None:
                await before_commit()
            if offsets:
                await commit_offsets(offsets)
        except (KafkaError, TransientFailure) as error:  # every record has landed
            raise PublishedUncommitted(
                f"offset commit after publishing ({group_id}): {type(error).__name__}"
            ) from error

    async def fence(self) -> None:
        """Nothing to settle: no transaction is ever left open."""


RepeatsDropped = Callable[[Sequence[Outbound]], bool]
"""Whether every reader of every one of these records drops a repeat of it."""


class PerBatchDelivery:
    """At least once for a batch whose outputs may repeat; in a transaction otherwise.

    Why: the gateway's intake publishes questions to the agencies for most
    submissions, and a decision for the few it decides at once (a form
    refused, nothing an agency can check). A repeated question is harmless (the
    adapter answers again, the gateway drops the second answer); a repeated
    decision is not. ``repeats_dropped`` judges each batch's records (dead
    letters and retries included) and picks the commit.

    Both commit the same group's offsets. A plain offset commit often lands
    right after a transaction's, before the transaction's markers; the group
    must not go back to the transaction's offsets when the markers land. It
    does not: the coordinator keeps the offset written to
    ``__consumer_offsets`` last, which ``tests/integration/test_consume_policy.py``
    checks on the real broker with the two kinds of batch in turn.
    """

    def __init__(
        self,
        transactional: BatchTransaction,
        at_least_once: AtLeastOnceOutbox,
        repeats_dropped: RepeatsDropped,
    ) -> None:
        self._transactional = transactional
        self._at_least_once = at_least_once
        self._repeats_dropped = repeats_dropped
        self.transactional_id = transactional.transactional_id

    def bind(self, commit_offsets: CommitOffsets) -> None:
        """Its at-least-once side commits through the consume loop (:class:`AtLeastOnceOutbox`)."""
        self._at_least_once.bind(commit_offsets)

    async def commit(
        self,
        records: Sequence[Outbound],
        offsets: Mapping[TopicPartition, int],
        group_id: str,
        before_commit: BeforeCommit | None = None,
    ) -> None:
        """Commit at least once when ``repeats_dropped(records)``, else in one transaction."""
        chosen = self._at_least_once if self._repeats_dropped(records) else self._transactional
        await chosen.commit(records, offsets, group_id, before_commit)

    async def fence(self) -> None:
        """Settle the transactional side: only a transaction can leave a commit uncertain."""
        await self._transactional.fence()
