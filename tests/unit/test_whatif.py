"""The what-if core: recorded decisions against the current rules, with no I/O at all."""

import json
from datetime import UTC, datetime

from contracts import reasons as rc
from contracts import topics
from contracts.agencies import SHIPPED
from contracts.decision import AgencyCheckResult, Outcome, RegistrationDecided
from contracts.reasons import Reason
from contracts.verification import (
    AgencyAnswer,
    Check,
    CheckOutcome,
    NibAnswer,
    NibRecord,
    NibStatus,
    NikMatch,
    NpwpRecord,
    ResponsiblePerson,
)
from gateway.rules import RULES_VERSION
from hubctl.history import HistoryRecord
from hubctl.whatif import (
    NO_SUBMISSION,
    OFFICER_DECIDED,
    UNDECIDED,
    Status,
    submission_day,
    what_if,
)
from tests.support import agency_answer, submission, submission_dict

OLD_RULES = "insw-rules/0.9.0"
NIK = "3171011708850001"
NAME = "Ir. Budi Santoso, S.E."


class Log:
    """Records as Kafka would hold them: per-topic offsets, one partition."""

    def __init__(self) -> None:
        self.records: list[HistoryRecord] = []
        self._next: dict[str, int] = {}

    def add(self, topic: str, value: str | None, key: str = "SUB") -> None:
        offset = self._next.get(topic, 0)
        self._next[topic] = offset + 1
        self.records.append(HistoryRecord(topic, 0, offset, 1_700_000_000_000 + offset, key, value))

    def submitted(self, sid: str = "SUB-1", **overrides) -> None:
        self.add(topics.REGISTRATION_SUBMITTED, json.dumps(submission_dict(sid, **overrides)), sid)

    def answered(self, answer: AgencyAnswer) -> None:
        self.add(topics.VERIFICATION_COMPLETED, answer.model_dump_json(), answer.submission_id)

    def decided(self, decision: RegistrationDecided) -> None:
        self.add(topics.REGISTRATION_DECIDED, decision.model_dump_json(), decision.submission_id)

    def all_verified(self, sid: str = "SUB-1") -> None:
        for answer in verified_answers(sid):
            self.answered(answer)


def verified_answers(sid: str) -> list[AgencyAnswer]:
    """OSS, DJP and Dukcapil agreeing with :func:`tests.support.submission_dict`."""
    person = ResponsiblePerson(identity_type="KTP", identity_number=NIK, name=NAME)
    nib = NibRecord(
        nib="9120001234567",
        company_name="PT Contoh Logistik",
        npwp="012345678901000",
        status=NibStatus.AKTIF,
        responsible_persons=[person],
    )
    npwp = NpwpRecord(
        npwp="0012345678901000",
        npwp15="012345678901000",
        active=True,
        taxpayer_name="PT CONTOH LOGISTIK",
        taxpayer_type="BADAN",
    )
    return [
        agency_answer(
            submission_id=sid, check=Check.NIB, outcome=CheckOutcome.VERIFIED, nib_record=nib
        ),
        agency_answer(
            submission_id=sid, check=Check.NPWP, outcome=CheckOutcome.VERIFIED, npwp_record=npwp
        ),
        agency_answer(
            submission_id=sid,
            check=Check.NIK,
            outcome=CheckOutcome.VERIFIED,
            nik_match=NikMatch(nik_found=True, name_matches=True),
        ),
    ]


def recorded(
    sid: str,
    outcome: Outcome,
    reasons: list[Reason] = (),  # type: ignore[assignment]
    *,
    asked: bool = True,
    decided_by: str | None = None,
    rules_version: str = OLD_RULES,
) -> RegistrationDecided:
    checks = (
        [
            AgencyCheckResult(check=c, agency=SHIPPED.spec(c).agency, outcome=CheckOutcome.VERIFIED)
            for c in Check
        ]
        if asked
        else []
    )
    return RegistrationDecided(
        decision_id=f"D-{sid}-{outcome}",
        submission_id=sid,
        outcome=outcome,
        reasons=list(reasons),
        checks=checks,
        rules_version=rules_version,
        decided_at=datetime(2026, 11, 20, tzinfo=UTC),
        decided_by=decided_by,
    )


