"""C10 data changes and the C11 unblocking window, table-driven over the pure lifecycle."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from customs.deadlines import timers
from customs.events import (
    ALL,
    Accepted,
    Blocked,
    DataChangeDecided,
    DataChangeNotified,
    EntryProved,
    Rejected,
    Revoked,
    TtpRkIssued,
    Unblocked,
    only,
)
from customs.lifecycle import apply, deadlines, overdue, start
from customs.periods import add_calendar_days, add_months
from customs.reading import read_notice
from customs.record import ApplicationRecord, dumps, loads
from customs.state import CustomsApplication, InvalidTransition, Stage

ENTRY = EntryProved(date(2026, 3, 19))
TTP_RK = TtpRkIssued(date(2026, 3, 25))
ACCEPT = Accepted(date(2026, 4, 10), "NIK-0123456789", frozenset({"IMPORTIR", "PPJK"}))
REGISTERED = (ENTRY, TTP_RK, ACCEPT)

NOTIFIED = DataChangeNotified(date(2026, 6, 2))  # a Tuesday
APPROVED = DataChangeDecided(date(2026, 6, 19), approved=True)
REJECTED_PROTECTED = DataChangeDecided(date(2026, 6, 19), approved=False, protected=True)
REJECTED_OTHER = DataChangeDecided(date(2026, 6, 19), approved=False)
BY_CUSTOMS = DataChangeDecided(date(2026, 6, 10), approved=True, by_customs=True)
BLOCKED_LIMITED = Blocked(date(2026, 7, 1), "B1", only("PPJK"), time_limited=True)

# 2 June 2026 + 10 working days: 16 June (Islamic New Year) does not count.
DOCUMENTS_DUE = date(2026, 6, 17)
DECISION_DUE = date(2026, 6, 23)  # + 14 working days (Art. 28)
REAPPLY_BY = date(2026, 7, 19)  # 19 June + 30 calendar days (Art. 30(2)), a Sunday


def run(*events) -> CustomsApplication:
    app = start("SUB-1", frozenset({"IMPORTIR", "EKSPORTIR", "PPJK"}))
    for event in events:
        app = apply(app, event)
    return app


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ((NOTIFIED,), {"C10/documents": DOCUMENTS_DUE, "C10/decision": DECISION_DUE}),
        ((NOTIFIED, APPROVED), {}),
        ((APPROVED,), {}),  # the notification went to customs, not through the hub
        ((NOTIFIED, REJECTED_PROTECTED), {"C10/reapply": REAPPLY_BY}),
        ((NOTIFIED, REJECTED_OTHER), {}),  # Art. 24(4) data: no duty to reapply
        (
            (NOTIFIED, REJECTED_PROTECTED, DataChangeNotified(date(2026, 7, 1))),
            {"C10/documents": date(2026, 7, 15), "C10/decision": date(2026, 7, 21)},
        ),
        (
            (NOTIFIED, BY_CUSTOMS),  # Art. 31: applied, the user's own change still pending
            {"C10/documents": DOCUMENTS_DUE, "C10/decision": DECISION_DUE},
        ),
        ((BLOCKED_LIMITED,), {"C11/B1": date(2026, 10, 1)}),
        ((Blocked(date(2026, 7, 1), "B1", ALL),), {}),  # no time-limited cause, no window
        (
            (BLOCKED_LIMITED, Blocked(date(2026, 8, 3), "B2", ALL, time_limited=True)),
            {"C11/B1": date(2026, 10, 1), "C11/B2": date(2026, 11, 3)},
        ),
    ],
)
def test_registered_deadlines(events, expected):
    app = run(*REGISTERED, *events)
    assert app.stage is Stage.ACCEPTED
    assert deadlines(app) == expected


@pytest.mark.parametrize(
    ("events", "bad", "code", "rule"),
    [
        ((ENTRY, TTP_RK), APPROVED, "NOT_REGISTERED", "C10"),  # never accepted
        ((ENTRY, TTP_RK), NOTIFIED, "NOT_REGISTERED", "C10"),
        ((ENTRY, TTP_RK, Rejected(date(2026, 4, 10), ("X",))), APPROVED, "NOT_REGISTERED", "C10"),
        ((*REGISTERED, Revoked(date(2026, 5, 4), "R1", ALL)), APPROVED, "NOT_REGISTERED", "C10"),
        (
            REGISTERED,
            DataChangeDecided(date(2026, 6, 10), approved=False, by_customs=True),
            "NOTHING_TO_REJECT",
            "C10",
        ),
    ],
)
def test_invalid_data_change_transitions_are_refused(events, bad, code, rule):
    with pytest.raises(InvalidTransition) as refused:
        apply(run(*events), bad)
    assert (refused.value.code, refused.value.rule) == (code, rule)


def test_an_approved_change_may_issue_a_new_customs_id_a_rejection_never_does():
    new_id = DataChangeDecided(date(2026, 6, 19), approved=True, new_customs_id="NIK-9")
    assert run(*REGISTERED, new_id).customs_id == "NIK-9"
    assert run(*REGISTERED, APPROVED).customs_id == ACCEPT.customs_id
    assert run(*REGISTERED, REJECTED_PROTECTED).customs_id == ACCEPT.customs_id


def test_reapplication_is_counted_in_calendar_days_and_its_last_day_still_counts():
    app = run(*REGISTERED, NOTIFIED, REJECTED_PROTECTED)
    assert overdue(app, REAPPLY_BY) == []  # a Sunday: calendar days, as Art. 30(2) says
    assert overdue(app, date(2026, 7, 20)) == ["C10/reapply"]


def test_decision_overdue_in_working_days():
    app = run(*REGISTERED, NOTIFIED)
    assert overdue(app, DECISION_DUE) == ["C10/documents"]
    assert overdue(app, date(2026, 6, 24)) == ["C10/decision", "C10/documents"]


def test_unblocking_window_follows_its_blocking_per_activity_or_all():
    app = run(*REGISTERED, Blocked(date(2026, 7, 1), "B1", ALL, time_limited=True))
    assert app.active == frozenset()
    partial = apply(app, Unblocked(date(2026, 7, 8), "B1", only("IMPORTIR")))
    assert partial.active == frozenset({"IMPORTIR"})
    assert deadlines(partial) == {"C11/B1": date(2026, 10, 1)}  # PPJK is still blocked
    lifted = apply(partial, Unblocked(date(2026, 7, 9), "B1", ALL))
    assert lifted.active == lifted.approved and deadlines(lifted) == {}
    revoked = apply(app, Revoked(date(2026, 8, 1), "R1", ALL))
    assert revoked.stage is Stage.REVOKED and revoked.unblock_by == {}


def test_an_unblocking_after_the_window_is_applied_art_35_4_limits_the_application_only():
    app = run(*REGISTERED, BLOCKED_LIMITED)
    late = apply(app, Unblocked(date(2026, 11, 2), "B1", ALL))
    assert late.blockings == {} and deadlines(late) == {}


@pytest.mark.parametrize(
    ("start_on", "months", "expected"),
    [
        (date(2026, 7, 1), 3, date(2026, 10, 1)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),  # no 30 February: the month's last day
        (date(2027, 11, 30), 3, date(2028, 2, 29)),  # leap year
        (date(2026, 10, 31), 3, date(2027, 1, 31)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_calendar_months(start_on, months, expected):
    assert add_months(start_on, months) == expected


def test_calendar_days_ignore_weekends_and_holidays():
    assert add_calendar_days(date(2026, 8, 10), 30) == date(2026, 9, 9)  # across 17 August


def _record(app: CustomsApplication) -> ApplicationRecord:
    now = datetime(2026, 7, 1, tzinfo=UTC)
    return ApplicationRecord(app, 5, "CEISA-1", "blocking", "C11", now)


def test_new_deadlines_get_timers_and_survive_the_store_format():
    record = _record(run(*REGISTERED, NOTIFIED, REJECTED_PROTECTED, BLOCKED_LIMITED))
    members = {member for _, member, _ in timers(record, 2)}
    assert members == {"SUB-1|C10/reapply|2026-07-19", "SUB-1|C11/B1|2026-10-01"}
    assert loads(dumps(record)) == record


def test_records_written_before_c10_and_c11_were_tracked_still_load():
    record = _record(run(*REGISTERED))
    raw = dumps(record).replace(b', "unblock_by": {}', b"")
    for name in ("change_documents_due", "change_decision_due", "reapply_by"):
        raw = raw.replace(f', "{name}": null'.encode(), b"")
    assert b"reapply_by" not in raw and b"unblock_by" not in raw
    assert loads(raw) == record


SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "ceisa" / "v1"


@pytest.mark.parametrize(
    ("sample", "event"),
    [
        (
            "data-change-outcome/valid-rejected.xml",
            DataChangeDecided(date(2026, 6, 19), approved=False, protected=True),
        ),
        (
            "data-change-outcome/valid-customs-initiative.xml",
            DataChangeDecided(date(2026, 6, 19), approved=True, by_customs=True),
        ),
        (
            "data-change-outcome/valid-approved-new-customs-id.xml",
            DataChangeDecided(date(2026, 6, 19), approved=True, new_customs_id="NIK-0123456790"),
        ),
        (
            "blocking/valid-one-activity.xml",
            Blocked(date(2026, 7, 1), "BLK-2026-000003", only("PPJK"), time_limited=True),
        ),
        ("blocking/valid-all-activities.xml", Blocked(date(2026, 7, 1), "BLK-2026-000004", ALL)),
    ],
)
def test_ceisa_samples_read_as_lifecycle_events(sample, event):
    notice = read_notice((SAMPLES / sample).read_bytes())
    assert notice.event == event and notice.customs_id == "NIK-0123456789"
