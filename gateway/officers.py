"""Officers decide what the hub referred (R13); their decision flows on like an automatic one.

Only a REFERRED application can be decided by an officer. A manual decision
for an application already closed is a no-op (redelivery, or a colleague was
faster); one for an application that was never referred is refused and
dead-lettered with the reason.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from contracts import reasons as rc
from contracts.audit import AuditKind
from contracts.decision import Outcome
from contracts.reasons import Reason
from contracts.referral import ManualDecision
from gateway.decisions import ToDecide, publish_decisions
from gateway.rules.decide import Verdict
from gateway.rules.pipeline import SHIPPED_RULES, Rulebook
from gateway.store import PendingApplication, RegistrationStore
from runtime.audit import audit_event
from runtime.consumer import HandlerResult
from runtime.errors import PoisonMessage
from runtime.records import Inbound, Outbound


def officer_verdict(decision: ManualDecision) -> Verdict:
    """The verdict an officer gave, with their note and any catalogue reasons they cited.

    Raises :class:`PoisonMessage` for a reason code that is not in the catalogue.
    """
    catalogue = rc.catalogue()
    unknown = [code for code in decision.reason_codes if code not in catalogue]
    if unknown:
        raise PoisonMessage(f"reason_codes: unknown code(s) {', '.join(sorted(unknown))}")
    note = Reason(
        code=rc.OFFICER_DECISION.code,
        rule=rc.OFFICER_DECISION.rule,
        field="decision",
        text_id=f"{rc.OFFICER_DECISION.text_id} {decision.note}",
        text_en=f"{rc.OFFICER_DECISION.text_en} {decision.note}",
    )
    cited = [catalogue[code].at("decision") for code in decision.reason_codes]
    outcome = Outcome(decision.outcome)
    return Verdict(outcome, [*cited, note] if outcome is Outcome.REJECTED else [note])


def _officer_action(
    record: Inbound, decision: ManualDecision, state: PendingApplication | None
) -> Outbound:
    """The audit entry of an officer's decision as received, whatever becomes of it.

    What it led to is in the decision's own entry (or the dead letter's reason).
    """
    found = "none" if state is None else "final" if state.final else str(state.last_outcome)
    return audit_event(
        AuditKind.OFFICER_ACTION,
        decision.submission_id,
        actor=decision.officer_id,
        cause=record,
        details={
            "action": "decide",
            "outcome": str(decision.outcome),
            "reason_codes": ",".join(decision.reason_codes),
            "application_was": found,
            "signer": record.signer or "",
        },
    )


class OfficerDesk:
    """Applies officers' manual decisions to referred applications."""

    def __init__(
        self,
        store: RegistrationStore,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        rulebook: Rulebook = SHIPPED_RULES,
    ) -> None:
        self._store = store
        self._clock = clock
        self._rulebook = rulebook

    async def on_manual_decisions(
        self, batch: Sequence[tuple[Inbound, ManualDecision]]
    ) -> HandlerResult:
        """Decide each referred application as its officer said."""
        result = HandlerResult()
        decisions: dict[str, tuple[Inbound, ManualDecision]] = {}
        for record, decision in batch:
            decisions[decision.submission_id] = (record, decision)
        states = await self._store.load(list(decisions))
        to_decide: list[ToDecide] = []
        for (record, decision), state in zip(decisions.values(), states, strict=True):
            sid = decision.submission_id
            result.outbound.append(_officer_action(record, decision, state))
            if state is None:
                result.dead.append((record, PoisonMessage(f"no application {sid}")))
            elif state.final:
                continue
            elif state.last_outcome is not Outcome.REFERRED:
                refusal = f"submission {sid} is not referred: officers decide referred ones (R13)"
                result.dead.append((record, PoisonMessage(refusal)))
            else:
                try:
                    verdict = officer_verdict(decision)
                except PoisonMessage as error:
                    result.dead.append((record, error))
                    continue
                to_decide.append(
                    ToDecide(
                        record,
                        state.submission,
                        state.assessment,
                        verdict,
                        state.answers(self._rulebook.agencies),
                        decided_by=decision.officer_id,
                        previous=state.last_outcome,
                    )
                )
        await publish_decisions(self._store, to_decide, result, self._clock, self._rulebook)
        return result
