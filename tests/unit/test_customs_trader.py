"""The trader's half of the customs process, over fakes: command -> XML -> simulated customs.

Each story runs the lifecycle service's two handlers (CEISA's answers and the
trader's commands) against the CEISA simulator's pure parts (stories and
replies), so every document crosses its XSD both ways.
"""

from datetime import UTC, date, datetime

from contracts import topics
from contracts import xml_messages as m
from contracts.customs import (
    AnswerAdditionalDocuments,
    ApplyForUnblock,
    CustomsApplicationStatus,
    DataChange,
    DeliverSupportingDocuments,
    NotifyDataChange,
    SupportingDocument,
    TraderCommand,
)
from contracts.trader_notification import TraderNotificationRequested
from contracts.xml_reader import read_customs_document
from customs.commands import TraderDesk
from customs.handler import Lifecycle, TransitionRefused
from customs.store import MemoryCustomsStore
from runtime.records import Inbound
from simulators.ceisa.customs import _trader_message
from simulators.ceisa.documents import render
from simulators.ceisa.replies import reply
from simulators.ceisa.script import Application, Scenario, story

NOW = datetime(2026, 3, 19, 3, 0, tzinfo=UTC)
TODAY = date(2026, 3, 19)
SID = "SUB-2026-0007"
APP = Application("CEISA-REG-DEC-0007", SID, ("IMPORTIR", "PPJK"))
DOC = SupportingDocument(code="AKTA_PENDIRIAN", document_id="DOC-0101", sha256="a" * 64)


