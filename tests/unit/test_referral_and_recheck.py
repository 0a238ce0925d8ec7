"""REFERRED is never a silent approval: an unavailable agency is asked again, then decided."""

from datetime import datetime, timedelta, timezone

from contracts import topics
from contracts.agencies import DJP_NPWP
from contracts.verification import Check, CheckOutcome
from gateway.handlers import Gateway
from gateway.recheck import Rechecker
from gateway.store_memory import MemoryRegistrationStore
from runtime.codec import encode
from tests.support import agency_answer, example_documents, submissions_of
from tests.unit.test_gateway_handlers import (
    NOW,
    answers_for,
    decisions,
    inbound,
    run_to_decision,
    submitted,
)

WIB = timezone(timedelta(hours=7))


class Clock:
    def __init__(self):
        self.now = NOW

    def __call__(self):
        return self.now


def npwp_down(offset=1):
    down = agency_answer(
        submission_id="SUB-0001", check=Check.NPWP, outcome=CheckOutcome.UNAVAILABLE
    )
    return inbound(topics.VERIFICATION_COMPLETED, encode(down), offset)


async def referred_setup():
    store, clock, published = MemoryRegistrationStore(), Clock(), []

    async def publish(records):
        published.extend(records)

    gateway = Gateway(store, example_documents(), clock=clock, recheck_delay=timedelta(seconds=30))
    rechecker = Rechecker(store, publish, clock=clock)
    await submissions_of(gateway)([submitted()])
    answers = answers_for()
    answers[1] = npwp_down()
    [referred] = decisions(await run_to_decision(gateway, answers))
    return store, clock, published, gateway, rechecker, referred


async def test_r13_referred_decision_carries_its_24_hour_deadline_and_explains_itself():
    *_, referred = await referred_setup()
    assert referred.outcome == "REFERRED"
    # From submission (2026-11-20 08:00 WIB), not from the referral a day later (manual §6).
    assert referred.deadline_at == datetime(2026, 11, 21, 8, 0, tzinfo=WIB)
    statuses = {r.rule: r.status for r in referred.rules}
    assert statuses["R4"] == "UNDECIDED" and statuses["R13"] == "UNDECIDED"
    assert statuses["R3"] == "PASSED" and statuses["R8"] == "PASSED"


async def test_recheck_asks_only_the_unavailable_agency_once_due():
    _, clock, published, _, rechecker, _ = await referred_setup()
    assert await rechecker.run_once() == 0  # not due yet
    clock.now += timedelta(seconds=31)
    assert await rechecker.run_once() == 1
    assert [o.topic for o in published] == [DJP_NPWP.request_topic]
    assert await rechecker.run_once() == 0  # leased: not asked twice at once


async def test_agency_recovered_gives_a_second_final_decision_with_its_own_id():
    store, clock, _, gateway, rechecker, referred = await referred_setup()
    clock.now += timedelta(seconds=31)
    await rechecker.run_once()
    [approved] = decisions(await run_to_decision(gateway, answers_for()[1:2]))
    assert approved.outcome == "APPROVED" and approved.decision_id != referred.decision_id
    assert await store.already_decided(["SUB-0001"]) == {"SUB-0001"}
    clock.now += timedelta(hours=1)
    assert await rechecker.run_once() == 0  # nothing left to re-check
    assert decisions(await run_to_decision(gateway, answers_for())) == []


async def test_agency_still_down_publishes_nothing_new_but_keeps_rechecking():
    _, clock, _, gateway, rechecker, _ = await referred_setup()
    clock.now += timedelta(seconds=31)
    await rechecker.run_once()
    assert decisions(await run_to_decision(gateway, [npwp_down(5)])) == []
    clock.now += timedelta(seconds=31)
    assert await rechecker.run_once() == 1
