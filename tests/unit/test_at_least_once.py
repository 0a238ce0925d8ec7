"""The at-least-once outbox's order of steps and its failures, without a broker.

The broker-backed proof (a crash between publish and commit delivers the
batch twice and loses nothing) is in tests/integration/test_consume_policy.py.
"""

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import CommitFailedError, KafkaConnectionError

from runtime.at_least_once import AtLeastOnceOutbox, PerBatchDelivery
from runtime.consumer import Backoff, BatchPump, FailurePolicy, HandlerResult
from runtime.errors import PublishedUncommitted, TransientFailure
from runtime.records import Inbound, Outbound
from runtime.sealing import DeadLetterSeal, new_key

TP = TopicPartition("insw.verification.nik.requested.v1", 0)
RECORD = Outbound("insw.verification.completed.v1", b"k", b"answer")
BATCH = [Inbound("insw.verification.nik.requested.v1", 0, 7, b"k", b"q", ())]
FAST = Backoff(base_seconds=0.001, cap_seconds=0.002)


class Steps:
    """Records what happened, in order; fails the step it is told to."""

    def __init__(self, fail: str = "") -> None:
        self.fail = fail
        self.done: list[str] = []

    async def publish(self, records):
        if self.fail == "publish":
            raise TransientFailure("kafka: KafkaConnectionError")
        self.done.append(f"publish {len(records)}")

    async def before_commit(self):
        self.done.append("before-commit")

    async def commit_offsets(self, offsets):
        if self.fail == "commit":
            raise CommitFailedError("the group rebalanced")
        if self.fail == "connection":
            raise KafkaConnectionError("broker gone")
        self.done.append(f"commit {dict(offsets)}")


def outbox(steps: Steps, *, bound: bool = True) -> AtLeastOnceOutbox:
    box = AtLeastOnceOutbox("127.0.0.1:9", name="g.0.t", client_id="g", security={})
    box._outbox.publish = steps.publish  # type: ignore[method-assign]
    if bound:
        box.bind(steps.commit_offsets)
    return box


async def test_records_are_acknowledged_before_the_offsets_are_committed():
    steps = Steps()
    await outbox(steps).commit([RECORD, RECORD], {TP: 8}, "g", steps.before_commit)
    assert steps.done == ["publish 2", "before-commit", f"commit { {TP: 8} }"]


async def test_a_failed_publish_commits_nothing_so_the_batch_is_read_again():
    steps = Steps(fail="publish")
    with pytest.raises(PublishedUncommitted):
        await outbox(steps).commit([RECORD], {TP: 8}, "g", steps.before_commit)
    assert steps.done == []


@pytest.mark.parametrize("fail", ["commit", "connection"])
async def test_a_failed_commit_after_publishing_is_transient_never_uncertain(fail):
    steps = Steps(fail=fail)
    with pytest.raises(PublishedUncommitted, match="offset commit after publishing"):
        await outbox(steps).commit([RECORD], {TP: 8}, "g", steps.before_commit)
    assert steps.done == ["publish 1", "before-commit"]


async def test_a_failure_at_the_kill_point_after_publishing_counts_as_landed():
    steps = Steps()

    async def crash():
        raise TransientFailure("simulated crash between publish and commit")

    with pytest.raises(PublishedUncommitted, match="TransientFailure"):
        await outbox(steps).commit([RECORD], {TP: 8}, "g", crash)
    assert steps.done == ["publish 1"]


async def test_an_unbound_outbox_refuses_before_publishing_anything():
    steps = Steps()
    with pytest.raises(RuntimeError, match="bind"):
        await outbox(steps, bound=False).commit([RECORD], {TP: 8}, "g")
    assert steps.done == []


async def test_a_batch_without_offsets_publishes_and_commits_nothing():
    steps = Steps()
    await outbox(steps).commit([RECORD], {}, "g")
    assert steps.done == ["publish 1"]


class FakeTransaction:
    """Stands for the transactional outbox: records commits and fences."""

    transactional_id = "g.0.t"

    def __init__(self, steps: Steps) -> None:
        self.steps = steps

    async def commit(self, records, offsets, group_id, before_commit=None):
        self.steps.done.append(f"transaction {len(records)}")

    async def fence(self):
        self.steps.done.append("fence")


def per_batch(steps: Steps) -> PerBatchDelivery:
    def repeats_dropped(records):
        return all(r.topic.endswith(".requested.v1") for r in records)

    return PerBatchDelivery(FakeTransaction(steps), outbox(steps, bound=False), repeats_dropped)


async def test_per_batch_delivery_publishes_questions_alone_at_least_once():
    steps = Steps()
    delivery = per_batch(steps)
    delivery.bind(steps.commit_offsets)
    question = Outbound("insw.verification.nik.requested.v1", b"k", b"q")
    await delivery.commit([question, question], {TP: 3}, "g")
    await delivery.commit([], {TP: 4}, "g")
    assert steps.done == ["publish 2", f"commit { {TP: 3} }", "publish 0", f"commit { {TP: 4} }"]


async def test_per_batch_delivery_keeps_the_transaction_for_a_batch_with_anything_else():
    steps = Steps()
    delivery = per_batch(steps)
    delivery.bind(steps.commit_offsets)
    question = Outbound("insw.verification.nik.requested.v1", b"k", b"q")
    decision = Outbound("insw.registration.decided.v1", b"k", b"d")
    await delivery.commit([question, decision], {TP: 3}, "g")
    await delivery.fence()
    assert delivery.transactional_id == "g.0.t"
    assert steps.done == ["transaction 2", "fence"]


class Stage:
    """An output stage that records what the pump tells it."""

    def __init__(self) -> None:
        self.told: list[str] = []

    async def prepare(self, records):
        self.told.append("prepare")
        return list(records)

    def settled(self, committed: bool) -> None:
        self.told.append(f"settled {committed}")

    def forget(self) -> None:
        self.told.append("forget")


class FailingOnce:
    """Fails its first commit with ``error``, then commits."""

    transactional_id = "g.0.t"

    def __init__(self, error: Exception) -> None:
        self.error: Exception | None = error

    async def commit(self, records, offsets, group_id, before_commit=None):
        error, self.error = self.error, None
        if error is not None:
            raise error

    async def fence(self):
        return None


@pytest.mark.parametrize(
    ("error", "forgets"),
    [
        (PublishedUncommitted("offset commit after publishing (g): CommitFailedError"), True),
        (TransientFailure("kafka transaction (send): KafkaConnectionError"), False),
    ],
)
async def test_an_audit_chain_rereads_its_head_only_after_a_try_that_may_have_landed(
    error, forgets
):
    """An at-least-once try that failed may be on the topic: its chain must not fork."""
    stage = Stage()

    async def handler(batch):
        return HandlerResult(outbound=[RECORD])

    policy = FailurePolicy(seal=DeadLetterSeal(new_key()), backoff=FAST)
    pump = BatchPump(FailingOnce(error), handler, group_id="g", failures=policy, stage=stage)
    with pytest.raises(TransientFailure):
        await pump.process(BATCH, nothing_committed)
    await pump.process(BATCH, nothing_committed)
    failed = ["prepare", "forget", "settled False"] if forgets else ["prepare", "settled False"]
    assert stage.told == [*failed, "prepare", "settled True"]


async def nothing_committed(partitions):
    return dict.fromkeys(partitions)
