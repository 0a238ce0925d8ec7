"""``python -m bench.adapter_cost``: an agency adapter's CPU per verification request, in process.

Why: ``./hub bench`` shows each verification adapter at ~0.6 ms of a core per
registration; this runs an adapter's real per-record path as
:func:`adapters.kit.verifier.verification_service` wires it, without Kafka:
:func:`runtime.typed.typed` over the kit's verification handler over
:class:`adapters.kit.resilience.ResilientAgency` (metrics, breaker,
concurrency limit) with the real Redis answer cache, then the
:class:`runtime.audit.OutputStage` that signs the answers with the adapter's key.

The agency itself is left out: a stand-in client answers at once from the
simulated world with the OSS adapter's own wire mapping, so the figures are
the kit's cost. Two passes over the same requests: ``miss`` (each question
new: the stand-in answers and the answer is cached) and ``hit`` (each
answered from the cache, as when one company's applicants come back). CPU is this
process's ``time.process_time()``; the Redis server does not count.
"""

import json
import time
import uuid
from collections.abc import Sequence
from typing import Any

from prometheus_client import CollectorRegistry
from redis.asyncio import Redis

from adapters.kit.breaker import CircuitBreaker
from adapters.kit.cache import RedisAnswerCache
from adapters.kit.metrics import AgencyMetrics
from adapters.kit.resilience import ResilientAgency
from adapters.kit.verifier import verification_handler
from adapters.oss_nib import wire as oss_wire
from bench.gateway_cost import BENCH_AT_REST, run_rounds
from contracts import channels
from contracts.agencies import OSS_NIB, answer_for
from contracts.verification import AgencyAnswer, Check, CheckOutcome, VerificationRequested
from runtime.audit import OutputStage
from runtime.records import Inbound, Outbound
from runtime.signing import development_key, signer_for
from simulators.dataset import WORLD
from simulators.oss import data_nib


class WorldOss:
    """The OSS client's mapping over the simulated world, without HTTP (the agency left out)."""

    check: str = Check.NIB

    async def verify(self, request: VerificationRequested) -> AgencyAnswer:
        """VERIFIED with the NIB record, as the OSS adapter answers a known NIB."""
        company = WORLD.company_by_nib(request.identifier)
        assert company is not None, "the benchmark asks about the world's companies"
        record = oss_wire.to_record({"responInquiryNIB": {"dataNIB": data_nib(company)}})
        return answer_for(request, outcome=CheckOutcome.VERIFIED, nib_record=record)


def requests(run_id: str, count: int, offset: int = 0) -> list[Inbound]:
    """``count`` NIB questions about the world's approvable companies, as consumed records."""
    out = []
    for index, (company, _) in enumerate(WORLD.iter_approvable(count)):
        sid = f"BENCH-{run_id}-{offset + index:06d}"
        request = VerificationRequested(
            submission_id=sid,
            check=Check.NIB,
            identifier=company.nib,
            request_id="r" * 32,
            full_name=sid,  # part of the cache key: each question is asked once per pass
        )
        record = Outbound.of(
            channels.request_channel(OSS_NIB), request, cause=None, correlation_id=sid
        )
        headers = [(name, value.encode()) for name, value in record.headers.items()]
        out.append(Inbound(record.topic, 0, index, record.key, record.value, headers))
    return out


async def measure(redis: Redis, count: int, batch_size: int) -> dict[str, Any]:
    """CPU µs per request, cache miss and cache hit, for ``count`` requests each."""
    metrics = AgencyMetrics(CollectorRegistry())
    meter = metrics.meter("oss")
    cache = RedisAnswerCache(
        redis,
        agency="oss",
        secret=uuid.uuid4().bytes,  # a fresh key space: the first pass misses
        at_rest=BENCH_AT_REST,
        ttl_seconds=600,
        meter=meter,
    )
    verifier = ResilientAgency(
        WorldOss(),
        breaker=CircuitBreaker(failures=5, cooldown=30.0, on_change=meter.breaker),
        cache=cache,
        meter=meter,
        concurrency=64,
    )
    handler = verification_handler(verifier, OSS_NIB)
    stage = OutputStage(signer_for(development_key(OSS_NIB.signer), channels.channels()), None)
    run_id = uuid.uuid4().hex[:8]
    figures: dict[str, Any] = {"requests": count, "batch_size": batch_size}
    for case in ("miss", "hit"):
        records = requests(run_id, count)
        cpu = 0.0
        for start in range(0, count, batch_size):
            batch: Sequence[Inbound] = records[start : start + batch_size]
            began = time.process_time()
            result = await handler(batch)
            await stage.prepare(result.outbound)
            cpu += time.process_time() - began
            if result.dead or len(result.outbound) != len(batch):
                raise RuntimeError(f"{len(result.dead)} dead letter(s), expected one answer each")
        figures[f"cpu_us_per_request_{case}"] = round(cpu * 1e6 / count, 1)
    return figures


def main() -> None:
    """Measure and print the figures as JSON."""
    rows = run_rounds("python -m bench.adapter_cost", "requests", __doc__, measure)
    print(json.dumps({"rounds": rows}, indent=2))


if __name__ == "__main__":
    main()
