"""The hub's own consume loop (runtime.kafka_loop) on the real broker.

What FastStream's batch subscriber used to give and the loop must keep:
hand-over on rebalance only after the batch in flight settles, rewind after
a failure, a header that is not UTF-8 cannot wedge a partition, and a stop
lets the batch in flight commit before the group is left.
"""

import asyncio

from devstack.kafka import create_topics_async
from runtime.consumer import HandlerResult
from runtime.kafka_loop import Connection, ConsumeLoop, FetchTuning, Poll
from runtime.kafka_security import from_environment
from runtime.records import Inbound, Outbound
from runtime.service import HubService
from runtime.settings import InfraSettings
from tests.integration.test_consume_policy import (
    nothing_left_to_redo,
    produce,
    read_all,
    wait_for,
)


def _loop(bootstrap, topic, group, on_poll, busy) -> ConsumeLoop:
    return ConsumeLoop(
        [topic],
        group_id=group,
        on_poll=on_poll,
        busy=busy,
        tuning=FetchTuning(max_records=100),
        connection=Connection(bootstrap, "test-loop", from_environment()),
    )


async def test_partitions_move_to_a_new_member_only_after_the_batch_in_flight_settles(
    bootstrap_servers, unique_topic
):
    await create_topics_async(bootstrap_servers, [unique_topic], partitions=4)
    await produce(
        bootstrap_servers, unique_topic, [(b"k%d" % i, b"v%d" % i, []) for i in range(40)]
    )
    group = unique_topic + ".g"
    release = asyncio.Event()
    first_busy = asyncio.Lock()
    events: list[str] = []

    async def first(poll: Poll) -> None:
        async with first_busy:
            if "first-held" not in events:
                events.append("first-held")
                await release.wait()
                events.append("first-released")

    second_seen: list[Inbound] = []

    async def second(poll: Poll) -> None:
        second_seen.extend(poll.records)
        events.append("second-polled")

    one = _loop(bootstrap_servers, unique_topic, group, first, first_busy)
    two = _loop(bootstrap_servers, unique_topic, group, second, asyncio.Lock())
    await one.start()
    try:
        await wait_for(lambda: "first-held" in events)
        # Joining triggers a rebalance while the batch is held; start() returns
        # once the new member has partitions.
        joining = asyncio.create_task(two.start())
        await asyncio.sleep(12.0)  # past the 10 s aiokafka would give the old member by default
        held_back = list(events)
        joined_early = joining.done()
        release.set()
        await joining
        await wait_for(lambda: "second-polled" in events, timeout=30.0)
    finally:
        await two.stop()
        await one.stop()
    assert held_back == ["first-held"], held_back  # nothing moved while the batch was held
    assert not joined_early
    assert events.index("second-polled") > events.index("first-released")
    assert second_seen  # the new member did get partitions once the batch settled


async def test_a_failed_poll_is_rewound_and_read_again_from_its_first_records(
    bootstrap_servers, unique_topic
):
    await produce(bootstrap_servers, unique_topic, [(b"k", b"v%d" % i, []) for i in range(5)])
    polls: list[list[int]] = []
    busy = asyncio.Lock()

    async def on_poll(poll: Poll) -> None:
        polls.append([r.offset for r in poll.records])
        if len(polls) == 1:
            poll.rewind(poll.records)
            raise RuntimeError("the batch failed")  # the loop logs it and polls on

    loop = _loop(bootstrap_servers, unique_topic, unique_topic + ".g", on_poll, busy)
    await loop.start()
    try:
        await wait_for(lambda: sum(len(p) for p in polls) >= 10)
    finally:
        await loop.stop()
    assert polls[0] == [0, 1, 2, 3, 4]
    assert sorted(o for p in polls[1:] for o in p) == [0, 1, 2, 3, 4]  # every record again


async def test_a_header_that_is_not_utf8_reaches_the_handler_and_does_not_wedge_the_partition(
    bootstrap_servers, unique_topic
):
    seen: list[Inbound] = []

    async def handler(batch):
        seen.extend(batch)
        return HandlerResult()

    service = HubService(
        InfraSettings(kafka_bootstrap_servers=bootstrap_servers), name=unique_topic + ".g"
    )
    service.subscribe(unique_topic, handler=handler, description="test")
    await produce(
        bootstrap_servers,
        unique_topic,
        [(b"k", b"bad header", [("insw-note", b"\xff\xfe\x80")]), (b"k", b"after", [])],
    )
    await service.start()
    try:
        await wait_for(lambda: [r.value for r in seen] == [b"bad header", b"after"])
    finally:
        await service.stop()
    assert seen[0].headers == (("insw-note", b"\xff\xfe\x80"),)


