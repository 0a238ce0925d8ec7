"""Where the time goes: per-hop latency from the records' own timestamps.

Why: end-to-end latency says *that* a pipe is slow, not *where*. Every record
carries its producer's create time (wall clock, milliseconds), so after a
phase the records of each submission give: submission -> requests (first
stage: the gateway's intake, or raw stage A), request -> answer per check (an
adapter, or raw stage B) and last answer -> decision (the gateway's decide, or
raw stage C). Millisecond resolution is plenty for hops that matter.
"""

import json
import statistics
from collections.abc import Mapping

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from bench.shape import CHECKS
from bench.stats import percentile
from runtime.kafka_security import from_environment


def _check_of(value: bytes) -> str:
    head = value.split(b"|", 1)[0].decode(errors="replace")
    if head in CHECKS:
        return head  # the raw pipe's answers
    return str(json.loads(value).get("check"))


async def _read_all(
    bootstrap: str, wanted: list[str], id_prefix: str
) -> dict[str, list[tuple[str, bytes, int]]]:
    probe = AIOKafkaProducer(bootstrap_servers=bootstrap, **from_environment())
    await probe.start()
    try:
        assigned = [TopicPartition(t, p) for t in wanted for p in await probe.partitions_for(t)]
    finally:
        await probe.stop()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        isolation_level="read_committed",
        **from_environment(),
    )
    await consumer.start()
    found: dict[str, list[tuple[str, bytes, int]]] = {t: [] for t in wanted}
    try:
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        ends = await consumer.end_offsets(assigned)
        pending = {tp for tp, end in ends.items() if end > 0}
        while pending:
            for tp, records in (await consumer.getmany(timeout_ms=500, max_records=5000)).items():
                for r in records:
                    key = (r.key or b"").decode()
                    if key.startswith(id_prefix) and r.value is not None:
                        found[tp.topic].append((key, r.value, r.timestamp))
            pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
    finally:
        await consumer.stop()
    return found


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "p50_ms": percentile(values, 50),
        "p95_ms": percentile(values, 95),
        "p99_ms": percentile(values, 99),
        "mean_ms": round(statistics.fmean(values), 1),
    }


async def breakdown(
    bootstrap: str, topic_of: Mapping[str, str], id_prefix: str
) -> dict[str, dict[str, float]]:
    """Per-hop latency for submissions ``id_prefix*``.

    ``topic_of`` maps ``submitted``, ``NIB``, ``NPWP``, ``NIK``, ``completed``
    and ``decided`` to topic names.
    """
    found = await _read_all(bootstrap, list(topic_of.values()), id_prefix)
    submitted = {k: ts for k, _, ts in found[topic_of["submitted"]]}
    requested: dict[str, dict[str, int]] = {}
    for check in CHECKS:
        for key, _, ts in found[topic_of[check]]:
            requested.setdefault(key, {})[check] = ts
    answered: dict[str, dict[str, int]] = {}
    for key, value, ts in found[topic_of["completed"]]:
        answered.setdefault(key, {})[_check_of(value)] = ts
    decided = {k: ts for k, _, ts in found[topic_of["decided"]]}
    hops: dict[str, list[float]] = {"intake: submitted -> requests": []}
    hops |= {f"agency {c}: request -> answer": [] for c in CHECKS}
    hops["decide: last answer -> decision"] = []
    for key, sub_ts in submitted.items():
        req, ans, dec = requested.get(key, {}), answered.get(key, {}), decided.get(key)
        if len(req) != len(CHECKS) or len(ans) != len(CHECKS) or dec is None:
            continue
        hops["intake: submitted -> requests"].append(max(req.values()) - sub_ts)
        for check in CHECKS:
            hops[f"agency {check}: request -> answer"].append(ans[check] - req[check])
        hops["decide: last answer -> decision"].append(dec - max(ans.values()))
    return {name: _summary(values) for name, values in hops.items()}


async def decided_more_than_once(bootstrap: str, decided_topic: str, id_prefix: str) -> list[str]:
    """Submissions ``id_prefix*`` with more than one committed decision on ``decided_topic``.

    Why after the phase: the driver stops listening once every submission is
    decided, so a late second decision would escape it; read back from the
    beginning once the groups have settled, none may be there twice.
    """
    found = await _read_all(bootstrap, [decided_topic], id_prefix)
    seen: dict[str, int] = {}
    for key, _, _ in found[decided_topic]:
        seen[key] = seen.get(key, 0) + 1
    return sorted(key for key, count in seen.items() if count > 1)
