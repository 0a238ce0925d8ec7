"""``python -m bench.store_cost``: the gateway store's hot path, per registration, on a real Redis.

Why: redis-py packs every command in Python, so the gateway pays per
command it sends, not per round trip (issue 15: "the gateway's per-batch
work in one Redis round trip"). This runs the three calls every approved
registration makes, batch by batch as the gateway makes them:

* ``open``: the applications of a batch of submissions, with their timers;
* ``record``: each agency's answers, one batch per agency, as they arrive;
* ``mark_decided``: the final decisions, clearing the timers.

It reports this process's CPU per registration for each (the Redis server
is another process and does not count) and the commands the client put on
the wire per registration, counted by the connection that packs them.
``--packer redis-py`` packs them with redis-py's Python packer instead of
hiredis (:mod:`runtime.redis_wire`), for the comparison.

Redis: ``REDIS_URL`` when set (a scratch database: ``insw:gw:*`` keys of
``BENCH-*-STORE-*`` ids are written), else a throw-away ``redis-server``.
"""

import hashlib
import json
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any, ClassVar

from redis.asyncio import Redis

from bench.gateway_cost import BENCH_AT_REST, adapter_answer, run_rounds
from bench.payloads import submissions
from contracts.decision import Outcome
from contracts.registration import RegistrationSubmitted
from gateway.decisions import promise_timers
from gateway.rules.assess import verification_requests
from gateway.rules.documents import StoredFacts
from gateway.rules.pipeline import SHIPPED_RULES
from gateway.store import PublishedDecision
from gateway.store_redis import RedisRegistrationStore
from simulators.registrations import EXAMPLE_DOCUMENT_ID, EXAMPLE_POWER_OF_ATTORNEY

CALLS = ("open", "record", "mark_decided")


SENT: Counter[str] = Counter()
"""The commands the measured client packed, by name (pipelines pack each one)."""


class _Counting:
    """Mixed in before a connection class: count each command, then pack it as that class does."""

    sent: ClassVar[Counter[str]]

    def pack_command(self, *args: Any) -> list[bytes]:
        """Count the command, then pack it."""
        self.sent[str(args[0]).upper()] += 1
        packed: list[bytes] = super().pack_command(*args)  # type: ignore[misc]
        return packed


def counting(client: Redis, sent: Counter[str]) -> Redis:
    """``client``, its connections counting into ``sent`` what they pack (before any is opened).

    The connections keep the class the client chose (hiredis or not, TLS or not).
    """
    pool = client.connection_pool
    base = pool.connection_class
    pool.connection_class = type(f"Counting{base.__name__}", (_Counting, base), {"sent": sent})
    return client


async def measure(redis: Redis, count: int, batch_size: int) -> dict[str, Any]:
    """CPU and commands per registration of ``open``, ``record`` and ``mark_decided``."""
    store = RedisRegistrationStore(redis, BENCH_AT_REST)
    today = datetime.now(UTC).date()
    digest = hashlib.sha256(EXAMPLE_POWER_OF_ATTORNEY).hexdigest()
    stored = {EXAMPLE_DOCUMENT_ID: StoredFacts(digest, "application/pdf")}
    run_id = uuid.uuid4().hex[:8]
    subs = [
        RegistrationSubmitted.model_validate_json(s.value)
        for s in submissions(run_id, "STORE", count)
    ]
    cpu = dict.fromkeys(CALLS, 0.0)
    SENT.clear()
    for start in range(0, count, batch_size):
        batch = [
            (sub, SHIPPED_RULES.assess(sub, today, stored))
            for sub in subs[start : start + batch_size]
        ]
        answers = [
            adapter_answer(request)
            for _, assessment in batch
            for _, request in verification_requests(assessment, SHIPPED_RULES.agencies)
        ]
        began = time.process_time()
        await store.open(batch)
        for timer, due in promise_timers([sub for sub, _ in batch]).items():
            await store.schedule(timer, due)
        cpu["open"] += time.process_time() - began
        for check in sorted({a.check for a in answers}):
            began = time.process_time()
            states = await store.record([a for a in answers if a.check == check])
            cpu["record"] += time.process_time() - began
            if not all(state is not None for state in states):
                raise RuntimeError("an answer found no application: the store lost one")
        decisions = [
            PublishedDecision(sub.submission_id, Outcome.APPROVED, b"{}", had_timers=True)
            for sub, _ in batch
        ]
        began = time.process_time()
        await store.mark_decided(decisions)
        cpu["mark_decided"] += time.process_time() - began
    return {
        "registrations": count,
        "batch_size": batch_size,
        "cpu_us_per_registration": round(sum(cpu.values()) * 1e6 / count, 1),
        "calls_us_per_registration": {k: round(v * 1e6 / count, 1) for k, v in cpu.items()},
        "commands_per_registration": round(sum(SENT.values()) / count, 2),
        "commands": dict(SENT.most_common()),
    }


def main() -> None:
    """Measure and print the figures as JSON."""
    rows = run_rounds(
        "python -m bench.store_cost",
        "registrations",
        __doc__,
        measure,
        lambda client: counting(client, SENT),
        socket_timeout=None,
    )
    best = min(rows, key=lambda r: r["cpu_us_per_registration"])
    print(json.dumps({"rounds": rows, "best": best}, indent=2))


if __name__ == "__main__":
    main()
