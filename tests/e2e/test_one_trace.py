"""One registration, one trace: every hop from the intake to the CEISA document shares it.

The stack's services run as OS processes on the real broker and Redis, each
writing its spans as JSON lines into the session's ``traces_dir`` (see
``tests/e2e/conftest.py``). The trace id is read from the CEISA document's
``traceparent`` header (what customs receives), then the files of every
process are merged and every hop must be found under that one id, joined
parent to child. A hop that does not propagate the context (a lost header, a
span started outside the record's context) starts a trace of its own and
fails the test.
"""

import asyncio
import json
import uuid
from pathlib import Path

from redis.asyncio import Redis

from adapters.ceisa.app import NAME as CEISA_ADAPTER
from contracts import headers as h
from contracts import topics
from contracts.agencies import AGENCIES
from simulators.registrations import examples
from tests.e2e.test_personal_data_stays_out_of_logs import post_to_intake
from tests.kafka_io import collect

APPROVED_EXAMPLE = "01-company-approved.json"
INTAKE = "insw-intake"
GATEWAY = "insw-gateway"
SPANS_TIMEOUT_S = 20.0
AGENCY_CALL = "agency call"


def required_hops() -> set[tuple[str, str, str]]:
    """(service, kind, span name) of every hop a registration must leave in its trace."""
    hops = {
        (INTAKE, "SERVER", "POST /registrations"),
        (INTAKE, "PRODUCER", f"publish {topics.REGISTRATION_SUBMITTED}"),
        (GATEWAY, "CONSUMER", f"consume {topics.REGISTRATION_SUBMITTED}"),
        (GATEWAY, "CONSUMER", f"consume {topics.VERIFICATION_COMPLETED}"),
        (GATEWAY, "PRODUCER", f"publish {topics.REGISTRATION_DECIDED}"),
        (CEISA_ADAPTER, "CONSUMER", f"consume {topics.REGISTRATION_DECIDED}"),
        (CEISA_ADAPTER, "PRODUCER", f"publish {topics.CEISA_REGISTRATION}"),
    }
    for spec in AGENCIES:
        hops |= {
            (GATEWAY, "PRODUCER", f"publish {spec.request_topic}"),
            (spec.service, "CONSUMER", f"consume {spec.request_topic}"),
            (spec.service, "CLIENT", AGENCY_CALL),
            (spec.service, "PRODUCER", f"publish {topics.VERIFICATION_COMPLETED}"),
        }
    return hops


async def submit(stack, run: str) -> str:
    """The approved example, unchanged, through the HTTP intake; its submission id."""
    body = json.loads(json.dumps(examples()[APPROVED_EXAMPLE]))
    for hub_field in ("submission_id", "submitted_at", "attachments"):
        body.pop(hub_field)
    return await post_to_intake(stack, body, b"%PDF-1.7\n% Surat Kuasa\n%%EOF\n", f"trace-{run}")


async def forget_cached_answers(redis_url: str) -> None:
    """Drop the adapters' answer cache, so each adapter calls its agency (a span to see)."""
    redis = Redis.from_url(redis_url)
    try:
        async for key in redis.scan_iter(match="insw:agency-answer:*"):
            await redis.delete(key)
    finally:
        await redis.aclose()


def spans_of(directory: Path, trace_id: str) -> list[dict]:
    """Every span of ``trace_id`` in the JSON-lines files of every process."""
    found = []
    for path in directory.glob("*.jsonl"):
        for line in path.read_text().splitlines():
            if line.strip():
                span = json.loads(line)
                if span["trace_id"] == trace_id:
                    found.append(span)
    return found


def hops(spans: list[dict]) -> set[tuple[str, str, str]]:
    return {(s["service"], s["kind"], s["name"]) for s in spans}


async def test_one_trace_id_covers_every_hop_of_a_registration(stack, traces_dir: Path):
    await forget_cached_answers(stack.redis_url)
    sid = await submit(stack, uuid.uuid4().hex[:8])

    def document_sent(records) -> bool:
        return any(r.key.decode() == sid for r in records)

    records = await collect(stack.bootstrap_servers, [topics.CEISA_REGISTRATION], document_sent)
    document = next(r for r in records if r.key.decode() == sid)
    traceparent = dict(document.headers)[h.TRACEPARENT].decode()
    trace_id = traceparent.split("-")[1]

    wanted = required_hops()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SPANS_TIMEOUT_S
    spans = spans_of(traces_dir, trace_id)
    while not wanted <= hops(spans) and loop.time() < deadline:
        await asyncio.sleep(0.5)  # the batch processors write every 200 ms
        spans = spans_of(traces_dir, trace_id)
    stack.check_alive()

    assert wanted - hops(spans) == set(), "hops missing from the registration's trace"
    by_id = {s["span_id"]: s for s in spans}
    roots = [s for s in spans if s["parent_id"] not in by_id]
    assert [(r["service"], r["name"]) for r in roots] == [(INTAKE, "POST /registrations")]
    assert traceparent.split("-")[2] in by_id, "the document names a span of the trace"
    agency_calls = [s for s in spans if s["kind"] == "CLIENT"]
    for call in agency_calls:  # each agency call is a child of its adapter's consume span
        parent = by_id[call["parent_id"]]
        assert (parent["service"], parent["kind"]) == (call["service"], "CONSUMER")
