"""Reapplication after a return (C3, Art. 10) or a rejection (C9, Art. 22), over fakes.

The lifecycle service's handlers run against the CEISA simulator's pure
parts (stories and replies), so the reapplication crosses its XSD both ways.
"""

import json
from datetime import date

import pytest
from lxml import etree

from contracts import xml_messages as m
from contracts.customs import Reapply
from contracts.xml_reader import read_customs_document
from customs import events as ev
from customs import lifecycle
from customs.handler import TransitionRefused
from customs.outbound import reapplication_id
from customs.record import dumps, loads
from customs.state import InvalidTransition, Stage
from simulators.ceisa.script import Scenario
from tests.unit.test_customs_trader import SID, World, deliver

NS = f"{{{m.REAPPLICATION.namespace()}}}"
RETURNED_THEN_ACCEPTED = [
    (1, "proof-of-entry"),
    (1, "return-receipt"),
    (2, "reapplication"),
    (2, "proof-of-entry"),
    (2, "supporting-documents"),
    (2, "ttp-rk"),
    (2, "acceptance"),
]
"""(attempt, message) of every step of a returned application reapplied and accepted."""


def reapply(command_id: str = "CMD-R1") -> Reapply:
    return Reapply(command_id=command_id, submission_id=SID)


async def returned_world() -> World:
    world = World(Scenario.LATE_DOCUMENTS)
    await world.start()
    assert world.last.stage == "RETURNED" and world.last.next_action.code == "REAPPLY_OR_STOP"
    return world


async def test_a_returned_application_reapplies_as_attempt_2_and_runs_a_fresh_lifecycle():
    world = await returned_world()
    return_receipt = world.last.message_id
    await world.trader(reapply())
    [document] = world.sent
    read = read_customs_document(document)
    assert read.message is m.REAPPLICATION
    root = read.root
    assert root.findtext(f"{NS}Header/{NS}MessageId") == reapplication_id(SID, 2)
    assert root.findtext(f"{NS}Header/{NS}ReferenceMessageId") == return_receipt
    assert root.findtext(f"{NS}AttemptNumber") == "2"
    assert root.findtext(f"{NS}PreviousOutcome") == "RETURNED"
    assert b"Name" not in etree.tostring(root)  # ids and activities only, no personal data
    reapplied, entered = world.statuses[2], world.statuses[3]
    assert (reapplied.stage, reapplied.attempt, reapplied.message) == (
        "SUBMITTED",
        2,
        "reapplication",
    )
    assert entered.stage == "ENTERED" and entered.attempt == 2  # the simulator's proof of entry
    assert entered.next_action.code == "DELIVER_SUPPORTING_DOCUMENTS"
    await world.trader(deliver("CMD-D2"))
    assert world.last.stage == "ACCEPTED" and world.last.customs_id and not world.dead
    assert [(s.attempt, s.message) for s in world.last.steps] == RETURNED_THEN_ACCEPTED
    assert world.last.next_action.code == "NONE"


async def test_a_replayed_reapply_sends_nothing_and_another_one_during_the_attempt_is_refused():
    world = await returned_world()
    await world.trader(reapply())
    sent = len(world.sent)
    await world.trader(reapply())  # the same command again: a replay
    assert len(world.sent) == sent and not world.dead
    await world.trader(reapply("CMD-R2"))  # a new command while attempt 2 runs
    assert len(world.sent) == sent
    [refusal] = world.dead
    assert isinstance(refusal, TransitionRefused)
    assert (refusal.code, refusal.rule) == ("NOT_RETURNED_OR_REJECTED", "C3/C9")


async def test_a_rejected_application_reapplies_and_says_so():
    world = World(Scenario.REJECT)
    await world.start()
    assert world.last.stage == "REJECTED"
    assert (world.last.next_action.code, world.last.next_action.rule) == ("REAPPLY_OR_STOP", "C9")
    await world.trader(reapply())
    root = read_customs_document(world.sent[0]).root
    assert root.findtext(f"{NS}PreviousOutcome") == "REJECTED"
    assert world.last.attempt == 2 and not world.dead


@pytest.mark.parametrize("scenario", [Scenario.ACCEPT, Scenario.DOCUMENTS])
async def test_reapply_on_an_application_neither_returned_nor_rejected_is_a_dead_letter(scenario):
    world = World(scenario)
    await world.start()
    before = world.last
    await world.trader(reapply())
    assert not world.sent and world.last == before
    [refusal] = world.dead
    assert "NOT_RETURNED_OR_REJECTED (C3/C9)" in str(refusal)


async def test_reapply_for_an_application_customs_never_entered_is_refused():
    world = World(Scenario.ACCEPT)
    await world.trader(reapply())
    assert not world.sent and "UNKNOWN_APPLICATION" in str(world.dead[0])


def test_the_reapplication_id_is_one_per_attempt_and_never_the_same_across_attempts():
    assert reapplication_id(SID, 2) == reapplication_id(SID, 2)
    assert reapplication_id(SID, 2) != reapplication_id(SID, 3)
    assert reapplication_id(SID, 2) != reapplication_id("SUB-OTHER", 2)


def test_a_third_attempt_follows_a_second_return_and_attempts_cannot_skip():
    app = lifecycle.start(SID, frozenset({"IMPORTIR"}))
    day = date(2026, 3, 19)
    for attempt in (2, 3):
        app = lifecycle.apply(app, ev.EntryProved(day))
        app = lifecycle.apply(app, ev.ReturnedForLateDocuments(date(2026, 4, 20)))
        app = lifecycle.apply(app, ev.Reapplied(date(2026, 4, 21), attempt))
        assert (app.stage, app.attempt, app.documents_due) == (Stage.SUBMITTED, attempt, None)
    app = lifecycle.apply(app, ev.EntryProved(day))
    app = lifecycle.apply(app, ev.ReturnedForLateDocuments(date(2026, 4, 20)))
    with pytest.raises(InvalidTransition) as refused:
        lifecycle.apply(app, ev.Reapplied(date(2026, 4, 21), 9))
    assert refused.value.code == "ATTEMPT_OUT_OF_ORDER"


async def test_the_stored_record_keeps_every_attempt_and_the_stated_due_dates():
    world = await returned_world()
    await world.trader(reapply())
    record = world.store.records[SID]
    again = loads(dumps(record))
    assert again == record
    assert again.app.attempt == 2 and again.app.stated_due == {"C3": record.app.stated_due["C3"]}
    assert [s.attempt for s in again.steps] == [1, 1, 2, 2]


async def test_a_record_stored_before_attempts_existed_loads_as_attempt_1_without_steps():
    world = await returned_world()
    stored = json.loads(dumps(world.store.records[SID]))
    for name in ("attempt", "stated_due"):
        del stored["app"][name]
    del stored["steps"], stored["registration_message_id"]
    old = loads(json.dumps(stored).encode())
    assert (old.app.attempt, old.app.stated_due, old.steps) == (1, {}, ())
    assert old.app.stage is Stage.RETURNED
