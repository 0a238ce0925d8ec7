"""The hub's consume loop on aiokafka: one group member, one task, each poll handed over whole.

Why not FastStream's batch subscriber (what the hub used until issue 15):
``bench/consume_cost.py`` measured it at 1.5x the CPU per record of a plain
``getmany`` loop when draining and 2x under a trickle of 88 records/s: it
logs two lines per batch, runs its middleware and decoder chain per batch,
and sleeps another ``batch_timeout_ms`` after every empty poll, which is an
idle latency floor on every hop. ``getmany`` here waits up to
:data:`POLL_TIMEOUT_MS` and returns as soon as records arrive: how long a
quiet fetch waits on the broker and how much it waits for is the consumer's
fetch sizing (:class:`FetchTuning`), the only knob that batches records.

What the loop keeps from the hub's consume policy (RELIABILITY.md):

* group subscription, ``read_committed``, no auto-commit (a batch's offsets
  go in its pump's transaction), ``auto_offset_reset=earliest``;
* :class:`HandOver`: on a rebalance, partitions are given away only once the
  batch in flight has committed or rewound, for up to :data:`HAND_OVER_WAIT_MS`
  (aiokafka's default, 10 s, was shorter than a slow batch);
* :meth:`Poll.rewind` reads a failed batch again, :meth:`Poll.committed`
  asks the broker for the group's committed offsets (``CommitUncertain``),
  :meth:`Poll.record_lag` sets the lag metric from the fetch's high watermarks;
* headers stay bytes (:class:`~runtime.records.Inbound`): a header that is
  not UTF-8 reaches the handler as it is and cannot wedge a partition;
* :meth:`ConsumeLoop.stop` stops polling, lets the batch in flight settle (up
  to :data:`STOP_GRACE_S`, FastStream's graceful timeout) and leaves the group.
"""

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import ConsumerStoppedError, KafkaError

from runtime import metrics
from runtime.consumer import next_offsets
from runtime.errors import TransientFailure
from runtime.kafka_security import bootstrap_list
from runtime.records import Inbound
from runtime.transactions import TRANSACTION_TIMEOUT_MS

log = logging.getLogger(__name__)

POLL_TIMEOUT_MS = 1000
"""Longest one ``getmany`` waits with nothing fetched; it returns as soon as records arrive."""
MORE_WAIT_S = 0.05
"""Longest :meth:`Poll.more` waits for what is already fetched (it only waits on a rebalance)."""
STOP_GRACE_S = 15.0
"""How long :meth:`ConsumeLoop.stop` lets a batch in flight finish before cancelling it."""
HAND_OVER_WAIT_MS = TRANSACTION_TIMEOUT_MS
"""How long the group waits for a member to give its partitions up on a rebalance.

aiokafka's default is the session timeout (10 s): a member whose batch took
longer lost its partitions to the new member while still committing it,
and both then worked on the same records. A batch whose transaction stays
open longer than the transaction timeout is aborted by the broker anyway,
so waiting that long covers every batch that can still commit.
"""
ERROR_PAUSE_S = 2.0
"""Pause after a poll failed with a Kafka error (the client reconnects meanwhile)."""


@dataclass(frozen=True)
class FetchTuning:
    """How much a poll takes and how long a fetch waits on the broker for it.

    ``fetch_min_bytes`` / ``fetch_max_wait_ms`` are the broker-side long poll:
    a fetch is answered once that many bytes are there or the wait is over,
    so under a trickle several records share a fetch (and a transaction)
    instead of one each, at the cost of at most the wait in latency.
    """

    max_records: int
    fetch_min_bytes: int = 1
    fetch_max_wait_ms: int = 500


class HandOver(ConsumerRebalanceListener):  # type: ignore[misc]
    """Gives partitions away only once the batch in flight is committed or rewound."""

    def __init__(self, busy: asyncio.Lock) -> None:
        self._busy = busy

    async def on_partitions_revoked(self, revoked: Any) -> None:
        """Wait for the batch in flight; its transaction commits or aborts before hand-over."""
        async with self._busy:
            return

    async def on_partitions_assigned(self, assigned: Any) -> None:
        """Nothing to do: positions come from the committed offsets."""


def inbound(record: Any) -> Inbound:
    """The hub's view of one aiokafka record (headers as bytes: nothing is decoded here)."""
    return Inbound(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value,
        headers=tuple(record.headers or ()),
    )


