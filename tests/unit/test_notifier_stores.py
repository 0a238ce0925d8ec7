"""Conformance suites for the notifier's ports; the in-memory fakes run them here.

``tests/integration/test_notifier_redis_stores.py`` runs the same suites
against the real Redis server, so the fakes cannot drift from production.
"""

import asyncio
import uuid

import pytest

from notifier.store import Claim, Issue, TokenStatus
from notifier.store_memory import MemoryActivationStore, MemoryMailLedger

HOUR_MS = 3_600_000
NOW_MS = 1_800_000_000_000


def username() -> str:
    return uuid.uuid4().hex[:6].upper()


def digest() -> str:
    return uuid.uuid4().hex + uuid.uuid4().hex


class MailLedgerConformance:
    """Subclasses provide a ``ledger`` fixture."""

    @pytest.fixture
    def decision_id(self) -> str:
        return uuid.uuid4().hex

    async def test_first_claim_wins_and_a_second_is_busy(self, ledger, decision_id):
        assert await ledger.claim(decision_id, "a", 60_000) is Claim.CLAIMED
        assert await ledger.claim(decision_id, "b", 60_000) is Claim.BUSY

    async def test_an_owner_may_take_its_own_unreleased_lease_again(self, ledger, decision_id):
        await ledger.claim(decision_id, "a", 60_000)  # say its release then failed
        assert await ledger.claim(decision_id, "a", 60_000) is Claim.CLAIMED
        assert await ledger.claim(decision_id, "b", 60_000) is Claim.BUSY

    async def test_sent_is_final(self, ledger, decision_id):
        await ledger.claim(decision_id, "a", 60_000)
        await ledger.mark_sent(decision_id)
        assert await ledger.claim(decision_id, "b", 60_000) is Claim.SENT
        await ledger.release(decision_id, "a")
        assert await ledger.claim(decision_id, "b", 60_000) is Claim.SENT

    async def test_release_frees_only_the_owners_lease(self, ledger, decision_id):
        await ledger.claim(decision_id, "a", 60_000)
        await ledger.release(decision_id, "b")
        assert await ledger.claim(decision_id, "b", 60_000) is Claim.BUSY
        await ledger.release(decision_id, "a")
        assert await ledger.claim(decision_id, "b", 60_000) is Claim.CLAIMED

    async def test_a_dead_attempts_lease_runs_out(self, ledger, decision_id):
        await ledger.claim(decision_id, "crashed", 50)
        await asyncio.sleep(0.12)
        assert await ledger.claim(decision_id, "b", 60_000) is Claim.CLAIMED


