"""The fault suite's ledger counts losses and duplicates, and a clean run adds up to zero.

Each case spoils a clean run in one way and checks that exactly that shows:
a ledger that cannot see a duplicate or a loss would let every fault pass.
"""

from email.message import EmailMessage
from typing import Any

import pytest

from faults.ledger import DeadLetter, Decision, Mail, Observation, tally
from faults.observe import dead_letter_from, decision_from, mail_from
from faults.report import BEGIN, END, merge

IDS = ("S-1", "S-2", "S-3")
GROUPS = {"insw-gateway": 0, "insw-notifier": 0}


def approved(sid: str) -> Decision:
    return Decision(sid, f"D-{sid}-APPROVED", "APPROVED")


def mail(sid: str, outcome: str = "APPROVED") -> Mail:
    return Mail(f"D-{sid}-{outcome}", f"<decision.D-{sid}-{outcome}@insw.go.id>")


def clean(**changes) -> Observation:
    """Three approvals, each with one customs message and one email, nothing lagging."""
    base: dict[str, Any] = {
        "submitted": frozenset(IDS),
        "decisions": [approved(s) for s in IDS],
        "customs_keys": list(IDS),
        "mails": [mail(s) for s in IDS],
        "dead_letters": [],
        "lag": dict(GROUPS),
    }
    base.update(changes)
    return Observation(**base)


def test_a_clean_run_adds_up_and_breaks_nothing():
    ledger = tally(clean())
    assert (ledger.submitted, ledger.decided, ledger.approved) == (3, 3, 3)
    assert ledger.lost == ()
    assert ledger.duplicate_decisions == ledger.duplicate_emails == ledger.duplicate_customs == 0
    assert ledger.approvals_without_one_customs == ledger.approvals_without_one_email == 0
    assert ledger.lag_total == 0
    assert ledger.recovered
    assert ledger.violations() == []


def test_a_submission_without_a_decision_is_lost():
    ledger = tally(clean(decisions=[approved("S-1"), approved("S-2")]))
    assert ledger.lost == ("S-3",)
    assert ledger.decided == 2
    assert not ledger.recovered
    assert any("lost" in v for v in ledger.violations())


def test_a_referred_submission_is_not_decided_yet():
    decisions = [approved("S-1"), approved("S-2"), Decision("S-3", "D-S-3-REFERRED", "REFERRED")]
    ledger = tally(clean(decisions=decisions))
    assert ledger.lost == ("S-3",)


def test_the_same_decision_published_twice_is_a_duplicate():
    ledger = tally(clean(decisions=[*map(approved, IDS), approved("S-2")]))
    assert ledger.duplicate_decisions == 1
    assert ledger.decided == 3
    assert any("duplicate decision" in v for v in ledger.violations())


def test_two_final_outcomes_for_one_submission_are_a_duplicate():
    rejected = Decision("S-1", "D-S-1-REJECTED", "REJECTED")
    ledger = tally(clean(decisions=[*map(approved, IDS), rejected]))
    assert ledger.duplicate_decisions == 1
    assert ledger.rejected == 1


def test_referred_then_approved_is_the_normal_outage_story_not_a_duplicate():
    referred = Decision("S-1", "D-S-1-REFERRED", "REFERRED")
    ledger = tally(clean(decisions=[referred, *map(approved, IDS)]))
    assert ledger.duplicate_decisions == 0
    assert ledger.violations() == []


def test_a_referral_published_twice_is_a_duplicate():
    referred = Decision("S-1", "D-S-1-REFERRED", "REFERRED")
    ledger = tally(clean(decisions=[referred, referred, *map(approved, IDS)]))
    assert ledger.duplicate_decisions == 1


def test_a_second_mail_for_one_decision_is_a_duplicate_and_the_approval_had_two():
    ledger = tally(clean(mails=[*map(mail, IDS), mail("S-3")]))
    assert ledger.duplicate_emails == 1
    assert ledger.approvals_without_one_email == 1
    assert any("duplicate email" in v for v in ledger.violations())


def test_an_approval_without_mail_is_counted():
    ledger = tally(clean(mails=[mail("S-1"), mail("S-2")]))
    assert ledger.duplicate_emails == 0
    assert ledger.approvals_without_one_email == 1
    assert any("without exactly one email" in v for v in ledger.violations())


def test_mail_of_other_runs_and_mail_without_a_decision_do_not_count():
    others = [Mail("D-OTHER-APPROVED", "<x@y>"), Mail(None, "<link@y>")] * 2
    assert tally(clean(mails=[*map(mail, IDS), *others])).violations() == []


def test_a_second_customs_message_is_a_duplicate_and_a_missing_one_is_counted():
    twice = tally(clean(customs_keys=[*IDS, "S-1"]))
    assert twice.duplicate_customs == 1
    assert twice.approvals_without_one_customs == 1
    missing = tally(clean(customs_keys=["S-1", "S-2"]))
    assert missing.duplicate_customs == 0
    assert missing.approvals_without_one_customs == 1
    assert missing.violations()


