"""The lifecycle service's handler, deadline watch and HTTP read side, over the in-memory store."""

import typing
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from aiohttp.test_utils import TestClient, TestServer

from contracts import topics
from contracts.audit import AuditEvent, AuditKind
from contracts.customs import CustomsApplicationStatus, CustomsDeadline, CustomsStage
from contracts.trader_notification import TraderNotificationRequested
from customs.deadlines import timers
from customs.handler import Lifecycle, TransitionRefused
from customs.http import make_app
from customs.record import dumps, loads
from customs.state import Stage
from customs.store import MemoryCustomsStore
from customs.watch import DeadlineWatch
from runtime.consumer import HandlerResult
from runtime.errors import PoisonMessage
from runtime.records import Inbound, Outbound
from simulators.ceisa.documents import render
from simulators.ceisa.script import Application, Scenario, story

NOW = datetime(2026, 3, 19, 3, 0, tzinfo=UTC)
START = date(2026, 3, 19)


def published(result: HandlerResult) -> list[Outbound]:
    """What the handler publishes besides its audit entries and the trader's email requests
    (both tested apart: below, and in test_customs_trader_notices)."""
    apart = {topics.AUDIT, topics.TRADER_NOTIFICATION_REQUESTED}
    return [o for o in result.outbound if o.topic not in apart]


SID = "SUB-2026-0001"
APP = Application("CEISA-REG-DEC-0001", SID, ("IMPORTIR", "EKSPORTIR"))


def records(scenario: Scenario, app: Application = APP, offset: int = 0) -> list[Inbound]:
    return [
        Inbound(topics.CEISA_RESPONSE, 0, offset + i, app.submission_id.encode(), render(s, NOW))
        for i, s in enumerate(story(scenario, app, START))
    ]


async def handle(lifecycle: Lifecycle, batch: list[Inbound]):
    result = await lifecycle.on_responses(batch)
    for follow_up in result.after_publish:
        await follow_up()
    return result


def statuses(result) -> list[CustomsApplicationStatus]:
    return [CustomsApplicationStatus.model_validate_json(o.value or b"") for o in published(result)]


async def test_an_accepted_application_publishes_every_status_keyed_by_submission_id():
    store = MemoryCustomsStore()
    result = await handle(Lifecycle(store, clock=lambda: NOW), records(Scenario.ACCEPT))
    assert not result.dead
    assert {o.topic for o in published(result)} == {topics.CUSTOMS_APPLICATION_STATUS}
    assert {o.key for o in published(result)} == {SID.encode()}
    stages = [(s.stage, s.version, s.message) for s in statuses(result)]
    assert stages == [
        ("ENTERED", 1, "proof-of-entry"),
        ("RECEIPTED", 2, "ttp-rk"),
        ("ACCEPTED", 3, "acceptance"),
    ]
    final = statuses(result)[-1]
    assert final.customs_id and final.active == ["EKSPORTIR", "IMPORTIR"]
    assert statuses(result)[1].deadlines.keys() == {"C7", "C14"}


async def test_a_redelivered_message_changes_nothing_even_one_at_a_time():
    store = MemoryCustomsStore()
    lifecycle = Lifecycle(store, clock=lambda: NOW)
    batch = records(Scenario.BLOCK_UNBLOCK)
    for record in batch:
        await handle(lifecycle, [record])
    [before] = await store.load([SID])
    for record in batch:
        again = await handle(lifecycle, [record])
        assert not published(again) and not again.dead
    assert await store.load([SID]) == [before]
    assert before is not None and before.version == 5 and before.app.blockings == {}


async def test_unblocking_what_was_never_blocked_is_refused_with_code_and_rule_not_applied():
    store = MemoryCustomsStore()
    lifecycle = Lifecycle(store, clock=lambda: NOW)
    entry, ttp_rk, accepted, _blocking, unblocking = records(Scenario.BLOCK_UNBLOCK)
    await handle(lifecycle, [entry, ttp_rk, accepted])
    result = await handle(lifecycle, [unblocking])
    assert not published(result)
    [(dead, error)] = result.dead
    assert dead is unblocking and isinstance(error, TransitionRefused)
    assert (error.code, error.rule) == ("NOT_BLOCKED", "C11")
    assert str(error) == "transition refused: NOT_BLOCKED (C11) for unblocking"
    [record] = await store.load([SID])
    assert record is not None and record.version == 3 and record.message == "acceptance"
    again = await handle(lifecycle, [unblocking])  # remembered: not dead-lettered twice
    assert not again.dead and not published(again)