def test_a_decision_the_current_rules_repeat_is_not_reported():
    log = Log()
    log.submitted()
    log.all_verified()
    log.decided(recorded("SUB-1", Outcome.APPROVED))

    report = what_if(log.records)

    [comparison] = report.comparisons
    assert comparison.status is Status.UNCHANGED
    assert (comparison.old_outcome, comparison.new_outcome) == ("APPROVED", "APPROVED")
    assert report.changed == []
    assert report.transitions() == {("APPROVED", "APPROVED"): 1}


def test_an_approval_the_current_rules_reject_is_reported_with_the_added_reason():
    log = Log()
    log.submitted(applicant__email="not-an-email")
    log.all_verified()
    log.decided(recorded("SUB-1", Outcome.APPROVED))

    [changed] = what_if(log.records).changed

    assert (changed.old_outcome, changed.new_outcome) == ("APPROVED", "REJECTED")
    assert changed.added == ("EMAIL_FORMAT(applicant.email)",)
    assert changed.removed == ()
    assert changed.recorded_rules_version == OLD_RULES


def test_reasons_the_current_rules_no_longer_give_are_reported_as_removed():
    frozen = verified_answers("SUB-1")
    assert isinstance(frozen[0], NibAnswer)
    nib = frozen[0].nib_record
    assert nib is not None
    frozen[0] = frozen[0].model_copy(
        update={"nib_record": nib.model_copy(update={"status": NibStatus.DIBEKUKAN})}
    )
    log = Log()
    log.submitted()
    for answer in frozen:
        log.answered(answer)
    retired = Reason(
        code="NIB_TOO_OLD", rule="R3", field="organisation.nib", text_id="", text_en=""
    )
    log.decided(
        recorded("SUB-1", Outcome.REJECTED, [rc.NIB_NOT_ACTIVE.at("organisation.nib"), retired])
    )

    [changed] = what_if(log.records).changed

    assert (changed.old_outcome, changed.new_outcome) == ("REJECTED", "REJECTED")
    assert changed.added == ()
    assert changed.removed == ("NIB_TOO_OLD(organisation.nib)",)


def test_the_last_decision_and_the_last_answer_per_check_are_compared():
    log = Log()
    log.submitted()
    unavailable = agency_answer(
        submission_id="SUB-1", check=Check.NIK, outcome=CheckOutcome.UNAVAILABLE
    )
    nib, npwp, nik = verified_answers("SUB-1")
    for answer in (nib, npwp, unavailable):
        log.answered(answer)
    field = "applicant.identity.number"
    log.decided(recorded("SUB-1", Outcome.REFERRED, [rc.AGENCY_UNAVAILABLE.at(field)]))
    log.answered(nik)  # the re-check got through
    log.decided(recorded("SUB-1", Outcome.APPROVED))

    report = what_if(log.records)

    [comparison] = report.comparisons
    assert (comparison.old_outcome, comparison.new_outcome) == ("APPROVED", "APPROVED")
    assert comparison.status is Status.UNCHANGED


def test_the_first_submission_of_an_id_is_the_one_re_decided():
    log = Log()
    log.submitted()
    log.submitted(applicant__email="not-an-email")  # a second copy: the gateway ignored it
    log.all_verified()
    log.decided(recorded("SUB-1", Outcome.APPROVED))

    assert what_if(log.records).changed == []


