"""The PER-21 articles added to the pure state machine: C13, C15, C14 (Art. 40), Art. 8(2).

Dates are worked by hand from the 2026 calendar (C16): Friday 29 May 2026 is
followed by a weekend and Pancasila Day (Monday 1 June), so its next working
day is Tuesday 2 June; 30 working days from Monday 13 July 2026 skip
Independence Day (17 August) and the Prophet's Birthday (25 August).
"""

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from contracts import xml_messages as m
from customs.events import (
    Accepted,
    Blocked,
    DataChangeNotified,
    EntryProved,
    InterimImportApproved,
    ManualRegistrationRecorded,
    Rejected,
    SiteCheckRecorded,
    TtpRkIssued,
    only,
)
from customs.lifecycle import apply, deadlines, overdue, start
from customs.next_action import next_action
from customs.reading import Notice, read_notice
from customs.record import ApplicationRecord, advance, dumps, loads, to_status
from customs.state import CustomsApplication, InvalidTransition, Stage

NOW = datetime(2026, 7, 20, 3, 0, tzinfo=UTC)
SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "ceisa" / "v1"
FRIDAY = date(2026, 5, 29)
MANUAL = ManualRegistrationRecorded(FRIDAY, "KPPBC-TANJUNG-PRIOK")
ACCEPT = Accepted(date(2026, 6, 30), "NIK-0000012345", frozenset({"IMPORTIR", "PPJK"}))


def run(*events, activities=frozenset({"EKSPORTIR"})) -> CustomsApplication:
    app = start("SUB-1", activities)
    for event in events:
        app = apply(app, event)
    return app


def refused(app: CustomsApplication, event) -> tuple[str, str]:
    with pytest.raises(InvalidTransition) as error:
        apply(app, event)
    return error.value.code, error.value.rule


# C13: manual registration at a customs office (Art. 2(3), 11-14)


def test_a_manual_registration_opens_the_offices_one_working_day_and_the_ttp_rk_clock():
    app = run(MANUAL)
    assert app.stage is Stage.SUBMITTED and app.manual_office == "KPPBC-TANJUNG-PRIOK"
    assert deadlines(app) == {"C13": date(2026, 6, 2), "C13/ttp-rk": date(2026, 6, 15)}
    assert overdue(app, date(2026, 6, 2)) == []  # the last day still counts
    assert overdue(app, date(2026, 6, 3)) == ["C13"]


def test_the_documents_came_with_the_form_so_the_entry_leaves_no_documents_clock():
    app = run(MANUAL, EntryProved(date(2026, 6, 2)))
    assert app.stage is Stage.ENTERED
    assert deadlines(app) == {"C13/ttp-rk": date(2026, 6, 15)}  # C3 met, C13 office done


def test_the_ttp_rk_closes_the_manual_clocks_and_opens_the_decision_and_interim_service():
    app = run(MANUAL, TtpRkIssued(date(2026, 6, 3)))
    assert app.stage is Stage.RECEIPTED
    assert set(deadlines(app)) == {"C7", "C14"}


@pytest.mark.parametrize(
    "activities",
    [frozenset({"IMPORTIR"}), frozenset({"EKSPORTIR", "IMPORTIR"}), frozenset({"PENGANGKUT"})],
)
def test_the_manual_channel_serves_exporting_only(activities):
    app = start("SUB-1", activities)
    assert refused(app, MANUAL) == ("MANUAL_FOR_EXPORTERS_ONLY", "C13")


def test_a_second_manual_receipt_or_one_after_the_entry_is_refused():
    assert refused(run(MANUAL), MANUAL) == ("APPLICATION_EXISTS", "C13")
    entered = run(EntryProved(FRIDAY))
    with pytest.raises(InvalidTransition) as error:
        apply(entered, MANUAL)
    assert error.value.code in {"APPLICATION_EXISTS", "INVALID_STAGE"}


