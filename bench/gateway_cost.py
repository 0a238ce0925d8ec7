"""``python -m bench.gateway_cost``: the gateway's CPU per registration, by stage, in process.

Why: ``./hub bench`` shows the gateway at ~3.4 ms of a core per approved
registration, but not where. This runs the gateway's real handlers as
:mod:`runtime.service` wires them, without Kafka, against a real Redis:

* submissions: :func:`runtime.typed.typed` over :meth:`Gateway.on_submissions`;
* answers: :func:`runtime.signing.verified` over ``typed`` (the agencies'
  answer decoder) over :meth:`Gateway.on_results`;
* each batch's outputs through the :class:`runtime.audit.OutputStage` that
  chains audit events and signs (the gateway's key), then the handler's
  ``after_publish`` steps (the store learns the decision).

The answers are what the adapters would send for the simulated world
(their own wire mapping over the simulators' reply bodies), signed by the
adapters' development keys before the clock starts. Consumed records are
built from the published ones the way a consumer reads them (bytes headers).

CPU is this process's (``time.process_time``): the Redis server is another
process and does not count; the Redis client's work does. Each stage's CPU
is reported per registration (one submission and three answers), with the
verification split from decoding and handling. ``gc_us_per_registration``
is the part of that CPU spent in Python's garbage collector; ``--collector
default`` runs with CPython's thresholds instead of the services' own
(:mod:`runtime.collector`), for the comparison.

Redis: ``REDIS_URL`` when set (a scratch database: keys ``insw:gw:*`` of
``BENCH-COST-*`` ids are written), else a throw-away ``redis-server``.
"""

import argparse
import asyncio
import json
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from redis.asyncio import Redis

from adapters.djp_npwp import wire as djp_wire
from adapters.oss_nib import wire as oss_wire
from bench.payloads import submissions
from contracts import channels, signers
from contracts.agencies import answer_for
from contracts.decision import RegistrationDecided
from contracts.verification import CheckOutcome, NikMatch, VerificationRequested
from devstack.redis import RedisNode
from gateway.handlers import Gateway
from gateway.store_redis import RedisRegistrationStore
from runtime import collector
from runtime.at_rest import AtRest
from runtime.audit import AuditChain, OutputStage
from runtime.consumer import BatchHandler, HandlerResult
from runtime.documents import RedisDocumentStore
from runtime.records import Inbound, Outbound
from runtime.redis_wire import packed_by_hiredis
from runtime.signing import development_key, development_registry, signer_for, verified
from runtime.typed import typed
from simulators.dataset import WORLD
from simulators.djp import taxpayer_body
from simulators.oss import data_nib
from simulators.registrations import EXAMPLE_DOCUMENT_ID, EXAMPLE_POWER_OF_ATTORNEY

STAGES = (
    "submissions.handle",
    "submissions.output",
    "answers.verify",
    "answers.handle",
    "answers.output",
    "after_publish",
)
"""Where the CPU goes, in the order a registration passes (``.handle`` includes decoding)."""

BENCH_AT_REST = AtRest([b"YmVuY2gtYXQtcmVzdC1rZXktMzItYnl0ZXMtbG9uZyE=".decode()], b"bench-index")
"""A fixed at-rest key ring: the benchmark's Redis holds nothing worth protecting."""


