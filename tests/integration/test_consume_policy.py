"""The one consume policy, on the real broker: transactions, retries, dead letters, no hot loop."""

import asyncio

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError

from contracts import headers as h
from runtime.consumer import Backoff, HandlerResult
from runtime.errors import PoisonMessage, TransientFailure
from runtime.kafka_security import from_environment
from runtime.records import Outbound
from runtime.service import HubService
from runtime.settings import InfraSettings


async def produce(bootstrap, topic, records):
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, **from_environment())
    await producer.start()
    try:
        for key, value, headers in records:
            await producer.send_and_wait(topic, value, key=key, headers=headers)
    finally:
        await producer.stop()


async def read_all(bootstrap, topic, expected, timeout=20.0, isolation="read_committed"):
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        isolation_level=isolation,
        **from_environment(),
    )
    await consumer.start()
    found: list = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(found) < expected and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                found.extend(records)
    finally:
        await consumer.stop()
    return found


async def wait_for(predicate, timeout=20.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def nothing_left_to_redo(bootstrap, topic, group):
    """A new member of ``group`` sees only a record produced now: the earlier ones committed."""
    again: list[bytes] = []

    async def second(batch):
        again.extend(r.value for r in batch)
        return HandlerResult()

    service = HubService(InfraSettings(kafka_bootstrap_servers=bootstrap), name=group)
    service.subscribe(topic, handler=second, description="test")
    await produce(bootstrap, topic, [(b"k", b"next", [])])
    await service.start()
    try:
        await wait_for(lambda: again == [b"next"])
    finally:
        await service.stop()


async def test_poison_goes_to_dlq_with_context_and_the_next_message_is_processed(
    bootstrap_servers, unique_topic
):
    seen: list[bytes] = []

    async def handler(batch):
        result = HandlerResult()
        for record in batch:
            if record.value == b"poison":
                result.dead.append((record, PoisonMessage("value: json_invalid")))
            else:
                seen.append(record.value)
                result.outbound.append(Outbound(unique_topic + ".out", record.key, record.value))
        return result

    service = HubService(
        InfraSettings(kafka_bootstrap_servers=bootstrap_servers), name=unique_topic + ".g"
    )
    service.subscribe(unique_topic, handler=handler, description="test")
    await produce(
        bootstrap_servers,
        unique_topic,
        [
            (b"k0", b"first", [(h.MESSAGE_ID, b"m-0")]),
            (b"k1", b"poison", [(h.MESSAGE_ID, b"m-1"), (h.CORRELATION_ID, b"SUB-1")]),
            (b"k2", b"after", []),
        ],
    )
    await service.start()
    try:
        await wait_for(lambda: seen == [b"first", b"after"])
        [dead] = await read_all(bootstrap_servers, unique_topic + ".dlq", 1)
    finally:
        await service.stop()
    headers = {k: v.decode() for k, v in dead.headers}
    assert dead.key == b"k1" and dead.value != b"poison"  # personal data is sealed
    assert service.seal.open(dead.value) == b"poison"
    assert dict(dead.headers)[h.DLQ_SEALED] == b"fernet-v1"
    assert headers[h.DLQ_TOPIC] == unique_topic
    assert headers[h.DLQ_PARTITION] == "0" or headers[h.DLQ_PARTITION].isdigit()
    assert headers[h.DLQ_OFFSET] == "1"
    assert headers[h.DLQ_EXCEPTION_CLASS] == "runtime.errors.PoisonMessage"
    assert headers[h.DLQ_EXCEPTION_MESSAGE] == "value: json_invalid"
    assert headers[h.MESSAGE_ID] == "m-1" and headers[h.CORRELATION_ID] == "SUB-1"
    assert len(await read_all(bootstrap_servers, unique_topic + ".out", 2)) == 2


async def test_a_bug_on_one_record_retries_it_later_then_dead_letters_only_that_record(
    bootstrap_servers, unique_topic
):
    processed: list[bytes] = []
    booms: list[str] = []

    async def handler(batch):
        if any(r.value == b"boom" for r in batch):
            booms.append(batch[0].topic)
            raise KeyError("handler bug")  # a bug, not a PoisonMessage
        processed.extend(r.value for r in batch)
        return HandlerResult()

    service = HubService(
        InfraSettings(kafka_bootstrap_servers=bootstrap_servers, retry_delays_seconds=(0.3, 0.6)),
        name=unique_topic + ".g",
    )
    service.subscribe(unique_topic, handler=handler, description="test")
    await produce(
        bootstrap_servers,
        unique_topic,
        [(b"a", b"one", []), (b"b", b"boom", []), (b"c", b"two", [])],
    )
    await service.start()
    try:
        await wait_for(lambda: sorted(processed) == [b"one", b"two"])
        [dead] = await read_all(bootstrap_servers, unique_topic + ".dlq", 1)
    finally:
        await service.stop()
    headers = {k: v.decode() for k, v in dead.headers}
    assert service.seal.open(dead.value) == b"boom"
    # Tried on the topic (alone, after the batch failed), then once per retry delay.
    assert booms.count(unique_topic) == 2 and booms.count(unique_topic + ".retry") == 2
    parked = await read_all(bootstrap_servers, unique_topic + ".retry", 2)
    assert [dict(r.headers)["insw-retry-attempt"] for r in parked] == [b"1", b"2"]
    # The dead letter names where the record was first consumed, for re-drive.
    assert headers[h.DLQ_TOPIC] == unique_topic and headers[h.DLQ_OFFSET] == "1"
    assert headers[h.DLQ_EXCEPTION_CLASS] == "builtins.KeyError"
    # A foreign exception's text may quote input: only the class travels.
    assert "handler bug" not in headers[h.DLQ_EXCEPTION_MESSAGE]


async def test_transient_failure_retries_with_backoff_and_commits_only_when_done(
    bootstrap_servers, unique_topic
):
    attempts: list[int] = []
    done: list[bytes] = []

    async def handler(batch):
        attempts.append(len(batch))
        if len(attempts) < 3:
            raise TransientFailure("redis: ConnectionError")
        done.extend(r.value for r in batch)
        return HandlerResult()

    group = unique_topic + ".g"
    service = HubService(InfraSettings(kafka_bootstrap_servers=bootstrap_servers), name=group)
    service.subscribe(
        unique_topic,
        handler=handler,
        description="test",
        backoff=Backoff(base_seconds=0.05, cap_seconds=0.2),
    )
    await produce(bootstrap_servers, unique_topic, [(b"k", b"only", [])])
    await service.start()
    try:
        await wait_for(lambda: done == [b"only"])
        await asyncio.sleep(0.5)
    finally:
        await service.stop()
    assert len(attempts) == 3 and done == [b"only"]
    # Committed after success: a new member of the same group sees nothing to redo.
    await nothing_left_to_redo(bootstrap_servers, unique_topic, unique_topic + ".g")


async def test_a_record_that_fails_once_succeeds_on_its_retry_topic(
    bootstrap_servers, unique_topic
):
    tries: list[str] = []

    async def handler(batch):
        tries.extend(r.topic for r in batch)
        if len(tries) == 1:
            raise RuntimeError("first try fails")
        return HandlerResult(
            outbound=[Outbound(unique_topic + ".out", r.key, r.value) for r in batch]
        )

    service = HubService(
        InfraSettings(kafka_bootstrap_servers=bootstrap_servers, retry_delays_seconds=(0.5,)),
        name=unique_topic + ".g",
    )
    service.subscribe(unique_topic, handler=handler, description="test")
    await produce(bootstrap_servers, unique_topic, [(b"k", b"once", [])])
    await service.start()
    try:
        [out] = await read_all(bootstrap_servers, unique_topic + ".out", 1)
        await asyncio.sleep(0.5)
    finally:
        await service.stop()
    assert out.value == b"once" and tries == [unique_topic, unique_topic + ".retry"]
    assert await read_all(bootstrap_servers, unique_topic + ".dlq", 1, timeout=1.0) == []


async def _crash_once_before_commit(
    bootstrap_servers, unique_topic, monkeypatch, *, delivery, expect
):
    """Two records through a pump that crashes once between publish and commit.

    Returns how many tries the handler had, where it crashed, and what a
    read_committed reader of the outputs saw (waiting for ``expect`` of them).
    """
    calls: list[int] = []

    async def handler(batch):
        calls.append(len(batch))
        return HandlerResult(
            outbound=[Outbound(unique_topic + ".out", r.key, r.value) for r in batch]
        )

    service = HubService(
        InfraSettings(kafka_bootstrap_servers=bootstrap_servers), name=unique_topic + ".g"
    )
    pump = service.subscribe(
        unique_topic,
        handler=handler,
        description="test",
        backoff=Backoff(base_seconds=0.05, cap_seconds=0.1),
        delivery=delivery,
    )
    crashes: list[str] = []

    async def crash_once(point, topic):
        if point == "before-commit" and not crashes:
            crashes.append(topic)
            raise TransientFailure("simulated crash between produce and commit")

    monkeypatch.setattr(pump, "_reach", crash_once)
    await produce(bootstrap_servers, unique_topic, [(b"a", b"one", []), (b"b", b"two", [])])
    await service.start()
    try:
        seen = await read_all(bootstrap_servers, unique_topic + ".out", expect)
        await asyncio.sleep(0.5)
    finally:
        await service.stop()
    return calls, crashes, seen


async def test_a_batch_that_dies_before_its_commit_is_never_seen_twice(
    bootstrap_servers, unique_topic, monkeypatch
):
    """Outputs on the broker, then the commit fails: read_committed readers see each output once."""
    calls, crashes, committed = await _crash_once_before_commit(
        bootstrap_servers, unique_topic, monkeypatch, delivery="exactly-once", expect=2
    )
    everything = await read_all(
        bootstrap_servers, unique_topic + ".out", 4, isolation="read_uncommitted"
    )
    assert crashes == [unique_topic] and len(calls) >= 2
    assert sorted(r.value for r in committed) == [b"one", b"two"]
    # The aborted try really reached the broker: only the transaction hides it.
    assert sorted(r.value for r in everything) == [b"one", b"one", b"two", b"two"]


async def test_at_least_once_a_batch_that_dies_before_its_commit_is_published_again_not_lost(
    bootstrap_servers, unique_topic, monkeypatch
):
    """The agency adapters' mode: publish, then commit offsets; a crash between repeats."""
    calls, crashes, seen = await _crash_once_before_commit(
        bootstrap_servers, unique_topic, monkeypatch, delivery="at-least-once", expect=4
    )
    assert crashes == [unique_topic] and len(calls) >= 2
    # Not in a transaction: the first try stays visible to read_committed readers too,
    # so a reader of this hop must drop repeats (the gateway does, by submission id).
    assert sorted(r.value for r in seen) == [b"one", b"one", b"two", b"two"]
    # The second try committed the offsets: a new member of the group redoes nothing.
    await nothing_left_to_redo(bootstrap_servers, unique_topic, unique_topic + ".g")


async def test_per_batch_delivery_alternating_never_moves_the_group_back(
    bootstrap_servers, unique_topic
):
    """Transactional and at-least-once batches in turn: the group's offset only goes forward.

    The case of the gateway's intake: questions alone commit at least once, a
    batch that decides commits in a transaction. A plain offset commit lands
    right after a transaction's, before its markers; the coordinator must keep
    the plain one when the markers arrive.
    """
    seen: list[bytes] = []

    async def handler(batch):
        seen.extend(r.value for r in batch)
        return HandlerResult(
            outbound=[Outbound(f"{unique_topic}.{r.value.decode()}", r.key, r.value) for r in batch]
        )

    group = unique_topic + ".g"
    service = HubService(InfraSettings(kafka_bootstrap_servers=bootstrap_servers), name=group)
    service.subscribe(
        unique_topic,
        handler=handler,
        description="test",
        delivery=lambda records: all(r.topic.endswith(".ask") for r in records),
    )
    await service.start()
    try:
        for count, value in enumerate((b"decide", b"ask", b"decide", b"ask", b"ask"), 1):
            await produce(bootstrap_servers, unique_topic, [(b"k", value, [])])
            await wait_for(lambda count=count: len(seen) >= count)
        await asyncio.sleep(1.0)  # the last transaction's markers are written
    finally:
        await service.stop()
    decided = await read_all(bootstrap_servers, unique_topic + ".decide", 2)
    asked = await read_all(bootstrap_servers, unique_topic + ".ask", 3)
    assert len(decided) == 2 and len(asked) == 3
    await nothing_left_to_redo(bootstrap_servers, unique_topic, group)


def _lose_first_commit_answer(monkeypatch, *, landed: bool) -> list[str]:
    """Make the first ``commit_transaction`` fail as in a broker restart, after or before landing.

    ``landed``: the commit reaches the coordinator and completes, only the
    answer is lost. Otherwise the commit request never leaves: the open
    transaction is left for the next producer of the id to abort.
    """
    failures: list[str] = []
    real_commit = AIOKafkaProducer.commit_transaction

    async def commit_transaction(producer):
        if failures:
            return await real_commit(producer)
        failures.append("landed" if landed else "not sent")
        if landed:
            await real_commit(producer)
        raise KafkaConnectionError("connection closed (simulated broker restart)")

    monkeypatch.setattr(AIOKafkaProducer, "commit_transaction", commit_transaction)
    return failures


async def _run_through_a_lost_commit(bootstrap_servers, unique_topic, monkeypatch, *, landed):
    """One batch of two through a pump whose first commit answer is lost; what happened."""
    calls: list[int] = []
    marks: list[int] = []

    async def handler(batch):
        calls.append(len(batch))

        async def mark() -> None:
            marks.append(len(batch))

        return HandlerResult(
            outbound=[Outbound(unique_topic + ".out", r.key, r.value) for r in batch],
            after_publish=[mark],
        )

    service = HubService(
        InfraSettings(kafka_bootstrap_servers=bootstrap_servers), name=unique_topic + ".g"
    )
    service.subscribe(
        unique_topic,
        handler=handler,
        description="test",
        backoff=Backoff(base_seconds=0.05, cap_seconds=0.1),
    )
    await produce(bootstrap_servers, unique_topic, [(b"a", b"one", []), (b"b", b"two", [])])
    failures = _lose_first_commit_answer(monkeypatch, landed=landed)
    await service.start()
    try:
        committed = await read_all(bootstrap_servers, unique_topic + ".out", 2)
        await asyncio.sleep(1.0)  # room for a wrong second try to show up
    finally:
        await service.stop()
    everything = await read_all(
        bootstrap_servers, unique_topic + ".out", 4, timeout=3.0, isolation="read_uncommitted"
    )
    assert failures, "the simulated lost commit answer never happened"
    return calls, marks, committed, everything


async def test_a_commit_that_landed_but_reported_a_failure_is_not_processed_again(
    bootstrap_servers, unique_topic, monkeypatch
):
    """A rewind here would publish every output twice, each in a committed transaction."""
    calls, marks, committed, everything = await _run_through_a_lost_commit(
        bootstrap_servers, unique_topic, monkeypatch, landed=True
    )
    assert sum(calls) == 2, calls  # handled once, never again
    assert sorted(r.value for r in committed) == [b"one", b"two"]
    assert sorted(r.value for r in everything) == [b"one", b"two"]  # no second try at all
    assert marks == [2]  # the landed batch's post-commit marks still ran


async def test_a_commit_that_never_landed_is_processed_again_and_seen_once(
    bootstrap_servers, unique_topic, monkeypatch
):
    calls, marks, committed, everything = await _run_through_a_lost_commit(
        bootstrap_servers, unique_topic, monkeypatch, landed=False
    )
    assert sum(calls) == 4, calls  # the batch was handled a second time
    assert sorted(r.value for r in committed) == [b"one", b"two"]
    # The first try's outputs reached the broker; its transaction was aborted.
    assert sorted(r.value for r in everything) == [b"one", b"one", b"two", b"two"]
    assert marks == [2]
