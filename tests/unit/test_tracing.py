"""Trace context rides in Kafka headers; one span per hop; signatures do not cover it."""

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from contracts import channels
from contracts import headers as h
from contracts.signers import GATEWAY
from runtime import tracing
from runtime.consumer import HandlerResult
from runtime.records import Inbound, Outbound
from runtime.signing import development_key, development_registry
from runtime.typed import typed

PARENT_TRACE = "0af7651916cd43dd8448eb211c80319c"
PARENT_SPAN = "b7ad6b7169203331"
TRACEPARENT = f"00-{PARENT_TRACE}-{PARENT_SPAN}-01"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    tracing.install(exporter, "unit")
    yield exporter
    tracing.uninstall()


def inbound(headers: list[tuple[str, bytes]], value: bytes = b"{}") -> Inbound:
    return Inbound(channels.AUDIT.topic, 0, 7, b"k", value, headers)


def test_off_the_cause_trace_headers_are_copied_so_the_trace_is_not_cut():
    assert not tracing.enabled()
    cause = inbound([(h.TRACEPARENT, TRACEPARENT.encode()), (h.TRACESTATE, b"v=1")])
    out = Outbound.of(channels.AUDIT, b"x", cause=cause, correlation_id="S-1")
    assert out.headers[h.TRACEPARENT] == TRACEPARENT
    assert out.headers[h.TRACESTATE] == "v=1"
    fresh = Outbound.of(channels.AUDIT, b"x", cause=None, correlation_id="S-1")
    assert h.TRACEPARENT not in fresh.headers


async def test_a_consumed_record_gets_a_span_and_what_it_causes_is_its_child(spans):
    seen: list[Inbound] = []

    async def handler(batch):
        seen.extend(r for r, _ in batch)
        out = [Outbound.of(channels.AUDIT, b"x", cause=r, correlation_id="S-1") for r, _ in batch]
        return HandlerResult(outbound=out)

    handle = typed(channels.AUDIT, handler, parse=lambda raw: raw)
    result = await handle([inbound([(h.TRACEPARENT, TRACEPARENT.encode())])])

    finished = {s.name: s for s in spans.get_finished_spans()}
    consume = finished[f"consume {channels.AUDIT.topic}"]
    publish = finished[f"publish {channels.AUDIT.topic}"]
    assert format(consume.context.trace_id, "032x") == PARENT_TRACE
    assert format(consume.parent.span_id, "016x") == PARENT_SPAN
    assert publish.parent.span_id == consume.context.span_id
    _, trace_id, span_id, _ = result.outbound[0].headers[h.TRACEPARENT].split("-")
    assert (trace_id, span_id) == (PARENT_TRACE, format(publish.context.span_id, "016x"))
    assert seen[0].trace is not None and seen[0].offset == 7


async def test_a_record_without_context_starts_a_trace_of_its_own(spans):
    async def handler(batch):
        return HandlerResult(
            outbound=[
                Outbound.of(channels.AUDIT, b"x", cause=r, correlation_id="S") for r, _ in batch
            ]
        )

    result = await typed(channels.AUDIT, handler, parse=lambda raw: raw)([inbound([])])
    consume = next(s for s in spans.get_finished_spans() if s.name.startswith("consume"))
    assert consume.parent is None
    assert result.outbound[0].headers[h.TRACEPARENT].split("-")[1] == format(
        consume.context.trace_id, "032x"
    )


async def test_work_within_a_record_is_its_child_and_http_calls_carry_the_context(spans):
    headers: dict[str, str] = {}

    async def call_agency() -> str:
        with tracing.calling("agency call", {"http.request.method": "GET"}, headers):
            return "answer"

    async def handler(batch):
        answers = [await tracing.within(r, call_agency()) for r, _ in batch]
        assert answers == ["answer"]
        return HandlerResult()

    await typed(channels.AUDIT, handler, parse=lambda raw: raw)(
        [inbound([(h.TRACEPARENT, TRACEPARENT.encode())])]
    )
    finished = {s.name: s for s in spans.get_finished_spans()}
    call, consume = finished["agency call"], finished[f"consume {channels.AUDIT.topic}"]
    assert call.parent.span_id == consume.context.span_id
    assert headers[h.TRACEPARENT].split("-")[2] == format(call.context.span_id, "016x")


def test_the_trace_headers_are_not_signed_so_each_hop_may_rewrite_them():
    key = development_key(GATEWAY)
    record = Outbound.of(channels.AUDIT, b"value", cause=None, correlation_id="S-1")
    signed = key.sign(record)
    raw = [(n, v.encode()) for n, v in signed.headers.items()]
    rewritten = [*raw, (h.TRACEPARENT, TRACEPARENT.encode()), (h.TRACESTATE, b"x=1")]
    registry = development_registry()
    assert registry.verify(signed.key, signed.value, rewritten, frozenset({GATEWAY})) == GATEWAY
    assert h.TRACEPARENT not in h.SIGNED and h.TRACESTATE not in h.SIGNED


def test_a_parked_record_keeps_its_trace_context():
    assert set(h.TRACE) <= set(h.LINEAGE)
