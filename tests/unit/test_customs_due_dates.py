"""CEISA's stated due dates against the hub's working-day count: kept, published, followed.

The rule under test (customs.due_dates): follow CEISA's stated day, flag the
discrepancy; for each of equal, earlier and later.
"""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from contracts import topics
from contracts import xml_messages as m
from contracts.customs import CustomsDeadline, DeadlineMoment
from customs import events as ev
from customs import lifecycle
from customs.deadlines import timers
from customs.due_dates import reconcile
from customs.reading import Notice
from customs.record import advance, to_status
from customs.state import InvalidTransition
from customs.store import MemoryCustomsStore
from customs.watch import DeadlineWatch
from customs.workdays import add_working_days

ENTRY = date(2026, 3, 2)  # a Monday
HUB_C3 = add_working_days(ENTRY, 10)
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
CASES = {
    "equal": HUB_C3,
    "earlier": HUB_C3 - timedelta(days=1),
    "later": add_working_days(HUB_C3, 2),
}


def entered(stated: date | None):
    notice = Notice(
        m.PROOF_OF_ENTRY,
        "CEISA-POE-1",
        ev.EntryProved(ENTRY, stated_due=stated),
        submission_id="SUB-DUE-1",
        activities=frozenset({"IMPORTIR"}),
        reference="CEISA-REG-DEC-1",
    )
    return advance(None, notice, NOW)


@pytest.mark.parametrize("case", CASES)
def test_both_days_are_kept_and_published_and_ceisa_s_is_followed(case):
    stated = CASES[case]
    status = to_status(entered(stated))
    due = status.due_dates["C3"]
    assert (due.hub, due.ceisa, due.follows) == (HUB_C3, stated, "CEISA")
    assert due.discrepancy is (case != "equal")
    assert status.deadlines["C3"] == stated  # what the timers and next_action follow
    assert status.next_action.due_on == stated
    [step] = status.steps
    assert step.due["C3"] == due and step.on == ENTRY
    assert status.insw_decision.registration_message_id == "CEISA-REG-DEC-1"


def test_without_a_stated_day_the_hub_s_count_is_followed():
    due = reconcile(HUB_C3, None)
    assert (due.follows, due.due_on, due.discrepancy) == ("HUB", HUB_C3, False)


def test_a_return_before_ceisa_s_later_day_is_refused_even_after_the_hub_s_day():
    app = entered(CASES["later"]).app
    on = add_working_days(HUB_C3, 1)  # after the hub's day, within CEISA's
    with pytest.raises(InvalidTransition) as refused:
        lifecycle.apply(app, ev.ReturnedForLateDocuments(on))
    assert (refused.value.code, refused.value.rule) == ("DOCUMENTS_PERIOD_RUNNING", "C3")
    after = lifecycle.apply(app, ev.ReturnedForLateDocuments(add_working_days(CASES["later"], 1)))
    assert after.stage.value == "RETURNED"


def test_c7_and_c6_follow_their_stated_days_and_an_answered_request_drops_c6():
    app = entered(None).app
    ttp = date(2026, 3, 10)
    decision = add_working_days(ttp, 15)
    app = lifecycle.apply(app, ev.TtpRkIssued(ttp, stated_due=decision))
    assert lifecycle.deadlines(app)["C7"] == decision
    request = add_working_days(ttp, 2)
    asked = add_working_days(request, 6)
    app = lifecycle.apply(app, ev.AdditionalDocumentsRequested(request, stated_due=asked))
    assert lifecycle.deadlines(app)["C6"] == asked
    app = lifecycle.apply(app, ev.AdditionalDocumentsReceived(add_working_days(request, 1)))
    assert "C6" not in app.stated_due and lifecycle.deadlines(app)["C7"] == decision


@pytest.mark.parametrize("case", CASES)
async def test_the_deadline_event_says_which_day_it_follows_and_flags_a_discrepancy(case):
    record = entered(CASES[case])
    store = MemoryCustomsStore()
    await store.save([record], timers(record, 2))
    published = []

    async def publish(records):
        published.extend(records)

    passed_at = datetime.combine(CASES[case] + timedelta(days=2), datetime.min.time(), UTC)
    watch = DeadlineWatch(store, publish, topic=topics.CUSTOMS_DEADLINE, clock=lambda: passed_at)
    assert await watch.run_once() == 2
    events = [CustomsDeadline.model_validate_json(o.value) for o in published]
    passed = next(e for e in events if e.moment is DeadlineMoment.PASSED)
    assert passed.rule == "C3" and passed.due_on == CASES[case]
    assert (passed.follows, passed.hub_due_on, passed.ceisa_due_on) == (
        "CEISA",
        HUB_C3,
        CASES[case],
    )
    assert passed.discrepancy is (case != "equal")


def test_a_step_records_every_deadline_it_opened_and_unstated_ones_follow_the_hub():
    record = entered(None)
    ttp = date(2026, 3, 10)
    decision = add_working_days(ttp, 14)
    notice = Notice(
        m.TTP_RK, "CEISA-TTP-1", ev.TtpRkIssued(ttp, stated_due=decision), submission_id="SUB-DUE-1"
    )
    exporter = replace(record, app=replace(record.app, activities=frozenset({"EKSPORTIR"})))
    status = to_status(advance(exporter, notice, NOW))
    opened = status.steps[-1].due
    assert set(opened) == {"C7", "C14"}
    assert (opened["C7"].follows, opened["C7"].discrepancy) == ("CEISA", False)
    assert opened["C14"] == reconcile(add_working_days(ttp, 14), None)
    assert status.due_dates == opened and "C3" not in status.due_dates
