"""Traces across the hub's hops: W3C Trace Context in Kafka headers, one span per hop.

Why: a registration crosses eight processes (intake, gateway, three agency
adapters and their agencies, the CEISA adapter, CEISA, customs); lineage
headers say which record caused which, a trace says where the time went.

Where it happens, once each:

* consumed records: :func:`consuming` (called by :func:`runtime.typed.typed`)
  starts a ``CONSUMER`` span per record, a child of the record's
  ``traceparent``, and ends it when the batch's handler returns;
* published records: :func:`outgoing` (called by
  :meth:`runtime.records.Outbound.of`) starts a short ``PRODUCER`` span, a
  child of the cause's span (or of the current one: an HTTP request, a
  timer), and writes its ``traceparent``/``tracestate`` headers;
* HTTP: :func:`serving` (server spans, see :func:`middleware`) and
  :func:`calling` (client spans, the agencies).

Tracing is on when ``HUB_TRACES_DIR`` names a directory: each process then
writes its finished spans as JSON lines to ``<dir>/<service>-<pid>.jsonl``
from the SDK's batch processor thread (no network exporter). When it is off,
nothing here allocates a span: a record's trace headers are only copied from
its cause, so a trace stays whole across a process that does not record it.
Span names and attributes hold topics, agencies and routes, never an id or
personal data.
"""

import json
import os
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.trace import Span, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from contracts import headers as h

if TYPE_CHECKING:
    from runtime.records import Inbound

T = TypeVar("T")

TRACES_DIR_ENV = "HUB_TRACES_DIR"
EXPORT_DELAY_MS = 200
"""How often the batch processor writes finished spans (a test waits for them)."""

_propagator = TraceContextTextMapPropagator()


class _Installed:
    """This process's tracer and its provider; ``tracer`` is None while tracing is off."""

    tracer: trace.Tracer | None = None
    provider: TracerProvider | None = None


_installed = _Installed()
_OFF: AbstractContextManager[None] = nullcontext()


class JsonLinesExporter(SpanExporter):
    """Finished spans as one JSON object per line, appended to ``path``."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("a", encoding="utf-8")

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Write ``spans`` and flush: a crashed process keeps what it had exported."""
        self._file.writelines(json.dumps(_as_dict(s)) + "\n" for s in spans)
        self._file.flush()
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        """Close the file."""
        self._file.close()


def _as_dict(span: ReadableSpan) -> dict[str, Any]:
    ctx = span.get_span_context()
    assert ctx is not None
    return {
        "service": span.resource.attributes.get("service.name"),
        "name": span.name,
        "kind": span.kind.name,
        "trace_id": format(ctx.trace_id, "032x"),
        "span_id": format(ctx.span_id, "016x"),
        "parent_id": format(span.parent.span_id, "016x") if span.parent else None,
        "start_ns": span.start_time,
        "end_ns": span.end_time,
        "attributes": dict(span.attributes or {}),
    }


def configure(service: str, env: Mapping[str, str] = os.environ) -> bool:
    """Turn tracing on for this process when ``HUB_TRACES_DIR`` is set; the first call wins.

    ``service`` becomes the spans' ``service.name``. Returns whether tracing is on.
    """
    if _installed.tracer is not None:
        return True
    directory = env.get(TRACES_DIR_ENV)
    if not directory:
        return False
    path = Path(directory) / f"{service}-{os.getpid()}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    return install(JsonLinesExporter(path), service, delay_ms=EXPORT_DELAY_MS)


def install(exporter: SpanExporter, service: str, *, delay_ms: int | None = None) -> bool:
    """Record spans into ``exporter`` (batched, or one by one when ``delay_ms`` is None)."""
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    processor = (
        SimpleSpanProcessor(exporter)
        if delay_ms is None
        else BatchSpanProcessor(exporter, schedule_delay_millis=delay_ms)
    )
    provider.add_span_processor(processor)
    _installed.provider, _installed.tracer = provider, provider.get_tracer("insw.hub")
    return True


def uninstall() -> None:
    """Turn tracing off again, flushing what was recorded (tests)."""
    if _installed.provider is not None:
        _installed.provider.shutdown()
    _installed.tracer = _installed.provider = None


