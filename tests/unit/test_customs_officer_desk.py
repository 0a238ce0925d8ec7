"""A customs officer's acts over fakes: C13 manual receipt -> simulated CEISA, C14 Art. 40, C15.

The officer desk and the lifecycle run against the in-memory store; the CEISA
simulator's pure parts answer, so every document crosses its XSD both ways.
"""

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from contracts import topics
from contracts import xml_messages as m
from contracts.customs import CustomsApplicationStatus, SupportingDocument
from contracts.customs_officer import ApproveInterimImport, OfficerCommand, RecordManualRegistration
from contracts.xml_reader import read_customs_document
from customs.handler import Lifecycle, TransitionRefused
from customs.officer_desk import OfficerDesk
from customs.store import MemoryCustomsStore
from runtime.records import Inbound
from simulators.ceisa.customs import _trader_message
from simulators.ceisa.documents import render
from simulators.ceisa.replies import reply
from simulators.ceisa.script import Application, Scenario, story

NOW = datetime(2026, 5, 29, 3, 0, tzinfo=UTC)  # Friday 29 May 2026, 10:00 in Jakarta
TODAY = date(2026, 5, 29)
SID = "MAN-2026-0001"
DOC = SupportingDocument(code="AKTA_PENDIRIAN", document_id="DOC-0201", sha256="b" * 64)


def manual(command_id="OFF-1", **changes) -> RecordManualRegistration:
    fields = {
        "command_id": command_id,
        "submission_id": SID,
        "officer_id": "officer-0042",
        "office_code": "KPPBC-TANJUNG-PRIOK",
        "received_on": TODAY,
        "activities": ["EKSPORTIR"],
        "documents": [DOC],
    }
    return RecordManualRegistration.model_validate({**fields, **changes})


class World:
    """The lifecycle service's officer desk and lifecycle, and simulated customs."""

    def __init__(self) -> None:
        self.store = MemoryCustomsStore()
        self.desk = OfficerDesk(self.store, clock=lambda: NOW)
        self.lifecycle = Lifecycle(self.store, clock=lambda: NOW)
        self.offset = 0
        self.sent: list[bytes] = []
        self.audit: list[bytes] = []
        self.statuses: list[CustomsApplicationStatus] = []
        self.dead: list[BaseException] = []

    def _inbound(self, topic: str, value: bytes, sid: str = SID) -> Inbound:
        self.offset += 1
        return Inbound(topic, 0, self.offset, sid.encode(), value, signer="officer-desk")

    async def officer(self, command: OfficerCommand) -> None:
        record = self._inbound(topics.CUSTOMS_OFFICER_COMMAND, command.model_dump_json().encode())
        result = await self.desk.on_commands([(record, command)])
        before = len(self.sent)
        await self._done(result)
        for document in self.sent[before:]:  # simulated customs answers the receipt
            read = read_customs_document(document)
            message = _trader_message(read, self._inbound(topics.CEISA_TRADER, document))
            app = Application(message.message_id, message.submission_id, message.activities)
            steps = reply(Scenario.ACCEPT, app, message, TODAY)
            batch = [self._inbound(topics.CEISA_RESPONSE, render(s, NOW)) for s in steps]
            await self._done(await self.lifecycle.on_responses(batch))

    async def customs_says(self, steps, sid: str) -> None:
        batch = [self._inbound(topics.CEISA_RESPONSE, render(s, NOW), sid) for s in steps]
        await self._done(await self.lifecycle.on_responses(batch))

    async def _done(self, result) -> None:
        self.dead += [error for _, error in result.dead]
        for o in result.outbound:
            if o.topic == topics.AUDIT:
                self.audit.append(o.value)
            elif o.topic == topics.CEISA_TRADER:
                self.sent.append(o.value)
            else:
                self.statuses.append(CustomsApplicationStatus.model_validate_json(o.value))
        for follow_up in result.after_publish:
            await follow_up()