class Clock:
    """Process CPU seconds per stage."""

    def __init__(self) -> None:
        self.cpu = dict.fromkeys(STAGES, 0.0)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Add the CPU spent inside the block to ``name``."""
        started = time.process_time()
        try:
            yield
        finally:
            self.cpu[name] += time.process_time() - started

    def timed(self, name: str, handler: BatchHandler) -> BatchHandler:
        """``handler`` with its CPU added to ``name``."""

        async def handle(batch: Sequence[Inbound]) -> HandlerResult:
            started = time.process_time()
            try:
                return await handler(batch)
            finally:
                self.cpu[name] += time.process_time() - started

        return handle


def consumed(records: Sequence[Outbound], first_offset: int = 0) -> list[Inbound]:
    """Published records as a consumer reads them: bytes headers, offsets in order."""
    return [
        Inbound(
            topic=r.topic,
            partition=0,
            offset=first_offset + i,
            key=r.key,
            value=r.value,
            headers=[(name, value.encode()) for name, value in r.headers.items()],
        )
        for i, r in enumerate(records)
    ]


def adapter_answer(request: VerificationRequested) -> Any:
    """What the adapter of ``request.check`` answers for the simulated world (VERIFIED)."""
    if request.check == "NIB":
        company = WORLD.company_by_nib(request.identifier)
        assert company is not None, "an approvable registration's NIB is in the world"
        nib = oss_wire.to_record({"responInquiryNIB": {"dataNIB": data_nib(company)}})
        return answer_for(request, outcome=CheckOutcome.VERIFIED, nib_record=nib)
    if request.check == "NPWP":
        taxpayer = WORLD.taxpayer_by_npwp(request.identifier)
        assert taxpayer is not None, "an approvable registration's NPWP is in the world"
        npwp = djp_wire.to_record(json.loads(taxpayer_body(taxpayer)))
        return answer_for(request, outcome=CheckOutcome.VERIFIED, npwp_record=npwp)
    match = NikMatch(nik_found=True, name_matches=True)
    return answer_for(request, outcome=CheckOutcome.VERIFIED, nik_match=match)


def signed_answers(asked: Sequence[Outbound]) -> list[Outbound]:
    """Every verification request in ``asked`` answered and signed by its adapter, each
    adapter's answers to one batch signed together as its output stage signs them."""
    keys = {s: development_key(s) for s in signers.AGENCY_SIGNERS}
    by_signer: dict[str, list[int]] = {}
    out: list[Outbound] = []
    for record in asked:
        channel = channels.by_topic().get(record.topic)
        if channel is None or channel.model is not VerificationRequested:
            continue
        assert record.value is not None
        request = VerificationRequested.model_validate_json(record.value)
        answer = adapter_answer(request)
        reply = Outbound.of(
            channels.VERIFICATION_COMPLETED,
            answer,
            cause=consumed([record])[0],
            correlation_id=request.submission_id,
        )
        [signer] = [s for s in keys if s in _owner_of(request.check)]
        by_signer.setdefault(signer, []).append(len(out))
        out.append(reply)
    for signer, places in by_signer.items():
        sign = signer_for(keys[signer], [channels.VERIFICATION_COMPLETED])
        for place, signed in zip(places, sign([out[i] for i in places]), strict=True):
            out[place] = signed
    return out


def _owner_of(check: str) -> set[str]:
    from contracts.agencies import SHIPPED

    return {SHIPPED.spec(check).signer or ""}


async def _run_batch(
    clock: Clock,
    handler: BatchHandler,
    stage: OutputStage,
    batch: Sequence[Inbound],
    output: str,
) -> list[Outbound]:
    """One consumed batch as the pump runs it: handle, prepare outputs, commit, after-publish."""
    result = await handler(batch)
    if result.dead:
        raise RuntimeError(f"{len(result.dead)} dead letter(s): {result.dead[0][1]}")
    with clock.stage(output):
        prepared = await stage.prepare(result.outbound)
        stage.settled(True)
    with clock.stage("after_publish"):
        for step in result.after_publish:
            await step()
    return prepared


async def measure(redis: Redis, count: int, batch_size: int) -> dict[str, Any]:
    """CPU per registration by stage for ``count`` approvable registrations."""
    clock = Clock()
    store = RedisRegistrationStore(redis, BENCH_AT_REST)
    documents = RedisDocumentStore(redis, BENCH_AT_REST)
    await documents.put(EXAMPLE_DOCUMENT_ID, EXAMPLE_POWER_OF_ATTORNEY, "application/pdf")
    gateway = Gateway(store, documents)
    agencies = gateway.rulebook.agencies
    key = development_key(signers.GATEWAY)
    sign = signer_for(key, channels.channels())
    on_submissions = clock.timed(
        "submissions.handle", typed(channels.REGISTRATION_SUBMITTED, gateway.on_submissions)
    )
    answers_typed = clock.timed(
        "answers.handle",
        typed(channels.VERIFICATION_COMPLETED, gateway.on_results, agencies.decode_answer),
    )
    on_answers = clock.timed(
        "answers.verify",
        verified(
            channels.VERIFICATION_COMPLETED,
            answers_typed,
            development_registry(),
            agencies.signers(),
        ),
    )

    async def no_head(_: str) -> None:
        return None

    stage = OutputStage(sign, AuditChain("bench.gateway-cost", no_head))
    run_id = uuid.uuid4().hex[:8]
    load = submissions(run_id, "COST", count)
    inbound = [
        Inbound(
            channels.REGISTRATION_SUBMITTED.topic,
            0,
            i,
            s.submission_id.encode(),
            s.value,
            s.headers,
        )
        for i, s in enumerate(load)
    ]
    decided = 0
    offset = 0
    total_cpu = 0.0
    total_gc = 0.0  # the collector's share of total_cpu
    pauses = collector.Pauses().install()
    for start in range(0, count, batch_size):
        chunk = inbound[start : start + batch_size]
        began, gc_began = time.process_time(), pauses.total
        asked = await _run_batch(clock, on_submissions, stage, chunk, "submissions.output")
        total_cpu += time.process_time() - began
        total_gc += pauses.total - gc_began
        answers = signed_answers(asked)  # not measured: the adapters' work
        for check in sorted({_check_of(a) for a in answers}):
            # One batch per agency, as each adapter's answers arrive: an application
            # completes (and is decided) on the last of its three answers.
            batch = consumed([a for a in answers if _check_of(a) == check], offset)
            offset += len(batch)
            began, gc_began = time.process_time(), pauses.total
            decisions = await _run_batch(clock, on_answers, stage, batch, "answers.output")
            total_cpu += time.process_time() - began
            total_gc += pauses.total - gc_began
            decided += _approvals(decisions)
    pauses.remove()
    # "answers.verify" was timed around verification and the handler behind it: keep the first.
    clock.cpu["answers.verify"] -= clock.cpu["answers.handle"]
    if decided != count:
        raise RuntimeError(f"{decided} of {count} registrations approved: the load is approvable")
    per = {name: cpu * 1e6 / count for name, cpu in clock.cpu.items()}
    return {
        "registrations": count,
        "batch_size": batch_size,
        "cpu_us_per_registration": round(total_cpu * 1e6 / count, 1),
        "gc_us_per_registration": round(total_gc * 1e6 / count, 1),
        "stages_us_per_registration": {name: round(us, 1) for name, us in per.items()},
    }


