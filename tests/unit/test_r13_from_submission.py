"""R13: the 24-hour promise runs from submission and covers applications still waiting.

Manual §6: "Jika berhasil Submit, harap tunggu persetujuan … dalam waktu
maksimal 1x24 jam". The clock starts at ``submitted_at``; an application whose
agencies have not all answered is on the same clock as a referred one.
"""

from datetime import UTC, datetime, timedelta

from contracts import topics
from contracts.referral import ReferralDeadline
from gateway.deadlines import DeadlineWatch
from gateway.handlers import Gateway
from gateway.officers import OfficerDesk
from gateway.store_memory import MemoryRegistrationStore
from tests.support import example_documents, submissions_of
from tests.unit.test_gateway_handlers import answers_for, decisions, run_to_decision, submitted
from tests.unit.test_officers_and_deadlines import manual
from tests.unit.test_referral_and_recheck import npwp_down

SUBMITTED = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # submission_dict: 08:00 WIB


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def deadline_events(published):
    return [
        ReferralDeadline.model_validate_json(o.value)
        for o in published
        if o.topic == topics.REFERRAL_DEADLINE
    ]


async def _opened(clock):
    store, published = MemoryRegistrationStore(), []

    async def publish(records):
        published.extend(records)

    gateway = Gateway(store, example_documents(), clock=clock)
    await submissions_of(gateway)([submitted()])
    return store, gateway, DeadlineWatch(store, publish, clock=clock), published


async def test_r13_a_waiting_application_is_warned_then_overdue_from_its_submission():
    clock = Clock(SUBMITTED + timedelta(minutes=5))
    _, _, watch, published = await _opened(clock)
    assert await watch.run_once() == 0
    clock.now = SUBMITTED + timedelta(hours=20, minutes=1)  # 4 hours before the 24 are up
    assert await watch.run_once() == 1
    clock.now = SUBMITTED + timedelta(hours=24, seconds=1)
    assert await watch.run_once() == 1
    events = deadline_events(published)
    assert [e.kind for e in events] == ["WARNING", "OVERDUE"]
    assert [e.waiting_for for e in events] == ["AGENCIES", "AGENCIES"]
    assert events[0].deadline_at == SUBMITTED + timedelta(hours=24)
    clock.now += timedelta(days=1)
    assert await watch.run_once() == 0


async def test_r13_a_referral_late_in_the_day_keeps_the_deadline_of_its_submission():
    clock = Clock(SUBMITTED + timedelta(hours=22))
    _, gateway, watch, published = await _opened(clock)
    answers = answers_for()
    answers[1] = npwp_down()
    [referred] = decisions(await run_to_decision(gateway, answers))
    assert referred.outcome == "REFERRED"
    assert referred.deadline_at == SUBMITTED + timedelta(hours=24)
    assert await watch.run_once() == 1  # the warning is already due, the overdue not yet
    clock.now = SUBMITTED + timedelta(hours=24, seconds=1)
    assert await watch.run_once() == 1
    assert [(e.kind, e.waiting_for) for e in deadline_events(published)] == [
        ("WARNING", "OFFICER"),
        ("OVERDUE", "OFFICER"),
    ]


async def test_r13_a_decision_in_time_cancels_the_clock_set_at_submission():
    clock = Clock(SUBMITTED + timedelta(hours=1))
    _, gateway, watch, published = await _opened(clock)
    [approved] = decisions(await run_to_decision(gateway, answers_for()))
    assert approved.outcome == "APPROVED"
    clock.now = SUBMITTED + timedelta(days=3)
    assert await watch.run_once() == 0
    assert deadline_events(published) == []


async def test_r13_a_referral_at_intake_is_on_the_clock_and_an_officer_can_decide_it():
    clock = Clock(SUBMITTED + timedelta(minutes=1))
    store, published = MemoryRegistrationStore(), []

    async def publish(records):
        published.extend(records)

    gateway = Gateway(store, example_documents(), clock=clock)
    foundation = submitted(
        organisation__trader_type="YAYASAN",
        organisation__nib="-",
        organisation__npwp="-",
        applicant__identity={"kind": "PASSPORT", "number": "X1234567"},
    )
    [referred] = decisions(await run_to_decision(gateway, [foundation], "on_submissions"))
    assert referred.outcome == "REFERRED"
    watch = DeadlineWatch(store, publish, clock=clock)
    clock.now = SUBMITTED + timedelta(hours=24, seconds=1)
    assert await watch.run_once() == 2
    desk = OfficerDesk(store, clock=clock)
    [decided] = decisions(await run_to_decision(desk, [manual()], "on_manual_decisions"))
    assert decided.outcome == "APPROVED"