def test_a_dead_lettered_submission_is_listed_and_not_lost():
    dead = DeadLetter(
        "insw.verification.completed.v1.dlq",
        "S-3",
        {"__connect.errors.exception.message": "no application waiting"},
    )
    ledger = tally(
        clean(
            decisions=[approved("S-1"), approved("S-2")],
            customs_keys=["S-1", "S-2"],
            mails=[mail("S-1"), mail("S-2")],
            dead_letters=[dead],
        )
    )
    assert ledger.lost == ()
    assert ledger.dead_letters == (dead,)
    assert ledger.dead_lettered_undecided == 1
    assert ledger.violations() == []


def test_lag_left_after_settling_or_unknown_breaks_the_ledger():
    lagging = tally(clean(lag={"insw-gateway": 0, "insw-notifier": 7}))
    assert lagging.lag_total == 7
    assert not lagging.recovered
    assert lagging.violations() == ["consumer lag after settling: insw-notifier=7"]
    unknown = tally(clean(lag=None))
    assert unknown.lag_total is None
    assert not unknown.recovered
    assert unknown.violations() == ["consumer lag could not be read"]


def test_an_approvable_registration_rejected_is_a_violation():
    decisions = [approved("S-1"), approved("S-2"), Decision("S-3", "D-S-3-REJECTED", "REJECTED")]
    ledger = tally(clean(decisions=decisions, customs_keys=["S-1", "S-2"]))
    assert ledger.lost == ()
    assert ledger.rejected == 1
    assert any("rejected" in v for v in ledger.violations())


def test_records_of_other_submissions_are_ignored():
    foreign = [approved("X-9"), approved("X-9")]
    ledger = tally(clean(decisions=[*map(approved, IDS), *foreign], customs_keys=[*IDS, "X-9"]))
    assert ledger.violations() == []


def test_decision_records_and_dead_letters_are_read_from_their_bytes():
    value = b'{"submission_id": "S-1", "decision_id": "D-1", "outcome": "APPROVED", "x": 1}'
    assert decision_from(value) == Decision("S-1", "D-1", "APPROVED")
    assert decision_from(b"not json") is None
    dead = dead_letter_from(
        "t.dlq",
        b"S-2",
        [("insw-message-id", b"m"), ("__connect.errors.exception.message", b"why")],
    )
    assert dead == DeadLetter("t.dlq", "S-2", {"__connect.errors.exception.message": "why"})


def test_a_filed_mail_is_known_by_its_decision_header():
    message = EmailMessage()
    message["Message-ID"] = "<decision.D-1@insw.go.id>"
    message["X-INSW-Decision-Id"] = "D-1"
    message.set_content("Registrasi Anda telah disetujui.")
    assert mail_from(message.as_bytes()) == Mail("D-1", "<decision.D-1@insw.go.id>")


@pytest.mark.parametrize("existing", ["", "# Reliability\n\nProse.\n"])
def test_the_report_keeps_other_faults_and_the_prose_around_its_section(existing):
    def fault(name: str, text: str) -> dict[str, str]:
        return {name: f"<!-- fault:{name} -->\n{text}\n<!-- /fault:{name} -->\n"}

    first = merge(existing, fault("a", "A1"), ["a", "b"])
    second = merge(first, fault("b", "B1"), ["a", "b"])
    third = merge(second + "\nMore prose.\n", fault("a", "A2"), ["a", "b"])
    assert third.count(BEGIN) == third.count(END) == 1
    assert "A2" in third and "A1" not in third and "B1" in third
    assert third.index("A2") < third.index("B1")
    assert third.rstrip().endswith("More prose.")
    if existing:
        assert third.startswith("# Reliability\n\nProse.\n")


def test_the_overview_row_is_read_back_from_a_fault_block():
    from datetime import UTC, datetime
    from pathlib import Path

    from faults.report import block, overview
    from faults.run import Result

    broken = tally(clean(decisions=[*map(approved, IDS), approved("S-2")]))
    result = Result(
        name="gateway-kill",
        title="kill -9 the gateway",
        registrations=3,
        started_at=datetime(2026, 11, 21, tzinfo=UTC),
        ledger=broken,
        recovered_after_s=12.34,
        wall_seconds=60.0,
        log_dir=Path("/tmp/logs"),
        load_average="1.00, 1.00, 1.00",
    )
    text = block(result, "2 cores", "abc1234")
    assert "Verdict: **FAIL**: 1 duplicate decision event(s)" in text
    row = overview({"gateway-kill": text}, ["gateway-kill"]).splitlines()[-1]
    assert row == "| gateway-kill | 3 | 0 | 1 | 0 | 0 | 0 | 0 | 12.3 s | FAIL |"