def _check_of(answer: Outbound) -> str:
    assert answer.value is not None
    return str(json.loads(answer.value)["check"])


def _approvals(prepared: Sequence[Outbound]) -> int:
    approved = 0
    for record in prepared:
        if record.topic == channels.REGISTRATION_DECIDED.topic and record.value is not None:
            event = RegistrationDecided.model_validate_json(record.value)
            approved += event.outcome == "APPROVED"
    return approved


@contextmanager
def redis_url() -> Iterator[str]:
    """`REDIS_URL` when set, else a throw-away `redis-server` for the run."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    with RedisNode(fsync="no").start() as node:
        yield node.url


Measure = Callable[[Redis, int, int], Awaitable[dict[str, Any]]]


def run_rounds(
    prog: str,
    what: str,
    doc: str | None,
    measure: Measure,
    client_hook: Callable[[Redis], Redis] = lambda client: client,
    **redis_options: Any,
) -> list[dict[str, Any]]:
    """Parse ``--n``, ``--batch``, ``--rounds``; warm up, then measure each round on one Redis.

    ``redis_options`` configure the client as the measured service does;
    ``client_hook`` may change it further before it opens a connection.
    """
    parser = argparse.ArgumentParser(prog=prog, description=doc)
    parser.add_argument("--n", type=int, default=1000, help=f"{what} per round")
    parser.add_argument("--batch", type=int, default=50, help=f"{what} per batch")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--packer",
        choices=("hiredis", "redis-py"),
        default="hiredis",
        help="who packs the Redis commands: hiredis, as the services' clients do "
        "(runtime.redis_wire), or redis-py's own Python packer, for the comparison",
    )
    parser.add_argument(
        "--collector",
        choices=("tuned", "default"),
        default="tuned",
        help="Python's garbage collector as the services run it (runtime.collector), "
        "or CPython's defaults",
    )
    args = parser.parse_args()
    if args.collector == "tuned":
        collector.tune()

    async def rounds() -> list[dict[str, Any]]:
        with redis_url() as url:
            redis = Redis.from_url(url, **redis_options)
            if args.packer == "hiredis":
                redis = packed_by_hiredis(redis)
            redis = client_hook(redis)
            try:
                await measure(redis, min(args.n, 200), args.batch)  # warm-up: imports, caches
                return [await measure(redis, args.n, args.batch) for _ in range(args.rounds)]
            finally:
                await redis.aclose()

    return asyncio.run(rounds())


def main() -> None:
    """Measure and print the figures as JSON."""
    # The gateway's store client: one bound per pipeline, none per reply (gateway.app).
    rows = run_rounds(
        "python -m bench.gateway_cost", "registrations", __doc__, measure, socket_timeout=None
    )
    best = min(rows, key=lambda r: r["cpu_us_per_registration"])
    print(json.dumps({"rounds": rows, "best": best}, indent=2))


if __name__ == "__main__":
    main()
