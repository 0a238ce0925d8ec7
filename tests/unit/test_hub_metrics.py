"""The consume policy counts its work: batches, parked and dead-lettered records, uncertain
commits, backoffs; the readiness answer is bounded and cached."""

import asyncio
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

import pytest
from aiokafka import TopicPartition

from contracts.decision import Outcome, RegistrationDecided
from gateway.deadlines import DeadlineWatch
from gateway.decisions import count_decisions
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
    policy = FailurePolicy(seal=DeadLetterSeal(new_key()), retry=RetryPolicy((1.0,)), backoff=FAST)
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


@dataclass
class Said:
    code: str


@dataclass
class Decided:
    """The two fields of a decision the count reads."""

    outcome: Outcome
    reasons: list[Said]


async def test_published_decisions_are_counted_by_outcome_and_each_reason():
    rejected = Decided(Outcome.REJECTED, [Said("TEST_A"), Said("TEST_B")])
    approved = Decided(Outcome.APPROVED, [])
    before = value("insw_gateway_decisions_total", outcome="APPROVED", reason="NONE")
    await count_decisions(cast(list[RegistrationDecided], [rejected, approved]))
    assert value("insw_gateway_decisions_total", outcome="REJECTED", reason="TEST_A") == 1
    assert value("insw_gateway_decisions_total", outcome="REJECTED", reason="TEST_B") == 1
    assert value("insw_gateway_decisions_total", outcome="APPROVED", reason="NONE") == before + 1


class QueueOnly:
    """A store with an officers' queue and no timers due."""

    def __init__(self, queue: list[tuple[str, float]]) -> None:
        self.queue = queue

    async def due(self, timer, now, *, lease_seconds, limit):
        return []

    async def load(self, ids):
        return []

    async def cancel(self, timer, ids):
        return None

    async def referrals(self, limit):
        return self.queue[:limit]


async def test_the_referral_clock_shows_the_time_left_to_the_soonest_deadline():
    now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

    async def publish(records):
        return None

    store = QueueOnly([("S-1", now.timestamp() + 600), ("S-2", now.timestamp() + 7200)])
    await DeadlineWatch(store, publish, clock=lambda: now).run_once()  # type: ignore[arg-type]
    assert value("insw_gateway_referral_oldest_due_seconds") == 600
    store.queue = []
    await DeadlineWatch(store, publish, clock=lambda: now).run_once()  # type: ignore[arg-type]
    left = metrics.REGISTRY.get_sample_value("insw_gateway_referral_oldest_due_seconds")
    assert left is not None and math.isnan(left)
