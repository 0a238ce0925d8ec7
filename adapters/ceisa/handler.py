"""Decisions in, customs applications out: one document per approved decision."""

from collections.abc import Sequence

from adapters.ceisa.documents import build_application
from contracts import topics
from contracts.decision import Outcome, RegistrationDecided
from runtime.codec import decode
from runtime.consumer import BatchHandler, HandlerResult
from runtime.errors import PoisonMessage
from runtime.records import Inbound, Outbound, caused_by

APPLICATION_SCHEMA = "ceisa.registration/v1"


def ceisa_handler(sender: str) -> BatchHandler:
    """Build and publish an application for every approved decision; skip the rest."""

    async def handle(batch: Sequence[Inbound]) -> HandlerResult:
        result = HandlerResult()
        for record in batch:
            try:
                decision = decode(RegistrationDecided, record.value)
                if decision.outcome is not Outcome.APPROVED:
                    continue
                document = build_application(decision, sender)
            except PoisonMessage as error:
                result.dead.append((record, error))
                continue
            sid = decision.submission_id
            result.outbound.append(
                Outbound(
                    topics.CEISA_REGISTRATION,
                    sid.encode(),
                    document,
                    caused_by(
                        record,
                        correlation_id=sid,
                        schema=APPLICATION_SCHEMA,
                        content_type="application/xml",
                    ),
                )
            )
        return result

    return handle
