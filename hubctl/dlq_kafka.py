"""Kafka I/O of the dead-letter CLI: reading ``.dlq`` topics, re-drive progress, transactions.

Reads never join a consumer group (partitions are assigned by hand), so
listing or inspecting never moves anyone's offsets; the only writes are the
re-drive transactions, which send records and commit the re-drive group's
offsets together.
"""

import asyncio
from collections.abc import Sequence
from contextlib import AsyncExitStack
from types import TracebackType
from typing import Any, Self

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaTimeoutError
from aiokafka.structs import ConsumerRecord, TopicPartition

from contracts.topics import DLQ_SUFFIX
from hubctl.console import Refused, admin_client, reader
from hubctl.dlq_letters import DeadLetter
from hubctl.dlq_progress import REDRIVE_GROUP, Batch, RedriveProgress
from runtime.kafka_security import from_environment

READ_TIMEOUT_S = 30.0
"""How long reading up to a partition's end may take before the CLI gives up."""


class DlqCluster:
    """A read-committed view of the cluster's dead-letter topics; use ``async with``."""

    def __init__(self, bootstrap: str) -> None:
        self._bootstrap = bootstrap
        self._clients = AsyncExitStack()
        self._consumer: Any = None
        self._admin: Any = None

    async def __aenter__(self) -> Self:
        async with AsyncExitStack() as clients:
            self._consumer = await clients.enter_async_context(reader(self._bootstrap))
            self._admin = await clients.enter_async_context(admin_client(self._bootstrap))
            self._clients = clients.pop_all()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._clients.aclose()

    async def topics(self) -> dict[str, list[int]]:
        """Every topic of the cluster with its partitions.

        One metadata request for all topics: asking for a named topic could
        make a broker with ``auto.create.topics.enable`` create it.
        """
        described = await self._admin.describe_topics()
        return {
            t["topic"]: sorted(p["partition"] for p in t["partitions"])
            for t in described
            if not t["error_code"]
        }

    async def dead_letter_topics(self) -> list[str]:
        """Every ``.dlq`` topic, sorted."""
        return sorted(t for t in await self.topics() if t.endswith(DLQ_SUFFIX))

    async def require(self, topic: str) -> list[int]:
        """The partitions of ``topic``; refuses an unknown topic."""
        partitions = (await self.topics()).get(topic)
        if partitions is None:
            raise Refused(f"unknown topic {topic}")
        return partitions

    async def bounds(self, topic: str, partitions: Sequence[int]) -> dict[int, tuple[int, int]]:
        """``partition -> (log start, last stable offset)``: the readable committed range."""
        tps = [TopicPartition(topic, p) for p in partitions]
        starts = await self._consumer.beginning_offsets(tps)
        ends = await self._consumer.end_offsets(tps)
        return {tp.partition: (starts[tp], ends[tp]) for tp in tps}

    async def progress(
        self, topic: str, bounds: dict[int, tuple[int, int]]
    ) -> dict[int, RedriveProgress]:
        """The re-drive group's progress on every partition of ``topic``."""
        commits = await self._admin.list_consumer_group_offsets(REDRIVE_GROUP)
        found: dict[int, RedriveProgress] = {}
        for partition, (start, _) in bounds.items():
            commit = commits.get(TopicPartition(topic, partition))
            offset, metadata = (commit.offset, commit.metadata or "") if commit else (None, "")
            found[partition] = RedriveProgress.from_commit(offset, metadata, start)
        return found

    async def read(self, topic: str, ranges: dict[int, tuple[int, int]]) -> list[DeadLetter]:
        """Every committed record in ``[first, end)`` of each partition, in offset order."""
        wanted = {TopicPartition(topic, p): r for p, r in ranges.items() if r[0] < r[1]}
        if not wanted:
            return []
        self._consumer.assign(list(wanted))
        for tp, (first, _) in wanted.items():
            self._consumer.seek(tp, first)
        letters: list[DeadLetter] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + READ_TIMEOUT_S
        while not await self._reached(wanted):
            if loop.time() > deadline:
                raise KafkaTimeoutError(f"reading {topic} did not reach its end in time")
            batches = await self._consumer.getmany(*wanted, timeout_ms=500)
            for tp, records in batches.items():
                end = wanted[tp][1]
                letters.extend(_letter(r) for r in records if r.offset < end)
        return sorted(letters, key=lambda letter: (letter.partition, letter.offset))

    async def _reached(self, wanted: dict[TopicPartition, tuple[int, int]]) -> bool:
        """Whether every partition's read position is at or past its end."""
        for tp, (_, end) in wanted.items():
            if await self._consumer.position(tp) < end:
                return False
        return True

    async def read_one(self, topic: str, partition: int, offset: int) -> DeadLetter:
        """The dead letter at exactly ``topic/partition/offset``; refuses any other."""
        partitions = await self.require(topic)
        if partition not in partitions:
            raise Refused(f"{topic} has no partition {partition}")
        start, end = (await self.bounds(topic, [partition]))[partition]
        if not start <= offset < end:
            raise Refused(f"{topic}/{partition} has offsets {start}..{end - 1}, not {offset}")
        for letter in await self.read(topic, {partition: (offset, offset + 1)}):
            if letter.offset == offset:
                return letter
        raise Refused(f"no record at {topic}/{partition}/{offset} (transaction marker or aborted)")


def _letter(record: ConsumerRecord) -> DeadLetter:
    """Our frozen view of an aiokafka record (aiokafka ships no type hints)."""
    return DeadLetter(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value,
        headers=tuple(record.headers),
    )


class RedriveProducer:
    """The transactional producer of one ``.dlq`` topic's re-drives; use ``async with``.

    Its transactional id is fixed per dead-letter topic, so starting it fences
    any earlier re-drive of that topic still running and waits for that one's
    open transaction to end: the group offsets read afterwards are final.
    """

    def __init__(self, bootstrap: str, dlq_topic: str) -> None:
        self._topic = dlq_topic
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap,
            client_id="hubctl-dlq-redrive",
            transactional_id=f"{REDRIVE_GROUP}.{dlq_topic}",
            enable_idempotence=True,
            acks="all",
            **from_environment(bootstrap),
        )

    async def __aenter__(self) -> Self:
        await self._producer.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._producer.stop()

    async def commit(self, batch: Batch) -> None:
        """Send the batch's records and commit its group progress in one transaction."""
        async with self._producer.transaction():
            for redrive in batch.redrives:
                await self._producer.send(
                    redrive.topic, redrive.value, key=redrive.key, headers=list(redrive.headers)
                )
            if batch.progress:
                offsets = {
                    TopicPartition(self._topic, p): (done.committed, done.metadata())
                    for p, done in batch.progress.items()
                }
                await self._producer.send_offsets_to_transaction(offsets, REDRIVE_GROUP)
