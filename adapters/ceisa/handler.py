"""Decisions in, customs applications out: one document per approved submission.

Exactly once: the document and the decision's offset commit in one Kafka
transaction (the consume policy), and a submission customs already has an
application for is skipped (:mod:`adapters.ceisa.sent`), so a re-driven group
or a replayed decision topic sends nothing twice.
"""

from collections.abc import Sequence

from adapters.ceisa.documents import build_application
from adapters.ceisa.sent import SentApplications
from contracts import topics
from contracts.decision import Outcome, RegistrationDecided
from runtime.codec import decode
from runtime.consumer import BatchHandler, HandlerResult
from runtime.errors import PoisonMessage
from runtime.records import Inbound, Outbound, caused_by

APPLICATION_SCHEMA = "ceisa.registration/v1"


def ceisa_handler(sender: str, sent: SentApplications) -> BatchHandler:
    """Build and publish an application for every approved decision not yet sent; skip the rest."""

    async def handle(batch: Sequence[Inbound]) -> HandlerResult:
        result = HandlerResult()
        approved: list[tuple[Inbound, RegistrationDecided]] = []
        for record in batch:
            try:
                decision = decode(RegistrationDecided, record.value)
            except PoisonMessage as error:
                result.dead.append((record, error))
                continue
            if decision.outcome is Outcome.APPROVED:
                approved.append((record, decision))
        done = await sent.already_sent([d.submission_id for _, d in approved])
        fresh: dict[str, str] = {}
        for record, decision in approved:
            sid = decision.submission_id
            if sid in done or sid in fresh:
                continue
            try:
                document = build_application(decision, sender)
            except PoisonMessage as error:
                result.dead.append((record, error))
                continue
            fresh[sid] = decision.decision_id
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
        if fresh:
            result.after_publish.append(lambda: sent.mark_sent(fresh.items()))
        return result

    return handle