# C15: site checks and the notice to apply for a data change (Art. 45-51)


def _registered() -> CustomsApplication:
    app = start("SUB-1", frozenset({"IMPORTIR", "PPJK"}))
    for event in (EntryProved(date(2026, 6, 1)), TtpRkIssued(date(2026, 6, 10)), ACCEPT):
        app = apply(app, event)
    return app


def check(finding: str, notice_on: date | None = date(2026, 7, 13)) -> SiteCheckRecorded:
    return SiteCheckRecorded(date(2026, 7, 10), "SC-7", date(2026, 7, 1), finding, notice_on)


def test_a_notice_to_apply_for_a_change_opens_thirty_working_days():
    app = apply(_registered(), check("APPLY_FOR_CHANGE"))
    assert deadlines(app) == {"C15/notice": date(2026, 8, 26)}
    assert overdue(app, date(2026, 8, 26)) == []
    assert overdue(app, date(2026, 8, 27)) == ["C15/notice"]  # Art. 51(2): lapsed


def test_the_users_data_change_notification_answers_the_notice():
    app = apply(_registered(), check("APPLY_FOR_CHANGE"))
    app = apply(app, DataChangeNotified(date(2026, 8, 3)))
    assert "C15/notice" not in deadlines(app)
    assert set(deadlines(app)) == {"C10/documents", "C10/decision"}


def test_a_blocking_after_the_lapse_closes_the_notice_one_before_it_does_not():
    noticed = apply(_registered(), check("APPLY_FOR_CHANGE"))
    early = apply(noticed, Blocked(date(2026, 8, 3), "BLK-1", only("PPJK")))
    assert deadlines(early)["C15/notice"] == date(2026, 8, 26)
    late = apply(noticed, Blocked(date(2026, 8, 27), "BLK-2", only("PPJK")))  # Art. 51(2)
    assert "C15/notice" not in deadlines(late) and late.blocked == {"PPJK"}


@pytest.mark.parametrize("finding", ["NO_DIFFERENCE", "CHANGED_BY_CUSTOMS"])
def test_other_findings_open_no_clock(finding):
    app = apply(_registered(), check(finding, notice_on=None))
    assert deadlines(app) == {} and app.stage is Stage.ACCEPTED


@pytest.mark.parametrize(
    ("event", "code"),
    [
        (check("APPLY_FOR_CHANGE", notice_on=None), "NOTICE_REQUIRED"),
        (check("NO_DIFFERENCE"), "NOTICE_WITHOUT_FINDING"),
        (check("MOVED"), "UNKNOWN_FINDING"),
        (
            SiteCheckRecorded(date(2026, 6, 30), "SC-8", date(2026, 7, 1), "NO_DIFFERENCE"),
            "RECORDED_BEFORE_APPOINTMENT",
        ),
    ],
)
def test_inconsistent_site_check_results_are_refused(event, code):
    assert refused(_registered(), event) == (code, "C15")


def test_only_a_registered_user_is_site_checked():
    app = run(EntryProved(date(2026, 6, 1)))
    assert refused(app, check("NO_DIFFERENCE", None)) == ("INVALID_STAGE", "PER-21")


# C14, Art. 40: one import notification with approval, before the customs id


def test_an_importer_without_a_customs_id_is_served_for_one_import_notification():
    app = run(EntryProved(date(2026, 6, 1)), activities=frozenset({"IMPORTIR"}))
    app = apply(app, InterimImportApproved(date(2026, 6, 3), "PIB-000123"))
    assert app.interim_import == "PIB-000123"
    again = InterimImportApproved(date(2026, 6, 4), "PIB-000124")
    assert refused(app, again) == ("INTERIM_IMPORT_USED", "C14")