async def test_a_measure_before_any_application_is_refused():
    *_, blocking, _ = records(Scenario.BLOCK_UNBLOCK)
    result = await handle(Lifecycle(MemoryCustomsStore()), [blocking])
    [(_, error)] = result.dead
    assert isinstance(error, TransitionRefused) and error.code == "UNKNOWN_APPLICATION"


XXE = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<ProofOfEntry xmlns="urn:insw:ceisa:proof-of-entry:v1">&x;</ProofOfEntry>'
)


async def test_unsafe_or_invalid_documents_are_dead_lettered_naming_the_refusal_only():
    entry = records(Scenario.ACCEPT)[0]
    cases = {
        XXE: "DTD_FORBIDDEN",
        b"x" * 300_000: "TOO_LARGE",
        b"<ProofOfEntry": "MALFORMED",
        b'<Foo xmlns="urn:other"/>': "UNKNOWN_MESSAGE",
        entry.value.replace(b"<EntryNumber>", b"<EntryNumber>?"): "XSD_INVALID",  # type: ignore[union-attr]
    }
    batch = [Inbound(topics.CEISA_RESPONSE, 0, i, b"SUB-X", v) for i, v in enumerate(cases)]
    result = await handle(Lifecycle(MemoryCustomsStore()), batch)
    assert not published(result)
    assert [type(e) for _, e in result.dead] == [PoisonMessage] * len(cases)
    for (_, error), reason in zip(result.dead, cases.values(), strict=True):
        assert reason in str(error)
        assert "passwd" not in str(error) and "?" not in str(error)


async def test_a_key_contradicting_the_submission_id_is_refused():
    entry = records(Scenario.ACCEPT)[0]
    wrong = Inbound(entry.topic, 0, 9, b"SUB-OTHER", entry.value)
    [(_, error)] = (await handle(Lifecycle(MemoryCustomsStore()), [wrong])).dead
    assert "KEY_MISMATCH" in str(error)


async def test_records_survive_the_store_format_unchanged():
    store = MemoryCustomsStore()
    await handle(Lifecycle(store, clock=lambda: NOW), records(Scenario.BLOCK_UNBLOCK)[:4])
    [record] = await store.load([SID])
    assert record is not None and loads(dumps(record)) == record
    assert record.app.blocked == frozenset({"EKSPORTIR"})


def test_published_stages_are_the_state_machine_stages():
    assert set(typing.get_args(CustomsStage)) == {s.value for s in Stage}


async def test_deadlines_are_announced_when_approaching_and_when_passed_once_each():
    store = MemoryCustomsStore()
    await handle(Lifecycle(store, clock=lambda: NOW), records(Scenario.ACCEPT)[:2])
    [record] = await store.load([SID])
    assert record is not None
    due = record.app.decision_due
    assert due is not None and {m for m, _, _ in timers(record, 2)} == {"APPROACHING", "PASSED"}
    published: list = []

    async def publish(batch):
        published.extend(batch)

    clock = [NOW]
    watch = DeadlineWatch(store, publish, clock=lambda: clock[0])
    assert await watch.run_once() == 0
    clock[0] = datetime.combine(due, datetime.min.time(), UTC)  # the last day: approaching only
    assert await watch.run_once() == 2  # C7 and C14 end the same day
    clock[0] += timedelta(days=2)
    assert await watch.run_once() == 2
    assert await watch.run_once() == 0
    warnings = [
        TraderNotificationRequested.model_validate_json(o.value)
        for o in published
        if o.topic == topics.TRADER_NOTIFICATION_REQUESTED
    ]
    # C14 (the interim service ends) is the trader's; C7 is customs' own duty.
    assert [(w.notice.value, w.due_rule, w.due_on) for w in warnings] == [
        ("DEADLINE_APPROACHING", "C14", due),
        ("DEADLINE_PASSED", "C14", due),
    ]
    published = [o for o in published if o.topic == topics.CUSTOMS_DEADLINE]
    events = [CustomsDeadline.model_validate_json(o.value) for o in published]
    assert sorted((e.moment.value, e.rule) for e in events) == [
        ("APPROACHING", "C14"),
        ("APPROACHING", "C7"),
        ("PASSED", "C14"),
        ("PASSED", "C7"),
    ]
    assert [e.moment.value for e in events] == ["APPROACHING", "APPROACHING", "PASSED", "PASSED"]
    assert {o.key for o in published} == {SID.encode()} and {e.due_on for e in events} == {due}


