"""A commit that failed after it may have landed: the pump asks the broker, never guesses."""

import pytest
from aiokafka import TopicPartition

from runtime.consumer import Backoff, BatchPump, FailurePolicy, HandlerResult
from runtime.errors import CommitUncertain
from runtime.records import Inbound
from runtime.sealing import DeadLetterSeal, new_key

FAST = Backoff(base_seconds=0.001, cap_seconds=0.002)
BATCH = [Inbound("t", 0, 10, b"k", b"a", ()), Inbound("t", 0, 11, b"k", b"b", ())]


class LostAnswerOutbox:
    """Every commit fails as uncertain; counts the fences that settle it."""

    transactional_id = "g.0.t"

    def __init__(self) -> None:
        self.fences = 0

    async def commit(self, records, offsets, group_id, before_commit=None) -> None:
        raise CommitUncertain("kafka transaction (commit): KafkaConnectionError")

    async def fence(self) -> None:
        self.fences += 1


def pump_with(outbox: LostAnswerOutbox, marks: list[str]) -> BatchPump:
    async def handler(batch):
        async def mark() -> None:
            marks.append("marked")

        return HandlerResult(after_publish=[mark])

    policy = FailurePolicy(seal=DeadLetterSeal(new_key()), backoff=FAST)
    return BatchPump(outbox, handler, group_id="g", failures=policy)


def committed_after(*answers):
    """A committed-offsets reader answering (or failing) in turn, recording each ask."""
    asked: list[list[TopicPartition]] = []

    async def read(partitions):
        asked.append(list(partitions))
        answer = answers[len(asked) - 1]
        if isinstance(answer, BaseException):
            raise answer
        return answer

    return read, asked


async def test_landed_commit_is_settled_not_rewound_even_when_the_broker_answers_late():
    outbox, marks = LostAnswerOutbox(), list[str]()
    read, asked = committed_after(TimeoutError(), {TopicPartition("t", 0): 12})
    await pump_with(outbox, marks).process(BATCH, read)  # no raise: nothing to read again
    assert marks == ["marked"]
    assert outbox.fences == 2  # fenced before each ask, so the old transaction was finished
    assert asked == [[TopicPartition("t", 0)]] * 2


async def test_commit_that_did_not_land_rewinds_and_marks_nothing():
    outbox, marks = LostAnswerOutbox(), list[str]()
    read, _ = committed_after({TopicPartition("t", 0): 10})
    with pytest.raises(CommitUncertain):
        await pump_with(outbox, marks).process(BATCH, read)
    assert marks == [] and outbox.fences == 1


async def test_no_committed_offset_at_all_means_not_landed():
    outbox, marks = LostAnswerOutbox(), list[str]()
    read, _ = committed_after({TopicPartition("t", 0): None})
    with pytest.raises(CommitUncertain):
        await pump_with(outbox, marks).process(BATCH, read)
    assert marks == []