def test_missing_answers_leave_a_submission_out_when_agencies_were_asked():
    log = Log()
    log.submitted()
    nib, npwp, _ = verified_answers("SUB-1")
    log.answered(nib)
    log.answered(npwp)  # Dukcapil's answer is not in the history
    log.decided(recorded("SUB-1", Outcome.APPROVED))

    report = what_if(log.records)

    [comparison] = report.comparisons
    assert comparison.status is Status.NOT_REDECIDED
    assert comparison.new_outcome is None
    assert report.changed == []
    assert report.not_redecided() == {"answers missing from the history (DUKCAPIL)": 1}
    assert report.transitions() == {}


def test_a_form_rejection_the_current_rules_would_send_to_the_agencies_is_a_change():
    log = Log()
    log.submitted()
    log.decided(
        recorded("SUB-1", Outcome.REJECTED, [rc.PHONE_FORMAT.at("applicant.phone")], asked=False)
    )

    [changed] = what_if(log.records).changed

    assert (changed.old_outcome, changed.new_outcome) == ("REJECTED", UNDECIDED)
    assert changed.removed == ("PHONE_FORMAT(applicant.phone)",)
    assert changed.note == "would now ask OSS, DJP, DUKCAPIL; no recorded answers"


def test_the_form_is_judged_as_of_the_day_it_was_submitted_not_today():
    # 29 February 2000: not yet a past date on 1 February 2000, and 1900 was no leap year.
    born_on_leap_day = "3171012902000001"
    log = Log()
    log.submitted(
        submitted_at="2000-02-01T09:00:00+07:00",
        applicant__identity={"kind": "NIK", "number": born_on_leap_day},
    )
    field = "applicant.identity.number"
    log.decided(recorded("SUB-1", Outcome.REJECTED, [rc.NIK_FORMAT.at(field)], asked=False))

    [comparison] = what_if(log.records).comparisons

    assert comparison.status is Status.UNCHANGED


def test_the_submission_day_is_the_utc_day():
    sub = submission(submitted_at="2026-11-21T02:00:00+07:00")
    assert submission_day(sub).isoformat() == "2026-11-20"


def test_document_store_reasons_are_taken_as_recorded_and_said_so():
    log = Log()
    log.submitted()
    field = "attachments.power_of_attorney"
    log.decided(
        recorded("SUB-1", Outcome.REJECTED, [rc.POWER_OF_ATTORNEY_NOT_FOUND.at(field)], asked=False)
    )

    report = what_if(log.records)

    [comparison] = report.comparisons
    assert comparison.status is Status.UNCHANGED
    assert comparison.documents_as_given
    assert report.documents_as_given() == 1


def test_officer_decisions_and_decisions_without_their_submission_are_left_out():
    log = Log()
    log.submitted("SUB-1")
    log.all_verified("SUB-1")
    log.decided(recorded("SUB-1", Outcome.APPROVED, decided_by="officer-17"))
    log.decided(recorded("SUB-2", Outcome.APPROVED))

    report = what_if(log.records)

    assert {c.submission_id: c.note for c in report.comparisons} == {
        "SUB-1": OFFICER_DECIDED,
        "SUB-2": NO_SUBMISSION,
    }
    assert report.changed == []


def test_unreadable_records_and_undecided_submissions_are_counted():
    log = Log()
    log.submitted("SUB-1")
    log.add(topics.REGISTRATION_SUBMITTED, "not json")
    log.add(topics.REGISTRATION_DECIDED, '{"submission_id": "SUB-1"}')

    report = what_if(log.records)

    assert report.comparisons == ()
    assert report.undecided == 1
    assert report.unreadable == {
        topics.REGISTRATION_SUBMITTED: 1,
        topics.REGISTRATION_DECIDED: 1,
    }


def test_rules_versions_recorded_and_current_are_reported():
    log = Log()
    log.submitted()
    log.all_verified()
    log.decided(recorded("SUB-1", Outcome.APPROVED))

    report = what_if(log.records)

    assert report.recorded_rules_versions() == {OLD_RULES: 1}
    assert report.current_rules_version == RULES_VERSION
