"""bench.payloads: benchmark registrations are valid, fresh, and not overdue on arrival."""

from datetime import UTC, datetime, timedelta

from bench.payloads import WIB, submissions, submitted_now
from contracts.registration import RegistrationSubmitted
from gateway.decisions import REFERRAL_WARNING_LEAD, promise_deadline


def test_a_benchmark_registration_is_submitted_now_so_no_deadline_timer_is_due():
    before = datetime.now(WIB).replace(microsecond=0)
    [first, second] = submissions("RUN", "FULL", 2)
    for record in (first, second):
        submission = RegistrationSubmitted.model_validate_json(record.value)
        assert before <= submission.submitted_at <= datetime.now(WIB)
        # The deadline watcher's first timer (the warning) is almost a day away.
        warning_at = promise_deadline(submission) - REFERRAL_WARNING_LEAD
        assert warning_at - datetime.now(WIB) > timedelta(hours=19)
    assert first.submission_id == "BENCH-RUN-FULL-000000"


def test_consent_is_given_when_the_registration_is_submitted():
    [record] = submissions("RUN", "FULL", 1, submitted_at="2026-12-01T10:00:00+07:00")
    submission = RegistrationSubmitted.model_validate_json(record.value)
    assert submission.submitted_at.isoformat() == "2026-12-01T10:00:00+07:00"
    assert submission.consent.accepted_at == submission.submitted_at


def test_now_is_stamped_in_western_indonesia_time_to_the_second():
    stamp = submitted_now(datetime(2026, 12, 1, 3, 0, 0, 123456, tzinfo=UTC))
    assert stamp == "2026-12-01T10:00:00+07:00"
