"""The Redis store passes the same conformance suite, against the real Redis server."""

import os
import signal
import time
import uuid
from collections import Counter

import pytest
from redis.asyncio import Redis

from bench.store_cost import counting
from contracts.decision import Outcome
from contracts.verification import Check
from devstack.redis import RedisNode
from gateway.store import PublishedDecision, Timer
from gateway.store_redis import RedisRegistrationStore
from runtime.errors import TransientFailure
from runtime.redis_wire import packed_by_hiredis
from tests.store_conformance import StoreConformance, answer, opened
from tests.support import at_rest


class TestRedisStore(StoreConformance):
    @pytest.fixture
    async def store(self, redis_url):
        client = packed_by_hiredis(Redis.from_url(redis_url))  # as runtime.settings builds it
        yield RedisRegistrationStore(client, at_rest())
        await client.aclose()


async def test_redis_outage_is_a_transient_failure_not_a_crash():
    client = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    store = RedisRegistrationStore(client, at_rest())
    with pytest.raises(TransientFailure):
        await store.record([answer("SUB-X", Check.NIB)])
    await client.aclose()


async def test_a_paused_redis_fails_the_round_trip_in_time_and_the_store_recovers():
    """A Redis that stops answering (SIGSTOP) must not hang the gateway's batch.

    The hot path's client has no per-reply timeout (the store bounds the whole
    pipeline), so without that bound this read would wait for as long as
    Redis stays paused.
    """
    with RedisNode(fsync="no").start() as node:
        client = Redis.from_url(node.url, socket_timeout=None)
        store = RedisRegistrationStore(client, at_rest(), round_trip_s=0.5)
        assert await store.already_decided(["SUB-PAUSE"]) == set()
        assert node.process is not None and node.process.pid is not None
        os.kill(node.process.pid, signal.SIGSTOP)
        try:
            began = time.monotonic()
            with pytest.raises(TransientFailure, match="no answer in time"):
                await store.already_decided(["SUB-PAUSE"])
            assert time.monotonic() - began < 3.0
        finally:
            os.kill(node.process.pid, signal.SIGCONT)
        # The connection whose reply was cut off is dropped; the next batch reads cleanly.
        assert await store.already_decided(["SUB-PAUSE"]) == set()
        await client.aclose()


CHECKS = (Check.NIB, Check.NPWP, Check.NIK)


@pytest.fixture
def sent() -> Counter[str]:
    """The commands a test's client puts on the wire, by name (``bench.store_cost.counting``)."""
    return Counter()


def _counted_client(redis_url: str, sent: Counter[str]) -> Redis:
    """A client as ``runtime.settings`` builds it (hiredis packing), counting into ``sent``."""
    return counting(packed_by_hiredis(Redis.from_url(redis_url)), sent)


async def _decide_batch(store: RedisRegistrationStore, sids: list[str]) -> None:
    """Open, answer and approve ``sids`` as one batch per step, the gateway's hot path."""
    await store.open([opened(sid, *CHECKS) for sid in sids])
    for timer in Timer:  # R13's promises, as the gateway sets them at intake
        await store.schedule(timer, [(sid, 1.0) for sid in sids])
    states = await store.record([answer(sid, check) for sid in sids for check in CHECKS])
    assert all(state is not None and state.complete for state in states)
    await store.mark_decided(
        [PublishedDecision(sid, Outcome.APPROVED, b"{}", had_timers=True) for sid in sids]
    )


async def test_the_hot_path_sends_one_command_per_answer_and_two_per_decision(redis_url, sent):
    """Issue 15: the gateway's per-batch Redis work, counted on the wire.

    Before: four commands to open an application, two per answer, and five
    ZREMs per decision. Now a script opens (one), a script per answer writes
    it and reads the application back only with its last answer (one), and
    the timers of a whole batch are cleared with one ZREM per sorted set.
    """
    client = _counted_client(redis_url, sent)
    store = RedisRegistrationStore(client, at_rest())
    await _decide_batch(store, [f"SUB-WARM-{uuid.uuid4().hex[:8]}"])  # scripts loaded
    sent.clear()
    sids = [f"SUB-CMDS-{uuid.uuid4().hex[:8]}-{i}" for i in range(20)]
    await _decide_batch(store, sids)
    timers = len(Timer) + 1  # every timer's sorted set and the referral queue
    assert dict(sent) == {
        "EVALSHA": 4 * len(sids),
        "ZADD": len(Timer),
        "HSET": len(sids),
        "SET": len(sids),
        "ZREM": timers,
    }
    assert set(await store.already_decided(sids)) == set(sids)
    for key in (*(f"insw:gw:timer:{t.value}" for t in Timer), "insw:gw:referred"):
        scores = [await client.zscore(key, sid) for sid in sids]
        assert scores == [None] * len(sids), key
    await client.aclose()


async def test_a_redis_that_forgot_the_scripts_loads_them_and_loses_nothing(redis_url, sent):
    """After SCRIPT FLUSH (or a restart) the first pipeline hears NOSCRIPT: load, send again."""
    client = _counted_client(redis_url, sent)
    store = RedisRegistrationStore(client, at_rest())
    sid, other = (f"SUB-FLUSH-{uuid.uuid4().hex[:8]}-{i}" for i in range(2))
    await store.open([opened(sid, Check.NIB, Check.NPWP)])
    await client.script_flush()
    [first] = await store.record([answer(sid, Check.NIB)])
    assert first is not None and not first.complete
    assert sent["SCRIPT LOAD"] == 2  # both scripts loaded again, once
    await client.script_flush()
    await store.open([opened(other, Check.NIB)])
    [second] = await store.record([answer(sid, Check.NPWP)])
    assert second is not None and second.complete
    assert set(second.answers()) == {Check.NIB, Check.NPWP}
    [alone] = await store.record([answer(other, Check.NIB)])
    assert alone is not None and alone.complete
    assert sent["SCRIPT LOAD"] == 4
    await client.aclose()


async def test_stray_answers_leave_no_hash_behind(redis_url):
    """An answer for an application never opened is removed by the script that reports it."""
    client = Redis.from_url(redis_url)
    store = RedisRegistrationStore(client, at_rest())
    sid = f"SUB-STRAY-{uuid.uuid4().hex[:8]}"
    assert await store.record([answer(sid, Check.NIB), answer(sid, Check.NIK)]) == [None, None]
    assert await client.exists(f"insw:gw:app:{sid}") == 0
    await client.aclose()
