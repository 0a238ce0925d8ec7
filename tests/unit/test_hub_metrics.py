"""The consume policy counts its work: batches, parked and dead-lettered records, uncertain
commits, backoffs; the readiness answer is bounded and cached."""

import asyncio
import uuid

import pytest
from aiokafka import TopicPartition

from runtime import metrics
from runtime.consumer import Backoff, BatchPump, FailurePolicy, HandlerResult
from runtime.errors import CommitUncertain, PoisonMessage, TransientFailure
from runtime.ops import Readiness
from runtime.records import Inbound
from runtime.retry import RetryPolicy
from runtime.sealing import DeadLetterSeal, new_key

FAST = Backoff(base_seconds=0.001, cap_seconds=0.002)


def value(name: str, **labels: str) -> float:
    found = metrics.REGISTRY.get_sample_value(name, labels)
    return found or 0.0


class Outbox:
    transactional_id = "g.0.t"

    def __init__(self, fail_with: BaseException | None = None) -> None:
        self.fail_with = fail_with
        self.sent: list = []

    async def commit(self, records, offsets, group_id, before_commit=None) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.extend(records)

    async def fence(self) -> None:
        return None


def pump(outbox: Outbox, group: str, handler) -> BatchPump:
    policy = FailurePolicy(
        seal=DeadLetterSeal(new_key()), retry=RetryPolicy((1.0,)), backoff=FAST
    )
    return BatchPump(outbox, handler, group_id=group, failures=policy)


async def nothing_committed(partitions):
    return dict.fromkeys(partitions)


async def test_a_committed_batch_counts_its_records_parked_and_dead_letters():
    group = f"g-{uuid.uuid4().hex[:6]}"
    batch = [Inbound("t", 0, n, b"k", b"v", ()) for n in range(3)]

    async def handler(records):
        return HandlerResult(
            dead=[
                (records[0], PoisonMessage("bad field")),  # to T.dlq
                (records[1], RuntimeError("flaky")),  # to T.retry
            ]
        )

    await pump(Outbox(), group, handler).process(batch, nothing_committed)
    labels = {"group": group, "topic": "t"}
    assert value("insw_consume_batches_total", **labels) == 1
    assert value("insw_consume_records_total", **labels) == 3
    assert value("insw_consume_dead_lettered_total", **labels) == 1
    assert value("insw_consume_parked_total", **labels) == 1
    assert value("insw_consume_batch_seconds_count", **labels) == 1


async def test_an_outage_counts_a_backoff_and_an_uncertain_commit_its_verdict():
    group = f"g-{uuid.uuid4().hex[:6]}"
    batch = [Inbound("t", 0, 5, b"k", b"v", ())]

    async def handler(records):
        return HandlerResult()

    with pytest.raises(TransientFailure):
        await pump(Outbox(TransientFailure("broker away")), group, handler).process(
            batch, nothing_committed
        )
    assert value("insw_consume_backoffs_total", group=group, topic="t") == 1
    assert value("insw_consume_backoff_seconds_total", group=group, topic="t") > 0

    async def landed(partitions):
        return {TopicPartition("t", 0): 6}

    await pump(Outbox(CommitUncertain("lost answer")), group, handler).process(batch, landed)
    assert value("insw_consume_uncertain_commits_total", group=group, landed="true") == 1
    assert value("insw_consume_batches_total", group=group, topic="t") == 1


async def test_readiness_names_what_fails_and_bounds_a_hanging_check():
    async def fine() -> None:
        return None

    async def refused() -> None:
        raise ConnectionRefusedError("secret://url")

    async def hangs() -> None:
        await asyncio.sleep(60)

    ready = Readiness({"kafka": fine, "redis": refused, "slow": hangs}, timeout_s=0.05)
    failed = await ready.failures()
    assert failed == {"redis": "ConnectionRefusedError", "slow": "no answer within 0.05s"}
    assert value("insw_ready") == 0


async def test_readiness_is_cached_so_probes_do_not_storm_the_dependencies():
    calls = []
    now = [100.0]

    async def counted() -> None:
        calls.append(1)

    ready = Readiness({"redis": counted}, cache_s=1.5, clock=lambda: now[0])
    assert await ready.failures() == {} and await ready.failures() == {}
    assert len(calls) == 1
    now[0] += 2
    await ready.failures()
    assert len(calls) == 2
    assert value("insw_ready") == 1
