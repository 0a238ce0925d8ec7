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
from contracts import topics
from contracts.verification import Check, VerificationCompleted, VerificationRequested
from runtime.codec import decode, encode
from runtime.consumer import BatchHandler, HandlerResult
from runtime.errors import PoisonMessage
from runtime.records import Inbound, Outbound, caused_by
from runtime.service import HubService
from runtime.settings import InfraSettings

ANSWER_SCHEMA = "insw.verification.completed/v1"


class Verifier(Protocol):
    """An agency behind the resilience policy: always answers, never raises for the agency."""

    check: Check

    async def verify(self, request: VerificationRequested) -> VerificationCompleted:
        """The answer to ``request`` (``UNAVAILABLE`` when the agency cannot give one)."""


def verification_handler(client: Verifier) -> BatchHandler:
    """A batch handler answering every request on the adapter's topic."""

    async def handle(batch: Sequence[Inbound]) -> HandlerResult:
        result = HandlerResult()
        requests: dict[str, tuple[Inbound, VerificationRequested]] = {}
        for record in batch:
            try:
                request = decode(VerificationRequested, record.value)
            except PoisonMessage as error:
                result.dead.append((record, error))
                continue
            if request.check is not client.check:
                result.dead.append(
                    (
                        record,
                        PoisonMessage(f"check {request.check} sent to the {client.check} adapter"),
                    )
                )
                continue
            requests[request.submission_id] = (record, request)
        answers = await asyncio.gather(
            *(client.verify(request) for _, request in requests.values())
        )
        for (record, request), answer in zip(requests.values(), answers, strict=True):
            sid = request.submission_id
            result.outbound.append(
                Outbound(
                    topics.VERIFICATION_COMPLETED,
                    sid.encode(),
                    encode(answer),
                    caused_by(record, correlation_id=sid, schema=ANSWER_SCHEMA),
                )
            )
        return result

    return handle


def verification_service(
    settings: InfraSettings,
    *,
    name: str,
    topic: str,
    agency: Agency,
) -> FastStream:
    """A runnable adapter service: subscriber, agency connection and lifecycle."""
    service = HubService(settings, name=name)
    service.subscribe(
        topic,
        handler=verification_handler(agency.verifier),
        description=f"Verification requests answered by the {agency.verifier.check} adapter.",
    )
    return service.app(on_startup=[agency.start], after_shutdown=[agency.close])