async def test_a_deadline_no_longer_open_is_dropped_silently():
    store = MemoryCustomsStore()
    lifecycle = Lifecycle(store, clock=lambda: NOW)
    batch = records(Scenario.ACCEPT)
    await handle(lifecycle, batch[:2])
    await handle(lifecycle, batch[2:])  # accepted: C7 and C14 are closed
    published: list = []

    async def publish(batch):
        published.extend(batch)

    later = NOW + timedelta(days=60)
    assert await DeadlineWatch(store, publish, clock=lambda: later).run_once() == 0
    assert not published and not any(store.timers.values())


async def test_http_read_side_fails_closed_without_an_identity_provider():
    store = MemoryCustomsStore()
    await handle(Lifecycle(store, clock=lambda: NOW), records(Scenario.REJECT))
    async with TestClient(TestServer(make_app(store))) as client:
        for path in (f"/customs/applications/{SID}", f"/applications/{SID}"):
            answer = await client.get(path)
            assert answer.status == 503, path
            assert (await answer.json())["rule"] == "AUTH_NOT_CONFIGURED"
            assert SID not in await answer.text()


async def test_a_data_change_outcome_updates_the_status():
    store = MemoryCustomsStore()
    result = await handle(Lifecycle(store, clock=lambda: NOW), records(Scenario.DATA_CHANGE))
    assert not result.dead
    final = statuses(result)[-1]
    assert (final.stage, final.version, final.message, final.rule) == (
        "ACCEPTED",
        4,
        "data-change-outcome",
        "C10",
    )
    assert final.deadlines == {}
    [record] = await store.load([SID])
    assert record is not None and loads(dumps(record)) == record


async def test_a_rejected_protected_change_opens_the_reapply_deadline_with_its_timers():
    store = MemoryCustomsStore()
    result = await handle(
        Lifecycle(store, clock=lambda: NOW), records(Scenario.DATA_CHANGE_REJECTED)
    )
    final = statuses(result)[-1]
    rejected_on = story(Scenario.DATA_CHANGE_REJECTED, APP, START)[-1].on
    assert final.deadlines == {"C10/reapply": rejected_on + timedelta(days=30)}
    assert [r.code for r in final.reasons] == ["DOCUMENTS_DO_NOT_MATCH"]
    [record] = await store.load([SID])
    assert record is not None and {m for _, m, _ in timers(record, 2)} == {
        f"{SID}|C10/reapply|{final.deadlines['C10/reapply'].isoformat()}"
    }


async def test_a_data_change_outcome_for_a_revoked_customs_id_is_refused():
    store = MemoryCustomsStore()
    lifecycle = Lifecycle(store, clock=lambda: NOW)
    await handle(lifecycle, records(Scenario.REVOKE))
    outcome = records(Scenario.DATA_CHANGE, offset=10)[-1]
    result = await handle(lifecycle, [outcome])
    assert not published(result)
    [(_, error)] = result.dead
    assert isinstance(error, TransitionRefused) and (error.code, error.rule) == (
        "NOT_REGISTERED",
        "C10",
    )


async def test_every_customs_response_applied_is_audited_with_its_signer():
    signed = [replace(r, signer="ceisa") for r in records(Scenario.ACCEPT)]
    result = await handle(Lifecycle(MemoryCustomsStore(), clock=lambda: NOW), signed)
    entries = [
        AuditEvent.model_validate_json(o.value or b"")
        for o in result.outbound
        if o.topic == topics.AUDIT
    ]
    assert len(entries) == len(statuses(result)) > 0
    assert {(e.kind, e.subject, e.actor, e.details["result"]) for e in entries} == {
        (AuditKind.CUSTOMS_RESPONSE, SID, "ceisa", "APPLIED")
    }
