"""Unit tests of the officer desk's small parts: bearer parsing, roles, the rate limit,
the application page's view of a referral, and the console's CSRF tokens."""

from datetime import UTC, datetime

import pytest

from contracts import topics
from contracts.audit import AuditEvent, AuditKind
from contracts.decision import Outcome, RuleStatus
from contracts.referral import OfficerAuditKind
from gateway.console import pages, session
from gateway.console.audit import KafkaAudit
from gateway.officer_auth import AuthRefused, Officer, bearer
from gateway.ratelimit import RateLimit
from gateway.store import PublishedDecision
from gateway.store_memory import MemoryRegistrationStore
from tests.support import assessed, submission


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc.def.ghi", "abc.def.ghi"),
        ("bearer abc", "abc"),
        ("Basic dXNlcjpwYXNz", None),
        ("Bearer ", None),
        (None, None),
        ("", None),
    ],
)
def test_only_a_bearer_header_carries_a_token(header, token):
    assert bearer(header) == token


def test_a_role_the_token_lacks_is_refused_with_403():
    officer = Officer("officer-0001", frozenset({"officer"}))
    assert officer.require("officer") is officer
    with pytest.raises(AuthRefused) as refused:
        officer.require("supervisor")
    assert (refused.value.status, refused.value.rule) == (403, "ROLE_MISSING")


def test_the_rate_limit_allows_a_burst_then_refills_per_second():
    now = [0.0]
    limit = RateLimit(per_second=2, burst=3, clock=lambda: now[0])
    assert [limit.allow("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limit.allow("a") == pytest.approx(0.5)
    assert limit.allow("b") == 0.0  # per caller
    now[0] = 0.5
    assert limit.allow("a") == 0.0
    assert limit.allow("a") > 0


async def test_r13_the_application_page_shows_the_clock_and_r13_undecided():
    store = MemoryRegistrationStore()
    sub = submission("SUB-PAGE")
    await store.open([(sub, assessed(sub))])
    now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    deadline = now.timestamp() - 90
    await store.mark_decided(
        [PublishedDecision("SUB-PAGE", Outcome.REFERRED, b"{}", deadline_at=deadline)]
    )
    [state] = await store.load(["SUB-PAGE"])
    assert state is not None
    page = pages.application_page(state, now)
    assert page.referral is not None and page.referral.overdue
    assert pages.clock_text(page.referral.seconds_left) == "0 h 01 m"
    assert {line.spec.rule: line.status for line in page.rules}["R13"] is RuleStatus.UNDECIDED
    assert page.outcome == "REFERRED" and not page.final


def test_rejection_reasons_are_catalogue_codes_of_decision_rules_only():
    codes = {code.code: code.rule for code in pages.rejection_reasons()}
    assert "POWER_OF_ATTORNEY_REFERENCE" in codes
    assert "OFFICER_DECISION" not in codes  # added by the desk itself
    assert "PASSWORD_TOO_SHORT" not in codes  # R18 is settled by the account service


def test_csrf_tokens_belong_to_one_session():
    token = session.csrf_token("session-a")
    assert session.csrf_ok("session-a", token)
    assert not session.csrf_ok("session-b", token)
    assert not session.csrf_ok("session-a", None)


async def test_an_audited_view_is_published_naming_actor_and_submission_only():
    published: list = []

    async def publish(records):
        published.extend(records)

    at = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    await KafkaAudit(publish, clock=lambda: at).record(
        OfficerAuditKind.VIEWED_APPLICATION, "officer-0001", "SUB-9"
    )
    [record] = published
    assert record.topic == topics.AUDIT
    event = AuditEvent.model_validate_json(record.value or b"")
    assert (event.kind, event.actor, event.subject, event.at, event.details) == (
        AuditKind.OFFICER_VIEW,
        "officer-0001",
        "SUB-9",
        at,
        {"action": "VIEWED_APPLICATION"},
    )