def enabled() -> bool:
    """Whether this process records spans."""
    return _installed.tracer is not None


def _parent(carrier: Mapping[str, str]) -> otel_context.Context:
    return _propagator.extract(carrier)


def _inbound_carrier(record: "Inbound") -> dict[str, str]:
    return {
        name: value.decode("ascii", "replace") for name, value in record.headers if name in h.TRACE
    }


def consuming(records: Sequence["Inbound"], topic: str) -> tuple[list["Inbound"], list[Span]]:
    """One ``CONSUMER`` span per record, child of its ``traceparent``; the records carry it.

    The caller ends the spans (:func:`finish`) once the batch is handled.
    Returns the records unchanged (and no spans) when tracing is off.
    """
    tracer = _installed.tracer
    if tracer is None:
        return list(records), []

    spans: list[Span] = []
    out: list[Inbound] = []
    for record in records:
        span = tracer.start_span(
            f"consume {topic}",
            context=_parent(_inbound_carrier(record)),
            kind=SpanKind.CONSUMER,
            attributes={"messaging.destination.name": topic},
        )
        spans.append(span)
        out.append(replace(record, trace=span))
    return out, spans


def finish(spans: Sequence[Span]) -> None:
    """End the spans :func:`consuming` started."""
    for span in spans:
        span.end()


def outgoing(cause: "Inbound | None", topic: str) -> dict[str, str]:
    """Trace headers for a record published to ``topic`` because of ``cause``.

    On: a ``PRODUCER`` span, child of ``cause``'s span (or of the current
    span when there is no cause), whose context the headers carry. Off: the
    cause's own trace headers, copied, so the trace is not cut here.
    """
    tracer = _installed.tracer
    if tracer is None:
        return _inbound_carrier(cause) if cause is not None else {}
    if cause is not None and isinstance(cause.trace, Span):
        parent = trace.set_span_in_context(cause.trace)
    elif cause is not None:
        parent = _parent(_inbound_carrier(cause))
    else:
        parent = otel_context.get_current()
    span = tracer.start_span(
        f"publish {topic}",
        context=parent,
        kind=SpanKind.PRODUCER,
        attributes={"messaging.destination.name": topic},
    )
    carrier: dict[str, str] = {}
    _propagator.inject(carrier, context=trace.set_span_in_context(span))
    span.end()
    return carrier


async def within(record: "Inbound", work: Awaitable[T]) -> T:
    """Await ``work`` with ``record``'s consume span current (for spans it starts itself).

    Meant for one task per record (``asyncio.gather``): each task has its
    own copy of the context, so attaching here touches no other record.
    """
    span = record.trace
    if _installed.tracer is None or not isinstance(span, Span):
        return await work
    token = otel_context.attach(trace.set_span_in_context(span))
    try:
        return await work
    finally:
        otel_context.detach(token)


def calling(
    name: str, attributes: Mapping[str, str], headers: dict[str, str]
) -> AbstractContextManager[object]:
    """A ``CLIENT`` span around an outgoing HTTP call; ``headers`` get its ``traceparent``."""
    tracer = _installed.tracer
    if tracer is None:
        return _OFF
    return _client_span(tracer, name, attributes, headers)


@contextmanager
def _client_span(
    tracer: trace.Tracer, name: str, attributes: Mapping[str, str], headers: dict[str, str]
) -> Iterator[Span]:
    with tracer.start_as_current_span(name, kind=SpanKind.CLIENT, attributes=attributes) as span:
        _propagator.inject(headers)
        yield span


def serving(name: str, headers: Mapping[str, str]) -> AbstractContextManager[object]:
    """A current ``SERVER`` span for an HTTP request, child of the caller's ``traceparent``."""
    tracer = _installed.tracer
    if tracer is None:
        return _OFF
    carrier = {n: headers[n] for n in h.TRACE if n in headers}
    return tracer.start_as_current_span(name, context=_parent(carrier), kind=SpanKind.SERVER)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """aiohttp middleware: a server span per request, named by method and route (no ids)."""
    if _installed.tracer is None:
        return await handler(request)
    info = request.match_info.route.resource
    route = info.canonical if info is not None else "unmatched"
    with serving(f"{request.method} {route}", request.headers):
        return await handler(request)