class ActivationStoreConformance:
    """Subclasses provide a ``store`` fixture."""

    async def test_issued_token_is_valid_until_its_expiry(self, store):
        name, token = username(), digest()
        await store.issue(name, "a@example.co.id", token, NOW_MS + HOUR_MS)
        found = await store.check(token, NOW_MS)
        assert (found.status, found.username) == (TokenStatus.VALID, name)
        assert (await store.check(token, NOW_MS + HOUR_MS)).status is TokenStatus.EXPIRED

    async def test_unknown_token(self, store):
        assert (await store.check(digest(), NOW_MS)).status is TokenStatus.UNKNOWN

    async def test_redeem_is_single_use_and_activates(self, store):
        name, token = username(), digest()
        await store.issue(name, "a@example.co.id", token, NOW_MS + HOUR_MS)
        assert (await store.account(name)).activated is False
        assert (await store.redeem(token, NOW_MS, "$argon2id$x")).status is TokenStatus.VALID
        assert (await store.redeem(token, NOW_MS, "$argon2id$y")).status is TokenStatus.USED
        assert (await store.check(token, NOW_MS)).status is TokenStatus.USED
        account = await store.account(name)
        assert account is not None and account.activated

    async def test_expired_token_cannot_be_redeemed(self, store):
        name, token = username(), digest()
        await store.issue(name, "a@example.co.id", token, NOW_MS + HOUR_MS)
        redeemed = await store.redeem(token, NOW_MS + HOUR_MS + 1, "$argon2id$x")
        assert redeemed.status is TokenStatus.EXPIRED
        assert (await store.account(name)).activated is False

    async def test_r19_a_new_token_supersedes_every_older_one(self, store):
        name, first, second, third = username(), digest(), digest(), digest()
        for token in (first, second, third):
            await store.issue(name, "a@example.co.id", token, NOW_MS + HOUR_MS)
        assert (await store.check(first, NOW_MS)).status is TokenStatus.SUPERSEDED
        assert (await store.redeem(second, NOW_MS, "h")).status is TokenStatus.SUPERSEDED
        assert (await store.redeem(third, NOW_MS, "h")).status is TokenStatus.VALID

    async def test_account_keeps_the_email_the_link_was_bound_to(self, store):
        name = username()
        assert await store.account(name) is None
        await store.issue(name, "a@example.co.id", digest(), NOW_MS + HOUR_MS)
        account = await store.account(name)
        assert account is not None
        assert (account.username, account.email) == (name, "a@example.co.id")

    async def test_an_operators_email_change_stops_every_older_link(self, store):
        name, old, new = username(), digest(), digest()
        await store.issue(name, "a@example.co.id", old, NOW_MS + HOUR_MS)
        assert await store.change_email(name, "b@example.co.id")
        assert (await store.check(old, NOW_MS)).status is TokenStatus.SUPERSEDED
        assert await store.issue(name, "b@example.co.id", new, NOW_MS + HOUR_MS) is Issue.ISSUED
        assert (await store.check(new, NOW_MS)).status is TokenStatus.VALID

    async def test_issuing_never_rewrites_the_email_on_file(self, store):
        """Issue 11: a link for another email is refused; the account keeps its email."""
        name, old, forged = username(), digest(), digest()
        await store.issue(name, "a@example.co.id", old, NOW_MS + HOUR_MS)
        refused = await store.issue(name, "attacker@example.com", forged, NOW_MS + HOUR_MS)
        assert refused is Issue.EMAIL_MISMATCH
        account = await store.account(name)
        assert account is not None and account.email == "a@example.co.id"
        assert (await store.check(forged, NOW_MS)).status is TokenStatus.UNKNOWN
        assert (await store.check(old, NOW_MS)).status is TokenStatus.VALID

    async def test_no_link_is_issued_for_an_account_whose_password_is_set(self, store):
        name, first, again = username(), digest(), digest()
        await store.issue(name, "a@example.co.id", first, NOW_MS + HOUR_MS)
        assert (await store.redeem(first, NOW_MS, "argon2-hash")).status is TokenStatus.VALID
        refused = await store.issue(name, "a@example.co.id", again, NOW_MS + HOUR_MS)
        assert refused is Issue.ACTIVE
        assert (await store.check(again, NOW_MS)).status is TokenStatus.UNKNOWN

    async def test_a_submission_leads_to_its_account_and_its_current_email(self, store):
        name, sid = username(), f"SUB-{digest()[:12]}"
        assert await store.account_of_submission(sid) is None
        await store.link_submission(sid, name)
        assert await store.account_of_submission(sid) is None  # no approval email yet
        await store.issue(name, "a@example.co.id", digest(), NOW_MS + HOUR_MS)
        await store.link_submission(sid, name)  # a redelivered approval
        found = await store.account_of_submission(sid)
        assert found is not None and (found.username, found.email) == (name, "a@example.co.id")
        assert await store.change_email(name, "b@example.co.id")
        found = await store.account_of_submission(sid)
        assert found is not None and found.email == "b@example.co.id"
        assert await store.account_of_submission(f"{sid}-OTHER") is None

    async def test_changing_the_email_of_no_account_is_refused(self, store):
        assert not await store.change_email(username(), "b@example.co.id")


class TestMemoryMailLedger(MailLedgerConformance):
    @pytest.fixture
    def ledger(self):
        return MemoryMailLedger()


class TestMemoryActivationStore(ActivationStoreConformance):
    @pytest.fixture
    def store(self):
        return MemoryActivationStore()
