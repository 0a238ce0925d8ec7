"""The PER-21/BC/2011 lifecycle, table-driven: happy paths, deadlines, refused transitions."""

from dataclasses import replace
from datetime import date

import pytest

from customs.events import (
    ALL,
    Accepted,
    AdditionalDocumentsReceived,
    AdditionalDocumentsRequested,
    Blocked,
    EntryProved,
    Rejected,
    ReturnedForLateDocuments,
    Revoked,
    TtpRkIssued,
    Unblocked,
    only,
)
from customs.lifecycle import apply, deadlines, overdue, start
from customs.state import CustomsApplication, InvalidTransition, Stage

APPLIED = frozenset({"IMPORTIR", "EKSPORTIR", "PPJK"})


def run(*events, activities=APPLIED) -> CustomsApplication:
    app = start("SUB-1", activities)
    for event in events:
        app = apply(app, event)
    return app


ENTRY = EntryProved(date(2026, 3, 19))
TTP_RK = TtpRkIssued(date(2026, 3, 25))
ACCEPT = Accepted(date(2026, 4, 10), "NIK-0123456789", frozenset({"IMPORTIR", "PPJK"}))
REGISTERED = (ENTRY, TTP_RK, ACCEPT)


@pytest.mark.parametrize(
    ("events", "stage"),
    [
        ((), Stage.SUBMITTED),
        ((ENTRY,), Stage.ENTERED),
        ((ENTRY, ReturnedForLateDocuments(date(2026, 4, 9))), Stage.RETURNED),
        ((ENTRY, TTP_RK), Stage.RECEIPTED),
        ((TTP_RK,), Stage.RECEIPTED),  # Art. 8(2): documents before the form
        (
            (ENTRY, TTP_RK, AdditionalDocumentsRequested(date(2026, 3, 30))),
            Stage.DOCUMENTS_REQUESTED,
        ),
        (
            (
                ENTRY,
                TTP_RK,
                AdditionalDocumentsRequested(date(2026, 3, 30)),
                AdditionalDocumentsReceived(date(2026, 4, 2)),
                ACCEPT,
            ),
            Stage.ACCEPTED,
        ),
        ((ENTRY, TTP_RK, Rejected(date(2026, 4, 10), ("ADDRESS_NOT_VERIFIED",))), Stage.REJECTED),
        ((*REGISTERED, Blocked(date(2026, 7, 1), "B1", ALL)), Stage.ACCEPTED),
        ((*REGISTERED, Revoked(date(2026, 9, 1), "R1", only("PPJK"))), Stage.ACCEPTED),
        ((*REGISTERED, Revoked(date(2026, 9, 1), "R1", ALL)), Stage.REVOKED),
    ],
)
def test_reachable_stages(events, stage):
    assert run(*events).stage is stage