class World:
    """The lifecycle service and simulated customs around one application."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.store = MemoryCustomsStore()
        self.lifecycle = Lifecycle(self.store, clock=lambda: NOW)
        self.desk = TraderDesk(self.store, clock=lambda: NOW)
        self.offset = 0
        self.sent: list[bytes] = []
        self.statuses: list[CustomsApplicationStatus] = []
        self.dead: list[BaseException] = []
        self.notices: list[TraderNotificationRequested] = []

    def _inbound(self, topic: str, value: bytes) -> Inbound:
        self.offset += 1
        return Inbound(topic, 0, self.offset, SID.encode(), value)

    async def customs_says(self, steps) -> None:
        batch = [self._inbound(topics.CEISA_RESPONSE, render(s, NOW)) for s in steps]
        result = await self.lifecycle.on_responses(batch)
        await self._done(result)

    async def start(self) -> None:
        await self.customs_says(story(self.scenario, APP, TODAY))

    async def trader(self, command: TraderCommand) -> None:
        record = self._inbound(topics.TRADER_COMMAND, command.model_dump_json().encode())
        result = await self.desk.on_commands([(record, command)])
        before = len(self.sent)
        await self._done(result)
        for document in self.sent[before:]:  # simulated customs answers each new message
            read = read_customs_document(document)
            message = _trader_message(read, self._inbound(topics.CEISA_TRADER, document))
            await self.customs_says(reply(self.scenario, APP, message, TODAY))

    async def _done(self, result) -> None:
        self.dead += [error for _, error in result.dead]
        for o in result.outbound:
            if o.topic == topics.AUDIT:
                continue  # audit entries are tested in test_customs_service
            if o.topic == topics.CEISA_TRADER:
                self.sent.append(o.value)
            elif o.topic == topics.TRADER_NOTIFICATION_REQUESTED:
                self.notices.append(TraderNotificationRequested.model_validate_json(o.value))
            else:
                self.statuses.append(CustomsApplicationStatus.model_validate_json(o.value))
        for follow_up in result.after_publish:
            await follow_up()

    @property
    def last(self) -> CustomsApplicationStatus:
        return self.statuses[-1]


def deliver(command_id="CMD-1"):
    return DeliverSupportingDocuments(command_id=command_id, submission_id=SID, documents=[DOC])


async def test_c3_documents_delivered_close_the_documents_clock_then_ttp_rk_and_acceptance():
    world = World(Scenario.DOCUMENTS)
    await world.start()
    assert world.last.stage == "ENTERED" and "C3" in world.last.deadlines
    await world.trader(deliver())
    [document] = world.sent
    read = read_customs_document(document)
    assert read.message is m.SUPPORTING_DOCUMENTS
    assert b"DOC-0101" in document and b"CEISA-POE-" in document  # answers the proof of entry
    delivered = world.statuses[1]
    assert (delivered.stage, delivered.message, delivered.rule) == (
        "ENTERED",
        "supporting-documents",
        "C3",
    )
    assert "C3" not in delivered.deadlines
    assert [s.stage for s in world.statuses[2:]] == ["RECEIPTED", "ACCEPTED"]
    assert world.last.customs_id and not world.dead
    # The trader is emailed customs' answers, never an echo of their own delivery (issue 13).
    assert [n.notice.value for n in world.notices] == ["ENTRY_PROVED", "TTP_RK_ISSUED", "ACCEPTED"]


async def test_c3_a_repeated_command_sends_nothing_twice_and_a_second_delivery_is_refused():
    world = World(Scenario.DOCUMENTS)
    await world.start()
    await world.trader(deliver())
    sent = len(world.sent)
    await world.trader(deliver())  # the same command again
    assert len(world.sent) == sent and not world.dead


async def test_c6_additional_documents_answered_in_time_lead_to_acceptance():
    world = World(Scenario.DOCUMENTS_ADDITIONAL)
    await world.start()
    await world.trader(deliver())
    assert world.last.stage == "DOCUMENTS_REQUESTED" and "C6" in world.last.deadlines
    request_id = world.last.message_id
    answer = AnswerAdditionalDocuments(command_id="CMD-2", submission_id=SID, documents=[DOC])
    await world.trader(answer)
    reply_xml = world.sent[-1]
    assert read_customs_document(reply_xml).message is m.ADDITIONAL_DOCUMENTS_REPLY
    assert request_id.encode() in reply_xml  # ReferenceMessageId: the request answered
    stages = [s.stage for s in world.statuses]
    assert stages[-2:] == ["RECEIPTED", "ACCEPTED"] and not world.dead


async def test_c6_an_answer_without_a_request_is_refused_and_sends_nothing():
    world = World(Scenario.DOCUMENTS)
    await world.start()
    answer = AnswerAdditionalDocuments(command_id="CMD-9", submission_id=SID, documents=[DOC])
    await world.trader(answer)
    assert world.sent == []
    [error] = world.dead
    assert isinstance(error, TransitionRefused) and error.rule == "PER-21"


async def test_c10_data_change_notified_receipted_and_approved_closes_its_clocks():
    world = World(Scenario.REGISTERED)
    await world.start()
    change = NotifyDataChange(
        command_id="CMD-3",
        submission_id=SID,
        changes=[DataChange(group="REGISTRATION_DATA", element="ADDRESS", new_value="Jl. Baru 2")],
    )
    await world.trader(change)
    notified = world.statuses[3]
    assert notified.message == "data-change-notification"
    assert {"C10/documents", "C10/decision"} <= notified.deadlines.keys()
    assert read_customs_document(world.sent[0]).message is m.DATA_CHANGE_NOTIFICATION
    assert [s.message for s in world.statuses[4:]] == ["data-change-receipt", "data-change-outcome"]
    assert "C10/documents" in world.statuses[4].deadlines  # the receipt leaves the clocks running
    assert not world.last.deadlines and not world.dead


async def test_c10_a_change_before_registration_is_refused():
    world = World(Scenario.DOCUMENTS)
    await world.start()
    change = NotifyDataChange(
        command_id="CMD-4",
        submission_id=SID,
        changes=[DataChange(group="OTHER", element="PHONE", new_value="+62 21 555")],
    )
    await world.trader(change)
    assert world.sent == [] and [getattr(e, "code", None) for e in world.dead] == ["NOT_REGISTERED"]


async def _blocked(scenario: Scenario) -> tuple[World, str]:
    world = World(scenario)
    await world.start()
    [blocking] = world.last.blockings
    return world, blocking.number


async def test_c11_unblock_application_then_unblocking_restores_the_activity():
    world, number = await _blocked(Scenario.BLOCK_APPLY)
    assert world.last.blocked == ["IMPORTIR"]
    await world.trader(
        ApplyForUnblock(
            command_id="CMD-5", submission_id=SID, blocking_number=number, grounds="Expert hired"
        )
    )
    assert read_customs_document(world.sent[0]).message is m.UNBLOCK_APPLICATION
    assert b"<Activity>IMPORTIR</Activity>" in world.sent[0]
    assert world.last.message == "unblocking" and world.last.blocked == []
    assert world.last.active == ["IMPORTIR", "PPJK"] and not world.dead


async def test_c11_a_refused_unblock_application_leaves_the_blocking_in_force():
    world, number = await _blocked(Scenario.BLOCK_REFUSE)
    await world.trader(
        ApplyForUnblock(
            command_id="CMD-6", submission_id=SID, blocking_number=number, grounds="Expert hired"
        )
    )
    assert world.last.message == "unblock-refusal" and world.last.blocked == ["IMPORTIR"]
    assert [r.code for r in world.last.reasons] == ["EXPERT_NOT_CERTIFIED"]
    assert not world.dead


async def test_c11_unblocking_an_unknown_blocking_or_an_unknown_application_is_refused():
    world, _ = await _blocked(Scenario.BLOCK_APPLY)
    await world.trader(
        ApplyForUnblock(command_id="CMD-7", submission_id=SID, blocking_number="BLK-X", grounds="g")
    )
    assert [getattr(e, "code", None) for e in world.dead] == ["NOT_BLOCKED"]
    stranger = deliver().model_copy(update={"submission_id": "SUB-NOBODY"})
    record = Inbound(topics.TRADER_COMMAND, 0, 99, b"SUB-NOBODY", b"{}")
    result = await world.desk.on_commands([(record, stranger)])
    assert "UNKNOWN_APPLICATION" in str(result.dead[0][1]) and not result.outbound
