"""The shape every verification adapter shares: requests in, one answer per request out.

An adapter supplies an :class:`AgencyClient` that turns a
:class:`VerificationRequested` into a :class:`VerificationCompleted`;
:mod:`adapters.kit.agency` wraps it in the resilience policy (cache, breaker,
concurrency limit, outcome taxonomy) and this module does the rest: decoding
and publishing answers keyed by submission id. A request is answered even
when the agency is down (``UNAVAILABLE``), so the gateway is never left waiting.
"""

import asyncio
from collections.abc import Sequence
from typing import Protocol

from faststream import FastStream

from adapters.kit.agency import Agency
from contracts import channels
from contracts.agencies import AgencySpec
from contracts.verification import AgencyAnswer, VerificationRequested
from runtime import tracing
from runtime.consumer import BatchHandler, HandlerResult
from runtime.errors import PoisonMessage
from runtime.records import Inbound, Outbound
from runtime.service import HubService
from runtime.settings import InfraSettings
from runtime.typed import typed


class Verifier(Protocol):
    """An agency behind the resilience policy: always answers, never raises for the agency."""

    check: str

    async def verify(self, request: VerificationRequested) -> AgencyAnswer:
        """The answer to ``request`` (``UNAVAILABLE`` when the agency cannot give one)."""


def verification_handler(client: Verifier, spec: AgencySpec) -> BatchHandler:
    """A batch handler answering every request on ``spec``'s request channel."""

    async def handle(batch: Sequence[tuple[Inbound, VerificationRequested]]) -> HandlerResult:
        result = HandlerResult()
        requests: dict[str, tuple[Inbound, VerificationRequested]] = {}
        for record, request in batch:
            if request.check != client.check:
                wrong = PoisonMessage(f"check {request.check} sent to the {client.check} adapter")
                result.dead.append((record, wrong))
                continue
            requests[request.submission_id] = (record, request)
        answers = await asyncio.gather(
            *(
                tracing.within(record, client.verify(request))
                for record, request in requests.values()
            )
        )
        for (record, request), answer in zip(requests.values(), answers, strict=True):
            result.outbound.append(
                Outbound.of(
                    channels.VERIFICATION_COMPLETED,
                    answer,
                    cause=record,
                    correlation_id=request.submission_id,
                )
            )
        return result

    return typed(channels.request_channel(spec), handle)


def verification_service(
    settings: InfraSettings,
    *,
    spec: AgencySpec,
    agency: Agency,
) -> FastStream:
    """A runnable adapter service: subscriber, agency connection and lifecycle."""
    service = HubService(settings, name=spec.service, signer=spec.signer or None)
    service.ops.registries = (*service.ops.registries, agency.metrics.registry)
    service.subscribe(
        spec.request_topic,
        handler=verification_handler(agency.verifier, spec),
        description=f"Verification requests answered by the {spec.agency} adapter.",
        # At least once: asking an agency twice is a read, and the gateway drops a
        # repeated answer (an answer overwrites its field; a decided application is
        # never decided again). A transaction per request cost more than the hop's work.
        delivery="at-least-once",
    )
    return service.app(on_startup=[agency.start], after_shutdown=[agency.close])
