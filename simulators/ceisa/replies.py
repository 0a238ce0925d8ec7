"""What simulated customs answers to the trader's messages on ``ceisa.trader.v1``; pure.

The stories of :mod:`simulators.ceisa.script` that wait for the trader stop
after a step; the trader's message moves them on:

* supporting documents (Art. 6) -> TTP-RK (Art. 8), then acceptance, or a
  request for additional documents (Art. 17) under ``documents_additional``;
* the answer to that request -> acceptance;
* a data-change notification -> its Art. 25 receipt, then an approval (Art. 28);
* an unblock application -> unblocking, or a refusal under ``block_refuse``;
* a manual registration's receipt (Attachment V, C13) -> the TTP-RK the next
  working day: the office entered it in CEISA with its documents (Art. 12-13).
* a reapplication (Art. 10, 22) -> a proof of entry for the new attempt, like
  a first application's; the trader's documents then lead to the TTP-RK and
  acceptance (the attempt waits for the trader, as under ``documents``).

Ids derive from the registration's message id and the trader's message id,
so a repeated trader message yields the same answers (customs drops repeats).
"""

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple, Protocol

from contracts import xml_messages as m
from customs.workdays import add_working_days
from simulators.ceisa.script import Application, Scenario, Step, _Ids

_REFUSED = (
    "EXPERT_NOT_CERTIFIED",
    "The appointed customs expert holds no valid certificate.",
    "PER-21/BC/2011 Art. 35(2)",
)


@dataclass(frozen=True)
class TraderMessage:
    """What the simulator reads from one trader document."""

    name: str
    message_id: str
    submission_id: str
    customs_id: str = ""
    blocking_number: str = ""
    activities: tuple[str, ...] = ()


def reply(
    scenario: Scenario, application: Application, message: TraderMessage, today: date
) -> list[Step]:
    """The documents customs sends in answer to ``message``, in order (maybe none)."""
    ids = _Ids(application.message_id)
    own = hashlib.sha256(message.message_id.encode()).hexdigest()[:20]
    sid = application.submission_id

    def step(kind: str, on: date, **fields: object) -> Step:
        return Step(
            getattr(m, kind),
            f"CEISA-{kind.replace('_', '')[:12]}-{own}",
            on,
            sid,
            **fields,  # type: ignore[arg-type]
        )

    answer = {
        m.SUPPORTING_DOCUMENTS.name: _after_documents,
        m.ADDITIONAL_DOCUMENTS_REPLY.name: _after_reply,
        m.DATA_CHANGE_NOTIFICATION.name: _after_change,
        m.UNBLOCK_APPLICATION.name: _after_unblock_application,
        m.MANUAL_RECEIPT.name: _after_manual_receipt,
        m.REAPPLICATION.name: _after_reapplication,
    }.get(message.name)
    context = _Context(step, scenario, application, ids, message, today, own)
    return answer(context) if answer else []


def _after_documents(c: "_Context") -> list[Step]:
    step, scenario, application, ids, message, today, _own = c
    ttp_on = add_working_days(today, 1)
    ttp_rk = step(
        "TTP_RK",
        ttp_on,
        reference=message.message_id,
        entry_number=ids.number("REG"),
        receipt_number=ids.number("TTPRK"),
        due=add_working_days(ttp_on, 14),
    )
    if scenario is Scenario.DOCUMENTS_ADDITIONAL:
        request_on = add_working_days(ttp_on, 1)
        request = step(
            "ADDITIONAL_DOCUMENTS_REQUEST",
            request_on,
            reference=message.message_id,
            receipt_number=ttp_rk.receipt_number,
            number=ids.number("ADR"),
            due=add_working_days(request_on, 7),
        )
        return [ttp_rk, request]
    return [ttp_rk, _acceptance(step, application, ids, add_working_days(ttp_on, 3), message)]


def _after_manual_receipt(c: "_Context") -> list[Step]:
    """C13: documents came with the form, so the TTP-RK names the activities (Art. 8(2), 13)."""
    step, _scenario, application, ids, message, today, _own = c
    ttp_on = add_working_days(today, 1)
    return [
        step(
            "TTP_RK",
            ttp_on,
            reference=message.message_id,
            entry_number=ids.number("REG"),
            receipt_number=ids.number("TTPRK"),
            due=add_working_days(ttp_on, 14),  # C7, Art. 20
            interim_until=add_working_days(ttp_on, 14),  # C14, Art. 42: exporters
            activities=application.activities,
        )
    ]


def _after_reply(c: "_Context") -> list[Step]:
    step, _scenario, application, ids, message, today, _own = c
    return [_acceptance(step, application, ids, add_working_days(today, 2), message)]


def _after_change(c: "_Context") -> list[Step]:
    step, _scenario, _application, _ids, message, today, own = c
    receipt = step(
        "DATA_CHANGE_RECEIPT",
        today,
        reference=message.message_id,
        customs_id=message.customs_id,
        receipt_number=f"DCR-{own[:12].upper()}",
        due=add_working_days(today, 10),
    )
    outcome = step(
        "DATA_CHANGE_OUTCOME",
        add_working_days(today, 5),
        reference=message.message_id,
        customs_id=message.customs_id,
    )
    return [receipt, outcome]


def _after_unblock_application(c: "_Context") -> list[Step]:
    step, scenario, _application, _ids, message, today, _own = c
    refused = scenario is Scenario.BLOCK_REFUSE
    return [
        step(
            "UNBLOCK_REFUSAL" if refused else "UNBLOCKING",
            add_working_days(today, 2),
            reference=message.message_id,
            customs_id=message.customs_id,
            number=message.blocking_number,
            activities=() if refused else message.activities,
            reasons=(_REFUSED,) if refused else (),
        )
    ]


def _after_reapplication(c: "_Context") -> list[Step]:
    """A new entry, numbered from the reapplication's own id so attempts never collide."""
    step, _scenario, application, _ids, message, today, own = c
    return [
        step(
            "PROOF_OF_ENTRY",
            today,
            reference=message.message_id,
            entry_number=f"REG-{own[:12].upper()}",
            activities=application.activities,
            due=add_working_days(today, 10),  # C3, Art. 7(1)
        )
    ]


def _acceptance(
    step: "StepFactory", application: Application, ids: _Ids, on: date, message: TraderMessage
) -> Step:
    return step(
        "ACCEPTANCE",
        on,
        reference=message.message_id,
        receipt_number=ids.number("TTPRK"),
        customs_id=ids.customs_id(),
        activities=application.activities,
    )


class _Context(NamedTuple):
    """Everything an answer is built from."""

    step: "StepFactory"
    scenario: Scenario
    application: Application
    ids: _Ids
    message: TraderMessage
    today: date
    own: str


class StepFactory(Protocol):
    """The shape of ``reply``'s local step builder (for the type checker)."""

    def __call__(self, kind: str, on: date, **fields: object) -> Step:
        """Build one step of ``kind`` dated ``on``."""
