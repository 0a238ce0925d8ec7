"""R13: officers decide referred applications; the 24-hour promise raises its events."""

import json
from datetime import timedelta

from contracts import topics
from contracts.referral import ReferralDeadline
from gateway.deadlines import DeadlineWatch
from gateway.officers import OfficerDesk
from runtime.records import Inbound
from tests.support import manual_decisions_of
from tests.unit.test_gateway_handlers import decisions, inbound, run_to_decision
from tests.unit.test_referral_and_recheck import referred_setup


def manual(sid="SUB-0001", **fields) -> Inbound:
    body = {
        "submission_id": sid,
        "outcome": "APPROVED",
        "officer_id": "officer-17",
        "note": "NPWP checked by phone with DJP",
        **fields,
    }
    return inbound(topics.MANUAL_DECISION, json.dumps(body).encode(), 9)


async def test_r13_officer_approves_a_referred_application_and_it_flows_on():
    store, clock, _, _, _, referred = await referred_setup()
    desk = OfficerDesk(store, clock=clock)
    [approved] = decisions(await run_to_decision(desk, [manual()], handler="on_manual_decisions"))
    assert approved.outcome == "APPROVED" and approved.decided_by == "officer-17"
    assert approved.username is not None and approved.registration is not None
    assert approved.decision_id != referred.decision_id
    assert [r.code for r in approved.reasons] == ["OFFICER_DECISION"]
    assert "NPWP checked by phone" in approved.reasons[0].text_en
    again = await run_to_decision(desk, [manual()], handler="on_manual_decisions")
    assert decisions(again) == [] and again.dead == []  # closed: a repeat changes nothing


async def test_r13_officer_rejection_cites_catalogue_reasons():
    store, clock, *_ = await referred_setup()
    desk = OfficerDesk(store, clock=clock)
    result = await run_to_decision(
        desk,
        [manual(outcome="REJECTED", reason_codes=["NPWP_NOT_ACTIVE"])],
        handler="on_manual_decisions",
    )
    [rejected] = decisions(result)
    assert [r.code for r in rejected.reasons] == ["NPWP_NOT_ACTIVE", "OFFICER_DECISION"]


async def test_r13_officer_cannot_decide_what_was_not_referred_or_cite_unknown_codes():
    store, clock, *_ = await referred_setup()
    desk = OfficerDesk(store, clock=clock)
    unknown_code = await manual_decisions_of(desk)([manual(reason_codes=["NOPE"])])
    assert "reason_codes" in str(unknown_code.dead[0][1])
    unknown_app = await manual_decisions_of(desk)([manual("SUB-NOT-THERE")])
    assert "no application" in str(unknown_app.dead[0][1])
    bad = await manual_decisions_of(desk)([inbound(topics.MANUAL_DECISION, b'{"outcome": 1}', 3)])
    assert len(bad.dead) == 1


async def test_r13_deadline_warning_then_overdue_then_nothing_after_a_final_decision():
    store, clock, published, *_, referred = await referred_setup()
    watch = DeadlineWatch(store, lambda records: _collect(published, records), clock=clock)
    # referred_setup decides exactly 24 hours after submission: both events are due at once.
    assert await watch.run_once() == 2
    events = [
        ReferralDeadline.model_validate_json(o.value)
        for o in published
        if o.topic == topics.REFERRAL_DEADLINE
    ]
    assert [e.kind for e in events] == ["WARNING", "OVERDUE"]
    assert {e.waiting_for for e in events} == {"OFFICER"}
    assert events[1].deadline_at == referred.deadline_at
    clock.now += timedelta(days=2)
    assert await watch.run_once() == 0  # each event once


async def test_r13_final_decision_cancels_the_deadline_events():
    store, clock, published, *_, referred = await referred_setup()
    await run_to_decision(
        OfficerDesk(store, clock=clock), [manual()], handler="on_manual_decisions"
    )
    watch = DeadlineWatch(store, lambda records: _collect(published, records), clock=clock)
    clock.now = referred.decided_at + timedelta(days=3)
    assert await watch.run_once() == 0


async def _collect(sink, records):
    sink.extend(records)