async def test_a_stop_lets_the_batch_in_flight_commit_before_leaving_the_group(
    bootstrap_servers, unique_topic
):
    started = asyncio.Event()
    handled: list[bytes] = []

    async def slow(batch):
        started.set()
        await asyncio.sleep(1.5)  # the stop arrives meanwhile
        handled.extend(r.value for r in batch)
        return HandlerResult(
            outbound=[Outbound(unique_topic + ".out", r.key, r.value) for r in batch]
        )

    group = unique_topic + ".g"
    settings = InfraSettings(kafka_bootstrap_servers=bootstrap_servers)
    service = HubService(settings, name=group)
    service.subscribe(unique_topic, handler=slow, description="test")
    await produce(bootstrap_servers, unique_topic, [(b"k", b"in flight", [])])
    await service.start()
    try:
        await asyncio.wait_for(started.wait(), 30)
    finally:
        await service.stop()
    assert handled == [b"in flight"]
    [out] = await read_all(bootstrap_servers, unique_topic + ".out", 1)
    assert out.value == b"in flight"
    # Its offsets committed with it: the next member of the group has nothing to redo.
    await nothing_left_to_redo(bootstrap_servers, unique_topic, group)


async def test_a_batch_that_outlives_the_stop_grace_is_cancelled_and_the_loop_ends(
    bootstrap_servers, unique_topic
):
    await produce(bootstrap_servers, unique_topic, [(b"k", b"stuck", [])])
    entered = asyncio.Event()
    outcome: list[str] = []
    busy = asyncio.Lock()

    async def stuck(poll: Poll) -> None:
        entered.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise

    loop = _loop(bootstrap_servers, unique_topic, unique_topic + ".g", stuck, busy)
    await loop.start()
    await asyncio.wait_for(entered.wait(), 30)
    began = asyncio.get_running_loop().time()
    await loop.stop(grace_s=0.5)
    assert outcome == ["cancelled"]
    assert asyncio.get_running_loop().time() - began < 10.0


async def test_a_batch_that_ends_while_the_group_rebalances_does_not_wait_for_the_rebalance(
    bootstrap_servers, unique_topic
):
    """The top-up asks the consumer for more while a new member waits for this batch.

    aiokafka's getmany waits for the new assignment, which waits for this
    batch: the fault suite's gateway-rebalance stalled on it for good.
    """
    await create_topics_async(bootstrap_servers, [unique_topic], partitions=4)
    group = unique_topic + ".g"
    held, release = asyncio.Event(), asyncio.Event()
    handled: list[bytes] = []

    async def holding(batch):
        if not held.is_set():
            held.set()
            await release.wait()
        handled.extend(r.value for r in batch)
        return HandlerResult()

    async def plain(batch):
        handled.extend(r.value for r in batch)
        return HandlerResult()

    def member(instance: str, handler) -> HubService:
        settings = InfraSettings(
            kafka_bootstrap_servers=bootstrap_servers, hub_instance_id=instance
        )
        service = HubService(settings, name=group)
        service.subscribe(unique_topic, handler=handler, description="test")
        return service

    one, two = member("0", holding), member("1", plain)
    await produce(
        bootstrap_servers, unique_topic, [(b"k%d" % i, b"first %d" % i, []) for i in range(8)]
    )
    await one.start()
    try:
        await asyncio.wait_for(held.wait(), 30)
        # more records land for the consumer to buffer, and a second member joins
        await produce(
            bootstrap_servers, unique_topic, [(b"k%d" % i, b"later %d" % i, []) for i in range(8)]
        )
        joining = asyncio.create_task(two.start())
        await asyncio.sleep(6.0)  # past a heartbeat (3 s): the member is in the rebalance now
        release.set()
        await asyncio.wait_for(joining, 30)
        await wait_for(lambda: len(set(handled)) == 16, timeout=30.0)
    finally:
        await two.stop()
        await one.stop()
    await nothing_left_to_redo(bootstrap_servers, unique_topic, group)
