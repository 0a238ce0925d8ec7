"""The order of a transaction's requests: its offsets go out while its records are on the wire.

A fake producer stands in for aiokafka's, so the test sees what the outbox
asks for and when; tests/integration/test_consume_policy.py and the fault
suite run the same outbox against a real broker.
"""

import asyncio

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import KafkaConnectionError

from runtime.errors import CommitUncertain, TransientFailure
from runtime.records import Outbound
from runtime.transactions import TransactionalOutbox

TP = TopicPartition("insw.agency.answer.v1", 0)


class Producer:
    """Records what the outbox asks for; acknowledgements land only when the test says."""

    def __init__(
        self, *, ack_error: Exception | None = None, commit_error: Exception | None = None
    ):
        self.calls: list[str] = []
        self.acks: list[asyncio.Future[None]] = []
        self.offsets_answered = asyncio.Event()
        self.ack_error = ack_error
        self.commit_error = commit_error
        self.stopped = False

    async def begin_transaction(self) -> None:
        self.calls.append("begin")

    async def send(self, topic, value, *, key, headers):
        self.calls.append(f"send {topic}")
        ack: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.acks.append(ack)
        return ack

    async def send_offsets_to_transaction(self, offsets, group_id) -> None:
        self.calls.append(f"offsets {group_id}")
        await self.offsets_answered.wait()
        self.calls.append("offsets answered")

    async def commit_transaction(self) -> None:
        self.calls.append("commit")
        if self.commit_error is not None:
            raise self.commit_error

    async def stop(self) -> None:
        self.stopped = True


def outbox_with(producer: Producer) -> TransactionalOutbox:
    outbox = TransactionalOutbox("127.0.0.1:1", transactional_id="t", client_id="test", security={})
    outbox._producer = producer  # type: ignore[assignment]
    return outbox


async def acknowledge(producer: Producer) -> None:
    """Let the outbox run until it waits, then acknowledge (or fail) every record."""
    await asyncio.sleep(0.01)
    for ack in producer.acks:
        if producer.ack_error is not None:
            ack.set_exception(producer.ack_error)
        else:
            ack.set_result(None)


async def test_the_offsets_are_asked_for_before_the_records_are_acknowledged():
    producer = Producer()
    seen_by_hook: list[str] = []

    async def before_commit() -> None:
        seen_by_hook.extend(producer.calls)

    commit = asyncio.create_task(
        outbox_with(producer).commit(
            [Outbound("insw.registration.decided.v1", b"k", b"v")],
            {TP: 8},
            "gateway",
            before_commit,
        )
    )
    await asyncio.sleep(0.01)
    assert producer.calls == ["begin", "send insw.registration.decided.v1", "offsets gateway"]
    assert not commit.done()  # nothing commits while the records are unacknowledged
    await acknowledge(producer)
    await asyncio.sleep(0.01)
    assert "commit" not in producer.calls  # nor while the offsets are unanswered
    producer.offsets_answered.set()
    await commit
    assert producer.calls[-2:] == ["offsets answered", "commit"]
    assert seen_by_hook[:3] == ["begin", "send insw.registration.decided.v1", "offsets gateway"]
    assert "commit" not in seen_by_hook  # the kill point is still before the commit


async def test_a_failed_acknowledgement_aborts_and_leaves_no_offsets_request_running():
    producer = Producer(ack_error=KafkaConnectionError("broker gone"))
    outbox = outbox_with(producer)
    commit = asyncio.create_task(
        outbox.commit([Outbound("insw.registration.decided.v1", b"k", b"v")], {TP: 8}, "gateway")
    )
    await acknowledge(producer)
    with pytest.raises(TransientFailure, match=r"kafka transaction \(send\)"):
        await commit
    assert producer.stopped and outbox._producer is None  # rebuilt, aborting, next batch
    assert "commit" not in producer.calls
    pending = [t for t in asyncio.all_tasks() if "send_offsets" in repr(t.get_coro())]
    assert pending == []


async def test_a_failing_commit_is_still_uncertain():
    producer = Producer(commit_error=KafkaConnectionError("coordinator gone"))
    producer.offsets_answered.set()
    commit = asyncio.create_task(
        outbox_with(producer).commit(
            [Outbound("insw.registration.decided.v1", b"k", b"v")], {TP: 8}, "gateway"
        )
    )
    await acknowledge(producer)
    with pytest.raises(CommitUncertain):
        await commit


async def test_a_batch_without_offsets_sends_none():
    producer = Producer()
    commit = asyncio.create_task(
        outbox_with(producer).commit([Outbound("insw.audit.v1", b"k", b"v")], {}, "gateway")
    )
    await acknowledge(producer)
    await commit
    assert producer.calls == ["begin", "send insw.audit.v1", "commit"]