async def test_c13_the_receipt_goes_to_ceisa_with_its_clocks_and_the_ttp_rk_follows():
    world = World()
    await world.officer(manual())
    [receipt] = world.sent
    assert read_customs_document(receipt).message is m.MANUAL_RECEIPT
    assert b"<ProcessingDueDate>2026-06-02</ProcessingDueDate>" in receipt  # Pancasila Day
    assert b"<TtpRkDueDate>2026-06-15</TtpRkDueDate>" in receipt
    opened = world.statuses[0]
    assert (opened.stage, opened.message, opened.rule) == ("SUBMITTED", "manual-receipt", "C13")
    assert opened.deadlines == {"C13": date(2026, 6, 2), "C13/ttp-rk": date(2026, 6, 15)}
    assert b"officer-0042" in world.audit[0] and b"OFFICER_ACTION" in world.audit[0]
    receipted = world.statuses[-1]
    assert receipted.stage == "RECEIPTED" and receipted.activities == ["EKSPORTIR"]
    assert set(receipted.deadlines) == {"C7", "C14"} and not world.dead


async def test_c13_a_repeated_command_changes_nothing_a_second_receipt_is_refused():
    world = World()
    await world.officer(manual())
    sent, statuses = len(world.sent), len(world.statuses)
    await world.officer(manual())  # redelivered
    assert (len(world.sent), len(world.statuses)) == (sent, statuses) and not world.dead
    await world.officer(manual(command_id="OFF-2"))  # a second receipt for the same submission
    [error] = world.dead
    assert isinstance(error, TransitionRefused) and (error.code, error.rule) == (
        "APPLICATION_EXISTS",
        "C13",
    )
    assert len(world.sent) == sent


async def test_c13_a_receipt_dated_ahead_is_refused_and_opens_nothing():
    world = World()
    await world.officer(manual(received_on=date(2026, 6, 1)))
    [error] = world.dead
    assert isinstance(error, TransitionRefused) and error.code == "DATE_IN_FUTURE"
    assert world.sent == [] and world.statuses == []
    assert await world.store.load([SID]) == [None]


@pytest.mark.parametrize(
    "change",
    [
        {"activities": ["IMPORTIR"]},
        {"activities": []},
        {"documents": []},
        {"officer_id": "Budi Santoso"},
        {"received_on": "29 May 2026"},
    ],
)
def test_c13_a_malformed_command_does_not_parse(change):
    with pytest.raises(ValidationError):
        manual(**change)


def approve(command_id: str, notification: str, sid: str) -> ApproveInterimImport:
    return ApproveInterimImport(
        command_id=command_id,
        submission_id=sid,
        officer_id="head-of-office-7",
        office_code="KPPBC-TANJUNG-PRIOK",
        approved_on=TODAY,
        import_notification=notification,
    )


async def test_c14_art_40_one_import_notification_then_no_more():
    world = World()
    sid = "IMP-2026-0001"
    entry = story(Scenario.DOCUMENTS, Application("REG-IMP-1", sid, ("IMPORTIR",)), TODAY)
    await world.customs_says(entry, sid)
    await world.officer(approve("OFF-10", "PIB-000123", sid))
    assert world.statuses[-1].interim_import == "PIB-000123" and not world.dead
    await world.officer(approve("OFF-11", "PIB-000124", sid))
    [error] = world.dead
    assert isinstance(error, TransitionRefused) and error.code == "INTERIM_IMPORT_USED"
    assert world.statuses[-1].interim_import == "PIB-000123"


async def test_c14_an_approval_for_no_application_is_refused():
    world = World()
    await world.officer(approve("OFF-12", "PIB-1", "NOPE-1"))
    [error] = world.dead
    assert isinstance(error, TransitionRefused) and error.code == "UNKNOWN_APPLICATION"


async def test_c15_the_site_check_story_ends_registered_with_the_notice_clock():
    world = World()
    sid = "SC-2026-0001"
    app = Application("REG-SC-1", sid, ("IMPORTIR", "PPJK"))
    steps = story(Scenario.SITE_CHECK, app, date(2026, 6, 1))
    assert steps[-1].message is m.SITE_CHECK_RESULT
    await world.customs_says(steps, sid)
    last = world.statuses[-1]
    assert (last.stage, last.message, last.rule) == ("ACCEPTED", "site-check-result", "C15")
    assert last.deadlines == {"C15/notice": steps[-1].due} and not world.dead
    assert [r.code for r in last.reasons] == ["ADDRESS_DIFFERS"]