def test_art_40_serves_importers_only_and_only_before_the_decision():
    approval = InterimImportApproved(date(2026, 6, 3), "PIB-000123")
    assert refused(run(EntryProved(date(2026, 6, 1))), approval) == ("NOT_AN_IMPORTER", "C14")
    assert refused(_registered(), approval) == ("INVALID_STAGE", "PER-21")
    rejected = run(
        TtpRkIssued(date(2026, 6, 1)),
        Rejected(date(2026, 6, 5), ("X",)),
        activities=frozenset({"IMPORTIR"}),
    )
    assert refused(rejected, approval) == ("INVALID_STAGE", "PER-21")


# C4, Art. 8(2): documents first, the TTP-RK straight after the form


def _notice(name: str) -> Notice:
    return read_notice((SAMPLES / "ttp-rk" / name).read_bytes())


def test_a_ttp_rk_naming_the_activities_opens_an_application_with_no_proof_of_entry():
    record = advance(None, _notice("valid-documents-first.xml"), NOW)
    assert record.app.stage is Stage.RECEIPTED
    assert record.app.activities == {"IMPORTIR"}
    # 14 working days from 19 March 2026, skipping the Eid al-Fitr leave (20, 23, 24 March)
    # and Good Friday (3 April)
    assert deadlines(record.app) == {"C7": date(2026, 4, 14)}


def test_a_ttp_rk_that_names_no_activities_cannot_open_an_application():
    with pytest.raises(InvalidTransition) as error:
        advance(None, _notice("valid.xml"), NOW)
    assert (error.value.code, error.value.rule) == ("NO_ACTIVITY", "C1")


def test_other_messages_still_cannot_open_an_application():
    notice = Notice(m.ACCEPTANCE, "CEISA-ACC-1", ACCEPT, submission_id="SUB-1")
    with pytest.raises(InvalidTransition) as error:
        advance(None, notice, NOW)
    assert error.value.code == "UNKNOWN_APPLICATION"


# The CEISA site-check document and the record


def record_of(app: CustomsApplication) -> ApplicationRecord:
    return ApplicationRecord(app, 3, "CEISA-ACC-1", "acceptance", "C8", NOW)


def test_the_site_check_document_reads_as_its_event_and_must_name_the_customs_id():
    notice = read_notice((SAMPLES / "site-check-result" / "valid.xml").read_bytes())
    assert notice.event == SiteCheckRecorded(
        date(2026, 7, 10), "SC-2026-000007", date(2026, 7, 1), "APPLY_FOR_CHANGE", date(2026, 7, 13)
    )
    after = advance(record_of(_registered()), notice, NOW)
    assert to_status(after).deadlines == {"C15/notice": date(2026, 8, 26)}
    other = replace(_registered(), customs_id="NIK-9999999999")
    with pytest.raises(InvalidTransition) as error:
        advance(record_of(other), notice, NOW)
    assert error.value.code == "CUSTOMS_ID_MISMATCH"


def test_the_new_fields_survive_the_store():
    noticed = apply(_registered(), check("APPLY_FOR_CHANGE"))
    interim = apply(
        run(EntryProved(date(2026, 6, 1)), activities=frozenset({"IMPORTIR"})),
        InterimImportApproved(date(2026, 6, 3), "PIB-9"),
    )
    for state in (noticed, run(MANUAL), interim):
        assert loads(dumps(record_of(state))).app == state
    assert to_status(record_of(interim)).interim_import == "PIB-9"


def test_the_notice_is_the_traders_next_action_until_answered():
    noticed = apply(_registered(), check("APPLY_FOR_CHANGE"))
    action = next_action(noticed)
    assert (action.code, action.due_on, action.rule) == (
        "APPLY_FOR_DATA_CHANGE",
        date(2026, 8, 26),
        "C15/notice",
    )
    answered = apply(noticed, DataChangeNotified(date(2026, 8, 3)))
    assert next_action(answered).code == "DELIVER_DATA_CHANGE_DOCUMENTS"
    assert next_action(run(MANUAL)).code == "NONE"  # the office acts next (Art. 12(3))
