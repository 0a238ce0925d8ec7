"""Issue 13: the lifecycle asks for the trader's email for each customs event they must know.

Driven by the CEISA simulator's own scripted stories, rendered to XML and
read by the lifecycle handler, so what is tested is what the service publishes.
"""

from datetime import UTC, date, datetime

from contracts import topics
from contracts.customs import DeadlineMoment
from contracts.trader_notification import TraderNotice, TraderNotificationRequested
from customs.handler import Lifecycle
from customs.lifecycle import deadlines
from customs.store import MemoryCustomsStore
from customs.trader_notices import for_deadline
from customs.workdays import add_working_days
from runtime.consumer import HandlerResult
from runtime.records import Inbound
from simulators.ceisa.documents import render
from simulators.ceisa.script import Application, Scenario, Step, story

NOW = datetime(2026, 3, 19, 3, 0, tzinfo=UTC)
START = date(2026, 3, 19)
SID = "SUB-2026-0013"
APP = Application("CEISA-REG-DEC-0013", SID, ("IMPORTIR", "EKSPORTIR"))


def steps(scenario: Scenario) -> list[Step]:
    return story(scenario, APP, START)


async def requests(scenario: Scenario) -> tuple[list[TraderNotificationRequested], HandlerResult]:
    batch = [
        Inbound(topics.CEISA_RESPONSE, 0, i, SID.encode(), render(s, NOW))
        for i, s in enumerate(steps(scenario))
    ]
    lifecycle = Lifecycle(MemoryCustomsStore(), clock=lambda: NOW)
    result = await lifecycle.on_responses(batch)
    for follow_up in result.after_publish:
        await follow_up()
    found = [o for o in result.outbound if o.topic == topics.TRADER_NOTIFICATION_REQUESTED]
    assert {o.key for o in found} <= {SID.encode()}
    return [TraderNotificationRequested.model_validate_json(o.value or b"") for o in found], result


async def test_an_accepted_application_tells_entry_with_its_due_date_ttp_rk_and_the_customs_id():
    found, result = await requests(Scenario.ACCEPT)
    assert not result.dead
    entry, ttp_rk, accepted = steps(Scenario.ACCEPT)
    assert [r.notice for r in found] == [
        TraderNotice.ENTRY_PROVED,
        TraderNotice.TTP_RK_ISSUED,
        TraderNotice.ACCEPTED,
    ]
    assert [r.notification_id for r in found] == [s.message_id for s in (entry, ttp_rk, accepted)]
    assert (found[0].due_rule, found[0].due_on) == ("C3", add_working_days(START, 10))
    assert found[0].activities == ["EKSPORTIR", "IMPORTIR"] and found[0].on == START
    assert (found[1].due_rule, found[1].due_on) == ("C7", add_working_days(ttp_rk.on, 14))
    assert found[2].customs_id == accepted.customs_id and found[2].due_on is None
    assert found[2].activities == ["EKSPORTIR", "IMPORTIR"]


async def test_a_documents_request_states_its_seven_working_days():
    found, _ = await requests(Scenario.ADDITIONAL_DOCUMENTS)
    request = steps(Scenario.ADDITIONAL_DOCUMENTS)[2]
    [asked] = [r for r in found if r.notice is TraderNotice.DOCUMENTS_REQUESTED]
    assert (asked.due_rule, asked.due_on, asked.on) == (
        "C6",
        add_working_days(request.on, 7),
        request.on,
    )


async def test_rejection_and_return_carry_customs_reasons():
    rejected, _ = await requests(Scenario.REJECT)
    assert rejected[-1].notice is TraderNotice.REJECTED
    assert [r.code for r in rejected[-1].reasons] == ["ADDRESS_NOT_VERIFIED"]
    returned, _ = await requests(Scenario.LATE_DOCUMENTS)
    assert [r.notice for r in returned] == [TraderNotice.ENTRY_PROVED, TraderNotice.RETURNED]
    assert [r.code for r in returned[-1].reasons] == ["DOCUMENTS_NOT_RECEIVED"]


async def test_block_and_unblock_name_the_one_activity_concerned():
    found, _ = await requests(Scenario.BLOCK_UNBLOCK)
    blocked, unblocked = found[-2:]
    assert (blocked.notice, blocked.activities) == (TraderNotice.BLOCKED, ["EKSPORTIR"])
    assert [r.code for r in blocked.reasons] == ["CUSTOMS_EXPERT_MISSING"]
    assert (unblocked.notice, unblocked.activities) == (TraderNotice.UNBLOCKED, ["EKSPORTIR"])
    assert blocked.customs_id == unblocked.customs_id is not None


async def test_revocation_names_every_activity_revoked():
    found, _ = await requests(Scenario.REVOKE)
    assert (found[-1].notice, found[-1].activities) == (
        TraderNotice.REVOKED,
        ["EKSPORTIR", "IMPORTIR"],
    )
    assert [r.code for r in found[-1].reasons] == ["BUSINESS_DISSOLVED"]


async def test_a_rejected_protected_change_states_the_reapply_date():
    found, _ = await requests(Scenario.DATA_CHANGE_REJECTED)
    outcome = steps(Scenario.DATA_CHANGE_REJECTED)[-1]
    assert found[-1].notice is TraderNotice.CHANGE_REJECTED
    assert (found[-1].due_rule, found[-1].due_on) == ("C10/reapply", outcome.due)
    approved, _ = await requests(Scenario.DATA_CHANGE)
    assert approved[-1].notice is TraderNotice.CHANGE_APPROVED and approved[-1].due_on is None


async def test_a_redelivered_message_asks_for_no_second_email():
    store = MemoryCustomsStore()
    lifecycle = Lifecycle(store, clock=lambda: NOW)
    batch = [
        Inbound(topics.CEISA_RESPONSE, 0, i, SID.encode(), render(s, NOW))
        for i, s in enumerate(steps(Scenario.ACCEPT))
    ]
    first = await lifecycle.on_responses(batch)
    for follow_up in first.after_publish:
        await follow_up()
    again = await lifecycle.on_responses(batch)
    topic = topics.TRADER_NOTIFICATION_REQUESTED
    assert sum(o.topic == topic for o in first.outbound) == 3
    assert not [o for o in again.outbound if o.topic == topic]


async def test_deadline_warnings_only_for_the_traders_own_deadlines():
    store = MemoryCustomsStore()
    lifecycle = Lifecycle(store, clock=lambda: NOW)
    batch = [
        Inbound(topics.CEISA_RESPONSE, 0, i, SID.encode(), render(s, NOW))
        for i, s in enumerate(steps(Scenario.ACCEPT)[:1])
    ]
    result = await lifecycle.on_responses(batch)
    for follow_up in result.after_publish:
        await follow_up()
    [record] = await store.load([SID])
    assert record is not None
    due = deadlines(record.app)["C3"]
    warning = for_deadline(record, "C3", due, DeadlineMoment.APPROACHING)
    assert warning is not None
    assert (warning.notice, warning.due_rule, warning.due_on) == (
        TraderNotice.DEADLINE_APPROACHING,
        "C3",
        due,
    )
    assert warning.notification_id == f"{SID}|C3|{due.isoformat()}|APPROACHING"
    passed = for_deadline(record, "C3", due, DeadlineMoment.PASSED)
    assert passed is not None and passed.notice is TraderNotice.DEADLINE_PASSED
    assert passed.notification_id != warning.notification_id
    assert for_deadline(record, "C7", due, DeadlineMoment.APPROACHING) is None
    assert for_deadline(record, "C10/decision", due, DeadlineMoment.PASSED) is None