class Poll:
    """One ``getmany``'s records, and what the consume policy asks of their consumer."""

    def __init__(self, consumer: AIOKafkaConsumer, records: list[Inbound]) -> None:
        self._consumer = consumer
        self.records = records

    def by_topic(self) -> dict[str, list[Inbound]]:
        """The poll's records per topic, each in partition order."""
        found: dict[str, list[Inbound]] = {}
        for record in self.records:
            found.setdefault(record.topic, []).append(record)
        return found

    async def committed(
        self, partitions: Sequence[TopicPartition]
    ) -> Mapping[TopicPartition, int | None]:
        """The group's committed offsets as the broker has them (not this consumer's positions)."""
        return {tp: await self._consumer.committed(tp) for tp in partitions}

    async def more(self, limit: int) -> list[Inbound]:
        """Up to ``limit`` records fetched since this poll, without waiting; they join ``records``.

        Nothing when the consumer has none buffered, or cannot say: the
        records are then read by the next poll as usual. Nothing either while
        the group is rebalancing: aiokafka's ``getmany`` then waits for the
        new assignment, and the assignment waits for the batch in flight
        (:class:`HandOver`), which is the caller; the bound on the wait
        breaks that circle (the fault suite's gateway-rebalance found it).
        With ``timeout_ms=0`` that is ``getmany``'s only wait, so cutting it
        short never drops records it had taken.
        """
        if limit <= 0:
            return []
        try:
            polled = await asyncio.wait_for(
                self._consumer.getmany(timeout_ms=0, max_records=limit), MORE_WAIT_S
            )
        except KafkaError as error:  # the next poll meets the consumer's trouble too
            log.warning("a poll's top-up failed: %s: %s", type(error).__name__, error)
            return []
        except (ConsumerStoppedError, TimeoutError):
            return []
        extra = [inbound(r) for batch in polled.values() for r in batch]
        self.records.extend(extra)
        return extra

    def rewind(self, records: Sequence[Inbound]) -> None:
        """Read ``records`` again: seek each of their partitions back to its first one."""
        earliest: dict[TopicPartition, int] = {}
        for record in records:
            tp = TopicPartition(record.topic, record.partition)
            earliest[tp] = min(earliest.get(tp, record.offset), record.offset)
        for tp, offset in earliest.items():
            try:
                self._consumer.seek(tp, offset)
            except Exception:  # partition revoked meanwhile: its new owner starts from the commit
                log.debug("could not rewind %s", tp, exc_info=True)

    def record_lag(self, group: str, topic: str, records: Sequence[Inbound]) -> None:
        """Records behind ``records`` on their partitions (the fetch's high watermarks, no I/O)."""
        behind = 0
        for tp, next_offset in next_offsets(records).items():
            end = self._consumer.highwater(tp)
            if end is not None:
                behind += max(0, end - next_offset)
        metrics.LAG.labels(group, topic).set(behind)


OnPoll = Callable[[Poll], Awaitable[None]]
"""Handles one poll; holds the loop's ``busy`` lock while it does (see :class:`HandOver`)."""


@dataclass(frozen=True)
class Connection:
    """Where and as whom a loop's consumer connects (``security``: ``kafka_options()``)."""

    bootstrap_servers: str
    client_id: str
    security: Mapping[str, Any]


class ConsumeLoop:
    """One consumer-group member over ``topics``, polling until stopped, one poll at a time."""

    def __init__(
        self,
        topics: Sequence[str],
        *,
        group_id: str,
        on_poll: OnPoll,
        busy: asyncio.Lock,
        tuning: FetchTuning,
        connection: Connection,
        description: str = "",
    ) -> None:
        """``busy`` is held by ``on_poll`` while a batch is in flight; a rebalance waits for it."""
        self.topics = list(topics)
        self.description = description
        self.group_id = group_id
        self._on_poll = on_poll
        self._busy = busy
        self._tuning = tuning
        self._connection = connection
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._running = False
        self._handling = False

    async def start(self) -> None:
        """Join the group and start polling."""
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_list(self._connection.bootstrap_servers),
            client_id=self._connection.client_id,
            group_id=self.group_id,
            enable_auto_commit=False,  # offsets go in the pumps' transactions
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            fetch_min_bytes=self._tuning.fetch_min_bytes,
            fetch_max_wait_ms=self._tuning.fetch_max_wait_ms,
            rebalance_timeout_ms=HAND_OVER_WAIT_MS,
            **self._connection.security,
        )
        consumer.subscribe(self.topics, listener=HandOver(self._busy))
        await consumer.start()
        self._consumer = consumer
        log.info("%s: consuming %s: %s", self.group_id, ", ".join(self.topics), self.description)
        self._running = True
        self._task = asyncio.create_task(self._run(consumer), name=f"consume {self.group_id}")

    async def commit_offsets(self, offsets: Mapping[TopicPartition, int]) -> None:
        """Commit ``offsets`` for this loop's group, as its member (at-least-once hops).

        Raises aiokafka's error when the member is no longer in the group's
        generation (a rebalance took its partitions): the caller reads the
        batch again, and the partitions' new owner reads it too.
        """
        consumer = self._consumer
        if consumer is None:
            raise TransientFailure(f"{self.group_id}: the consume loop is stopped")
        await consumer.commit(dict(offsets))

    async def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Stop polling; let a batch in flight settle (``grace_s`` at most); leave the group."""
        self._running = False
        task, self._task = self._task, None
        if task is not None:
            if not self._handling:
                task.cancel()  # waiting in getmany: nothing is in flight
            try:
                await asyncio.wait_for(asyncio.shield(task), grace_s)
            except TimeoutError:
                log.warning(
                    "%s: the batch in flight did not settle in %.0fs", self.group_id, grace_s
                )
                task.cancel()
            except asyncio.CancelledError:
                if not task.cancelled():
                    raise  # stop() itself was cancelled
            await asyncio.gather(task, return_exceptions=True)
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            await consumer.stop()

    async def _run(self, consumer: AIOKafkaConsumer) -> None:
        """Poll and hand each non-empty poll over, until :meth:`stop` ends the task."""
        while self._running:
            try:
                polled = await consumer.getmany(
                    timeout_ms=POLL_TIMEOUT_MS, max_records=self._tuning.max_records
                )
            except ConsumerStoppedError:
                return
            except KafkaError as error:
                log.error("%s: poll failed: %s: %s", self.group_id, type(error).__name__, error)
                await asyncio.sleep(ERROR_PAUSE_S)
                continue
            if not polled:
                continue
            records = [inbound(r) for batch in polled.values() for r in batch]
            self._handling = True
            try:
                await self._on_poll(Poll(consumer, records))
            except Exception as error:  # the callback has rewound: the next poll reads it again
                log.error(  # frames only: an exception's message may quote personal data
                    "%s: a batch of %d failed: %s\n%s",
                    self.group_id,
                    len(records),
                    type(error).__name__,
                    "".join(traceback.format_tb(error.__traceback__)),
                )
            finally:
                self._handling = False