@pytest.mark.parametrize(
    ("events", "bad", "code"),
    [
        ((), ReturnedForLateDocuments(date(2026, 4, 9)), "INVALID_STAGE"),
        ((ENTRY,), ReturnedForLateDocuments(date(2026, 4, 8)), "DOCUMENTS_PERIOD_RUNNING"),
        ((ENTRY,), ACCEPT, "INVALID_STAGE"),  # no decision before the TTP-RK
        ((ENTRY, TTP_RK), Accepted(date(2026, 4, 10), "", ACCEPT.approved), "CUSTOMS_ID_REQUIRED"),
        (
            (ENTRY, TTP_RK),
            Accepted(date(2026, 4, 10), "NIK-1", frozenset({"NVOCC"})),
            "APPROVED_NOT_APPLIED",
        ),
        ((ENTRY, TTP_RK), Rejected(date(2026, 4, 10)), "REASON_REQUIRED"),
        ((ENTRY, TTP_RK), AdditionalDocumentsReceived(date(2026, 4, 2)), "INVALID_STAGE"),
        ((ENTRY, TTP_RK, Rejected(date(2026, 4, 10), ("X",))), ACCEPT, "INVALID_STAGE"),
        ((ENTRY, TTP_RK), Blocked(date(2026, 7, 1), "B1", ALL), "INVALID_STAGE"),
        (REGISTERED, Unblocked(date(2026, 7, 2), "B1", ALL), "NOT_BLOCKED"),  # never blocked
        (
            (*REGISTERED, Blocked(date(2026, 7, 1), "B1", only("PPJK"))),
            Unblocked(date(2026, 7, 2), "B1", only("IMPORTIR")),
            "NOT_BLOCKED",
        ),
        (
            (*REGISTERED, Blocked(date(2026, 7, 1), "B1", only("PPJK"))),
            Blocked(date(2026, 7, 1), "B1", only("IMPORTIR")),
            "BLOCKING_EXISTS",
        ),
        (REGISTERED, Blocked(date(2026, 7, 1), "B1", only("EKSPORTIR")), "ACTIVITY_NOT_HELD"),
        (
            (*REGISTERED, Revoked(date(2026, 9, 1), "R1", only("PPJK"))),
            Revoked(date(2026, 9, 2), "R2", only("PPJK")),
            "ACTIVITY_NOT_HELD",
        ),
        (
            (*REGISTERED, Revoked(date(2026, 9, 1), "R1", ALL)),
            Blocked(date(2026, 9, 2), "B9", ALL),
            "INVALID_STAGE",
        ),
    ],
)
def test_invalid_transitions_are_refused_with_a_reason(events, bad, code):
    app = run(*events)
    with pytest.raises(InvalidTransition) as refused:
        apply(app, bad)
    assert refused.value.code == code
    assert str(refused.value)


def test_an_empty_application_is_refused():
    with pytest.raises(InvalidTransition, match="C1"):
        start("SUB-1", frozenset())


def test_deadlines_in_working_days_per_stage():
    entered = run(ENTRY)
    assert deadlines(entered) == {"C3": date(2026, 4, 8)}
    receipted = run(ENTRY, TTP_RK)
    # C7 decision and, for an exporter, C14 interim service: 14 working days after the TTP-RK.
    assert deadlines(receipted) == {"C7": date(2026, 4, 15), "C14": date(2026, 4, 15)}
    requested = apply(receipted, AdditionalDocumentsRequested(date(2026, 3, 30)))
    assert deadlines(requested)["C6"] == date(2026, 4, 9)
    assert deadlines(run(*REGISTERED)) == {}


def test_interim_service_only_for_exporters_and_carriers():
    importer = run(ENTRY, TTP_RK, activities=frozenset({"IMPORTIR"}))
    assert importer.interim_service_until is None
    carrier = run(ENTRY, TTP_RK, activities=frozenset({"PENGANGKUT"}))
    assert carrier.interim_service_until == date(2026, 4, 15)


def test_overdue_counts_the_last_day_as_still_in_time():
    entered = run(ENTRY)
    assert overdue(entered, date(2026, 4, 8)) == []
    assert overdue(entered, date(2026, 4, 9)) == ["C3"]


def test_one_customs_id_for_the_approved_activities_only():
    app = run(*REGISTERED)
    assert app.customs_id == "NIK-0123456789"
    assert app.approved == frozenset({"IMPORTIR", "PPJK"}) == app.active


def test_blocking_per_activity_and_partial_unblocking():
    app = run(*REGISTERED, Blocked(date(2026, 7, 1), "B1", ALL))
    assert app.active == frozenset()
    app = apply(app, Unblocked(date(2026, 7, 8), "B1", only("IMPORTIR")))
    assert app.active == frozenset({"IMPORTIR"})
    assert app.blockings == {"B1": frozenset({"PPJK"})}
    app = apply(app, Unblocked(date(2026, 7, 9), "B1", ALL))
    assert app.blockings == {}
    assert app.active == app.approved


def test_revoking_a_blocked_activity_ends_its_blocking():
    app = run(*REGISTERED, Blocked(date(2026, 7, 1), "B1", only("PPJK")))
    app = apply(app, Revoked(date(2026, 9, 1), "R1", only("PPJK")))
    assert app.blockings == {}
    assert app.active == frozenset({"IMPORTIR"})
    assert replace(app, revoked=app.approved).active == frozenset()
