"""Records fetched while a batch was handled join its commit, once, when nothing waits on it."""

import asyncio

import pytest
from aiokafka import TopicPartition

from runtime.consumer import Backoff, BatchPump, FailurePolicy, HandlerResult
from runtime.errors import TransientFailure
from runtime.kafka_loop import Poll
from runtime.records import Inbound, Outbound
from runtime.sealing import DeadLetterSeal, new_key

FAST = Backoff(base_seconds=0.001, cap_seconds=0.002)
FIRST = [Inbound("answers", 0, 10, b"k", b"nib", ())]
LATE = [Inbound("answers", 0, 11, b"k", b"npwp", ()), Inbound("answers", 1, 4, b"j", b"nik", ())]


class Outbox:
    """Keeps what each commit published and committed; fails when told to."""

    transactional_id = "gateway.0.answers"

    def __init__(self, failure: BaseException | None = None) -> None:
        self.commits: list[tuple[list[bytes], dict[TopicPartition, int]]] = []
        self.failure = failure

    async def commit(self, records, offsets, group_id, before_commit=None) -> None:
        if self.failure is not None:
            raise self.failure
        self.commits.append(([r.value for r in records], dict(offsets)))

    async def fence(self) -> None:
        pass


def pump(outbox: Outbox, handled: list[list[bytes]], *, decides: bool = False) -> BatchPump:
    async def handler(batch):
        handled.append([r.value for r in batch])
        result = HandlerResult(
            outbound=[Outbound("audit", r.key, b"got " + r.value) for r in batch]
        )
        if decides:

            async def mark() -> None:
                pass

            result.after_publish.append(mark)
        return result

    policy = FailurePolicy(seal=DeadLetterSeal(new_key()), backoff=FAST)
    return BatchPump(outbox, handler, group_id="gateway", failures=policy)


def arriving(*rounds: list[Inbound]):
    """``more`` answering each round in turn (then nothing), counting the asks."""
    asks: list[int] = []

    async def more():
        asks.append(1)
        return rounds[len(asks) - 1] if len(asks) <= len(rounds) else []

    return more, asks


async def nothing_committed(partitions):
    return {}


async def test_records_that_arrived_meanwhile_commit_with_the_batch():
    outbox, handled = Outbox(), list[list[bytes]]()
    more, asks = arriving(LATE, [Inbound("answers", 0, 12, b"k", b"later still", ())])
    await pump(outbox, handled).process(FIRST, nothing_committed, more=more)
    assert handled == [[b"nib"], [b"npwp", b"nik"]]  # the late ones in a handler call of their own
    assert asks == [1]  # once per batch: a busy topic cannot hold the commit back
    [(published, offsets)] = outbox.commits  # one commit, not two
    assert published == [b"got nib", b"got npwp", b"got nik"]
    assert offsets == {TopicPartition("answers", 0): 12, TopicPartition("answers", 1): 5}


async def test_a_batch_with_marks_to_write_after_its_commit_commits_alone():
    outbox, handled = Outbox(), list[list[bytes]]()
    more, asks = arriving(LATE)
    await pump(outbox, handled, decides=True).process(FIRST, nothing_committed, more=more)
    assert asks == []  # the marks are what the next handler call would read
    assert handled == [[b"nib"]]
    assert outbox.commits == [([b"got nib"], {TopicPartition("answers", 0): 11})]


async def test_a_failed_commit_leaves_the_late_records_to_be_read_again():
    outbox, handled = Outbox(TransientFailure("broker away")), list[list[bytes]]()
    more, _ = arriving(LATE)
    with pytest.raises(TransientFailure):
        await pump(outbox, handled).process(FIRST, nothing_committed, more=more)
    assert handled == [[b"nib"], [b"npwp", b"nik"]]
    assert outbox.commits == []


class Consumer:
    """aiokafka's consumer as a poll sees it: buffered records, and where it was sent back."""

    def __init__(self, buffered: list) -> None:
        self.buffered = buffered
        self.asked: list[tuple[int, int]] = []
        self.seeks: dict[TopicPartition, int] = {}

    async def getmany(self, *, timeout_ms: int, max_records: int):
        self.asked.append((timeout_ms, max_records))
        taken, self.buffered = self.buffered[:max_records], self.buffered[max_records:]
        return {TopicPartition("answers", 0): taken} if taken else {}

    def seek(self, tp, offset) -> None:
        self.seeks[tp] = offset


class Record:
    def __init__(self, offset: int) -> None:
        self.topic, self.partition, self.offset = "answers", 0, offset
        self.key, self.value = b"k", b"v"
        self.headers: list[tuple[str, bytes]] = []


async def test_a_poll_takes_what_is_buffered_without_waiting_and_rewinds_it_with_the_rest():
    consumer = Consumer([Record(11), Record(12), Record(13)])
    poll = Poll(consumer, list(FIRST))
    extra = await poll.more(2)
    assert consumer.asked == [(0, 2)]  # no wait, and no more than the batch has room for
    assert [r.offset for r in extra] == [11, 12]
    assert [r.offset for r in poll.records] == [10, 11, 12]
    assert await poll.more(0) == [] and consumer.asked == [(0, 2)]  # a full batch asks nothing
    poll.rewind(poll.records)
    assert consumer.seeks == {TopicPartition("answers", 0): 10}


class Rebalancing(Consumer):
    """aiokafka's consumer while the group reassigns: ``getmany`` waits for the assignment."""

    def __init__(self, buffered: list) -> None:
        super().__init__(buffered)
        self.assigned = asyncio.Event()  # set only once the batch in flight is done

    async def getmany(self, *, timeout_ms: int, max_records: int):
        await self.assigned.wait()
        return await super().getmany(timeout_ms=timeout_ms, max_records=max_records)


async def test_a_poll_takes_nothing_while_the_group_waits_for_the_batch_in_flight():
    consumer = Rebalancing([Record(11)])
    poll = Poll(consumer, list(FIRST))
    extra = await asyncio.wait_for(poll.more(10), timeout=5)  # no deadlock with the hand-over
    assert extra == []
    assert [r.offset for r in poll.records] == [10]
    assert consumer.buffered  # the buffered record stays for the next poll
