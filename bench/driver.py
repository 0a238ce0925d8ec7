"""The one load driver used for the hub and the raw pipe alike.

Why one driver: both systems are measured by exactly the same code, so the
ratio between them reflects the systems, not the measuring. The driver
produces submissions (flat out, or open-loop at a fixed rate) with an aiokafka
producer (acks=all), and a consumer manually assigned to every partition of
the decision topic (no group join on the clock) records when each decision
arrives. Times come from ``time.perf_counter`` in this one process.
"""

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from bench.payloads import Submission
from runtime.kafka_security import from_environment

STALL_S = 30.0
"""No new decision for this long means the system under test is stuck."""
WARMUP_STALL_S = 120.0
"""The same for a warm-up: it also waits for consumer groups to form (or re-form after
instances join), which on a loaded 2-core machine has been seen to take over 30 s."""


@dataclass
class DriveResult:
    """What one measured phase saw, per submission id."""

    sent_at: dict[str, float] = field(default_factory=dict)
    decided_at: dict[str, float] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)
    duplicates: int = 0
    first_send: float = 0.0
    last_send: float = 0.0
    max_pacing_lag_s: float = 0.0
    stalled: bool = False

    @property
    def missing(self) -> list[str]:
        """Submissions without a decision."""
        return [sid for sid in self.sent_at if sid not in self.decided_at]

    @property
    def not_approved(self) -> dict[str, str]:
        """Decisions other than APPROVED (all load is approvable: each one is a bug)."""
        return {sid: o for sid, o in self.outcomes.items() if o != "APPROVED"}

    def latencies(self) -> list[float]:
        """Submission-to-decision latency in seconds for every decided submission."""
        return [self.decided_at[s] - self.sent_at[s] for s in self.decided_at if s in self.sent_at]

    @property
    def last_decision(self) -> float:
        """When the last decision arrived (0 if none)."""
        return max(self.decided_at.values(), default=0.0)


def _outcome(value: bytes | None) -> str:
    """``APPROVED``, or the outcome with its reason codes, e.g. ``REJECTED[NIB_NOT_ACTIVE]``."""
    try:
        decision = json.loads(value or b"{}")
    except ValueError:
        return "<not JSON>"
    outcome = str(decision.get("outcome", "<none>"))
    codes = [str(r.get("code")) for r in decision.get("reasons") or [] if isinstance(r, dict)]
    return outcome if outcome == "APPROVED" else f"{outcome}{codes}"


async def _collect(
    consumer: AIOKafkaConsumer,
    result: DriveResult,
    expected: set[str],
    sending: asyncio.Event,
    stall_s: float,
) -> None:
    """Record decisions until every expected id is decided or nothing arrives for ``stall_s``."""
    last_progress = time.perf_counter()
    while len(result.decided_at) < len(expected):
        batches = await consumer.getmany(timeout_ms=100, max_records=2000)
        now = time.perf_counter()
        for records in batches.values():
            for record in records:
                sid = record.key.decode() if record.key else ""
                if sid not in expected:
                    continue
                if sid in result.decided_at:
                    result.duplicates += 1
                    continue
                result.decided_at[sid] = now
                result.outcomes[sid] = _outcome(record.value)
                last_progress = now
        if not sending.is_set() and now - last_progress > stall_s:
            result.stalled = True
            return
        if sending.is_set():
            last_progress = now


async def _send(
    producer: AIOKafkaProducer,
    topic: str,
    load: Sequence[Submission],
    rate_per_s: float | None,
    result: DriveResult,
) -> None:
    """Send everything without awaiting each acknowledgement; paced if ``rate_per_s``."""
    futures = []
    start = time.perf_counter()
    result.first_send = start
    for index, sub in enumerate(load):
        if rate_per_s:
            due = start + index / rate_per_s
            now = time.perf_counter()
            if due > now:
                await asyncio.sleep(due - now)
            result.max_pacing_lag_s = max(result.max_pacing_lag_s, time.perf_counter() - due)
        elif index % 100 == 0:
            await asyncio.sleep(0)  # let the decision consumer run while flooding
        sent = time.perf_counter()
        result.sent_at[sub.submission_id] = sent
        futures.append(
            await producer.send(
                topic, sub.value, key=sub.submission_id.encode(), headers=sub.headers
            )
        )
    result.last_send = time.perf_counter()
    await asyncio.gather(*futures)


async def drive(
    bootstrap: str,
    submit_topic: str,
    decided_topic: str,
    load: Sequence[Submission],
    *,
    rate_per_s: float | None = None,
    stall_s: float = STALL_S,
) -> DriveResult:
    """Submit ``load`` and wait for its decisions; never hangs (gives up after ``stall_s``)."""
    result = DriveResult()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        isolation_level="read_committed",
        fetch_max_wait_ms=50,
        **from_environment(),
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=1,
        **from_environment(),
    )
    await producer.start()
    await consumer.start()
    try:
        partitions = await producer.partitions_for(decided_topic)  # waits for metadata
        assigned = [TopicPartition(decided_topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_end(*assigned)
        for tp in assigned:
            await consumer.position(tp)  # resolve now, not after the first send
        sending = asyncio.Event()
        sending.set()
        collector = asyncio.create_task(
            _collect(consumer, result, {s.submission_id for s in load}, sending, stall_s)
        )
        try:
            await _send(producer, submit_topic, load, rate_per_s, result)
        except BaseException:
            collector.cancel()
            raise
        finally:
            sending.clear()
        await collector
    finally:
        await producer.stop()
        await consumer.stop()
    return result
