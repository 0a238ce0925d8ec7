"""Decisions in, customs applications out: one document per approved submission.

Exactly once: the document and the decision's offset commit in one Kafka
transaction (the consume policy), and a submission customs already has an
application for is skipped (:mod:`adapters.ceisa.sent`), so a re-driven group
or a replayed decision topic sends nothing twice.
"""

from collections.abc import Sequence

from adapters.ceisa.documents import build_application
from adapters.ceisa.sent import SentApplications
from contracts import channels
from contracts.decision import Outcome, RegistrationDecided
from runtime.consumer import BatchHandler, HandlerResult
from runtime.errors import PoisonMessage
from runtime.records import Inbound, Outbound
from runtime.typed import typed


def ceisa_handler(sender: str, sent: SentApplications) -> BatchHandler:
    """Build and publish an application for every approved decision not yet sent; skip the rest."""

    async def handle(batch: Sequence[tuple[Inbound, RegistrationDecided]]) -> HandlerResult:
        result = HandlerResult()
        approved = [(r, d) for r, d in batch if d.outcome is Outcome.APPROVED]
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
                Outbound.of(channels.CEISA_REGISTRATION, document, cause=record, correlation_id=sid)
            )
        if fresh:
            result.after_publish.append(lambda: sent.mark_sent(fresh.items()))
        return result

    return typed(channels.REGISTRATION_DECIDED, handle)
