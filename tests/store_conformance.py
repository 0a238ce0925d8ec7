"""Conformance suite for :class:`gateway.store.RegistrationStore`.

Every implementation (the in-memory fake and the Redis store) inherits these
tests, so the fake cannot drift from what production does.
"""

import uuid

import pytest

from contracts.decision import Outcome
from contracts.verification import AgencyAnswer, Check, CheckOutcome
from gateway.store import PublishedDecision, Timer
from tests.support import IDENTIFIERS_ASKED, agency_answer, assessed, submission


def answer(sid: str, check: Check, outcome=CheckOutcome.VERIFIED, **fields) -> AgencyAnswer:
    return agency_answer(submission_id=sid, check=check, outcome=outcome, **fields)


def opened(sid: str, *checks: Check, **overrides):
    """An application as the gateway opens it: the submission and what it asks, by check."""
    sub = submission(sid, **overrides)
    identifiers = {check: IDENTIFIERS_ASKED[check] for check in checks}
    return sub, assessed(sub).model_copy(update={"identifiers": identifiers})


class StoreConformance:
    """Subclasses provide a ``store`` fixture."""

    @pytest.fixture
    def sid(self) -> str:
        return f"SUB-{uuid.uuid4().hex[:12]}"

    async def test_answers_accumulate_until_complete(self, store, sid):
        await store.open([opened(sid, Check.NIB, Check.NPWP)])
        [first] = await store.record([answer(sid, Check.NIB)])
        assert first is not None and not first.complete
        [second] = await store.record([answer(sid, Check.NPWP)])
        assert second is not None and second.complete and not second.final
        assert second.submission.submission_id == sid
        assert set(second.answers()) == {Check.NIB, Check.NPWP}

    async def test_an_answer_about_another_identifier_neither_completes_nor_replaces(
        self, store, sid
    ):
        await store.open([opened(sid, Check.NIB)])
        [real] = await store.record([answer(sid, Check.NIB)])
        assert real is not None and real.complete
        [stray] = await store.record([answer(sid, Check.NIB, identifier="9999999999999")])
        assert stray is not None
        assert stray.answers()[Check.NIB].identifier == IDENTIFIERS_ASKED[Check.NIB]
        await store.open([opened(f"{sid}-2", Check.NIB)])
        [forged] = await store.record([answer(f"{sid}-2", Check.NIB, identifier="1")])
        assert forged is not None and not forged.complete

    async def test_two_answers_in_one_batch_see_each_other(self, store, sid):
        await store.open([opened(sid, Check.NIB, Check.NPWP)])
        first, second = await store.record([answer(sid, Check.NIB), answer(sid, Check.NPWP)])
        # The last answer of an application in a batch sees every answer; earlier
        # ones may already see later ones (the handler decides once per batch).
        assert first is not None and Check.NIB in first.answers()
        assert second is not None and second.complete

    async def test_reopening_keeps_the_first_submission(self, store, sid):
        await store.open([opened(sid, Check.NIB)])
        await store.open([opened(sid, Check.NIK, organisation__name="Other")])
        [state] = await store.record([answer(sid, Check.NIB)])
        assert state is not None and state.complete
        assert state.submission.organisation.name == "PT Contoh Logistik"

    async def test_answer_for_unknown_submission_is_none(self, store, sid):
        assert await store.record([answer(sid, Check.NIB)]) == [None]

    async def test_redelivered_answer_overwrites(self, store, sid):
        await store.open([opened(sid, Check.NIB)])
        await store.record([answer(sid, Check.NIB, CheckOutcome.UNAVAILABLE)])
        [state] = await store.record([answer(sid, Check.NIB)])
        assert state is not None and state.answers()[Check.NIB].outcome is CheckOutcome.VERIFIED

    async def test_final_decision_is_remembered(self, store, sid):
        await store.open([opened(sid, Check.NIB)])
        assert await store.already_decided([sid]) == set()
        await store.mark_decided([PublishedDecision(sid, Outcome.APPROVED, b'{"ok": 1}')])
        assert await store.already_decided([sid, "SUB-OTHER-" + sid]) == {sid}
        other = "SUB-OTHER-" + sid
        assert await store.final_decisions([sid, other]) == [b'{"ok": 1}', None]
        [state] = await store.record([answer(sid, Check.NIB)])
        assert state is not None and state.final

    async def test_referred_is_remembered_but_not_final(self, store, sid):
        await store.open([opened(sid, Check.NIB)])
        await store.mark_decided([PublishedDecision(sid, Outcome.REFERRED, b"{}")])
        assert await store.already_decided([sid]) == set()
        [state] = await store.load([sid])
        assert state is not None and state.last_outcome is Outcome.REFERRED and not state.final

    async def test_referrals_queue_by_first_deadline_until_a_final_decision(self, store, sid):
        later, sooner = f"{sid}-B", f"{sid}-A"
        await store.open([opened(later, Check.NIB), opened(sooner, Check.NIB)])
        await store.mark_decided(
            [
                PublishedDecision(later, Outcome.REFERRED, b"{}", deadline_at=2.0),
                PublishedDecision(sooner, Outcome.REFERRED, b"{}", deadline_at=1.0),
            ]
        )
        # A second referral (a re-check that still could not decide) keeps the first deadline.
        await store.mark_decided(
            [PublishedDecision(sooner, Outcome.REFERRED, b"{}", deadline_at=9.0)]
        )
        queue = [item for item in await store.referrals(1000) if item[0].startswith(sid)]
        assert queue == [(sooner, 1.0), (later, 2.0)]
        await store.mark_decided(
            [PublishedDecision(sooner, Outcome.APPROVED, b"{}", had_timers=True)]
        )
        assert [s for s, _ in await store.referrals(1000) if s.startswith(sid)] == [later]
        # Leave no referral behind: the queue is shared with whatever else uses this Redis.
        await store.mark_decided(
            [PublishedDecision(later, Outcome.REJECTED, b"{}", had_timers=True)]
        )
        assert not [s for s, _ in await store.referrals(1000) if s.startswith(sid)]

    async def test_rechecks_come_due_are_leased_and_end_with_a_final_decision(self, store, sid):
        await store.open([opened(sid, Check.NIB)])
        await store.schedule(Timer.RECHECK, [(sid, 100.0)])
        await store.schedule(Timer.RECHECK, [(sid, 500.0)])  # a later time does not postpone it
        assert sid not in await store.due(Timer.RECHECK, 99.0, lease_seconds=60, limit=1000)
        assert sid in await store.due(Timer.RECHECK, 100.0, lease_seconds=60, limit=1000)
        assert sid not in await store.due(Timer.RECHECK, 150.0, lease_seconds=60, limit=1000)
        assert sid in await store.due(Timer.RECHECK, 160.0, lease_seconds=60, limit=1000)
        await store.mark_decided([PublishedDecision(sid, Outcome.APPROVED, b"{}", had_timers=True)])
        assert sid not in await store.due(Timer.RECHECK, 10_000.0, lease_seconds=60, limit=1000)

    async def test_load_returns_none_for_unknown(self, store, sid):
        assert await store.load([sid]) == [None]

    async def test_username_claims_are_unique_and_idempotent(self, store, sid):
        name = uuid.uuid4().hex[:6].upper()
        assert await store.claim_username([(name, sid)]) == [True]
        assert await store.claim_username([(name, sid)]) == [True]
        assert await store.claim_username([(name, sid + "-other")]) == [False]

    async def test_timers_are_independent_and_cancellable(self, store, sid):
        await store.schedule(Timer.DEADLINE_WARNING, [(sid, 10.0)])
        await store.schedule(Timer.DEADLINE_OVERDUE, [(sid, 20.0)])
        assert await store.due(Timer.DEADLINE_OVERDUE, 15.0, lease_seconds=60, limit=10) == []
        assert await store.due(Timer.DEADLINE_WARNING, 15.0, lease_seconds=60, limit=10) == [sid]
        await store.cancel(Timer.DEADLINE_WARNING, [sid])
        assert await store.due(Timer.DEADLINE_WARNING, 1e9, lease_seconds=60, limit=10) == []
        assert await store.due(Timer.DEADLINE_OVERDUE, 1e9, lease_seconds=60, limit=10) == [sid]
