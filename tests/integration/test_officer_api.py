"""The officers' HTTP endpoint over real HTTP, with tokens of a real (local) identity provider.

Issue 11 part 5: a bearer JWT verified against the provider's JWKS, role
``officer`` to decide, the officer id from the token's subject, JSON only,
RFC 9457 problems naming the rule, a rate limit, and the referral queue with
its 24-hour clock.
"""

from datetime import UTC, datetime

import pytest

from contracts import topics
from contracts.decision import Outcome
from contracts.referral import ManualDecision
from gateway.store import PublishedDecision
from gateway.store_memory import MemoryRegistrationStore
from tests.officer_support import auth, forged_token, problem_of, running_officer_api
from tests.support import assessed, submission

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DECISION = {"outcome": "APPROVED", "note": "Akta yayasan diperiksa", "reason_codes": []}


async def referred(store: MemoryRegistrationStore, sid: str, deadline: float) -> None:
    sub = submission(sid)
    await store.open([(sub, assessed(sub))])
    await store.mark_decided(
        [PublishedDecision(sid, Outcome.REFERRED, b"{}", deadline_at=deadline)]
    )


@pytest.fixture
async def desk():
    published: list = []

    async def publish(records):
        published.extend(records)

    store = MemoryRegistrationStore()
    async with running_officer_api(publish, store, NOW) as (base, http, tokens, provider):
        yield base, http, published, store, tokens, provider


async def test_without_a_token_nothing_is_decided_and_the_problem_names_the_rule(desk):
    base, http, published, store, _, _ = desk
    await referred(store, "SUB-NOAUTH", NOW.timestamp() + 3600)
    async with http.post(f"{base}/referrals/SUB-NOAUTH/decision", json=DECISION) as response:
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert (await problem_of(response))["rule"] == "TOKEN_MISSING"
    async with http.get(f"{base}/referrals") as response:
        assert response.status == 401
    assert published == []


async def test_a_token_without_the_officer_role_is_forbidden(desk):
    base, http, published, store, tokens, _ = desk
    await referred(store, "SUB-ROLE", NOW.timestamp() + 3600)
    url = f"{base}/referrals/SUB-ROLE/decision"
    async with http.post(url, json=DECISION, headers=auth(tokens["citra"])) as response:
        assert response.status == 403
        assert (await problem_of(response))["rule"] == "ROLE_MISSING"
    assert published == []


async def test_r13_a_valid_officer_decides_and_the_decision_names_the_tokens_subject(desk):
    base, http, published, store, tokens, _ = desk
    await referred(store, "SUB-42", NOW.timestamp() + 3600)
    url = f"{base}/referrals/SUB-42/decision"
    async with http.post(url, json=DECISION, headers=auth(tokens["ayu"])) as response:
        assert response.status == 202
        assert await response.json() == {
            "submission_id": "SUB-42",
            "status": "accepted",
            "decided_by": "officer-0001",
        }
    [record] = published
    assert record.topic == topics.MANUAL_DECISION and record.key == b"SUB-42"
    assert ManualDecision.model_validate_json(record.value or b"").officer_id == "officer-0001"


async def test_officer_id_in_the_body_is_refused_not_trusted(desk):
    base, http, published, store, tokens, _ = desk
    await referred(store, "SUB-SPOOF", NOW.timestamp() + 3600)
    body = {**DECISION, "officer_id": "officer-9999"}
    url = f"{base}/referrals/SUB-SPOOF/decision"
    async with http.post(url, json=body, headers=auth(tokens["ayu"])) as response:
        assert response.status == 422
        problem = await problem_of(response)
    assert problem["rule"] == "FIELD_NOT_ALLOWED" and "officer_id" in problem["detail"]
    assert published == []


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("text/plain", '{"outcome": "APPROVED", "note": "x"}'),
        ("application/x-www-form-urlencoded", "outcome=APPROVED&note=x"),
        ("multipart/form-data; boundary=x", "--x--"),
    ],
)
async def test_only_json_is_accepted_so_a_foreign_page_cannot_post_a_decision(
    desk, content_type, data
):
    base, http, published, store, tokens, _ = desk
    await referred(store, "SUB-CSRF", NOW.timestamp() + 3600)
    headers = {**auth(tokens["ayu"]), "Content-Type": content_type}
    async with http.post(f"{base}/referrals/SUB-CSRF/decision", data=data, headers=headers) as r:
        assert r.status == 415
        assert (await problem_of(r))["rule"] == "JSON_ONLY"
    assert published == []


async def test_a_token_signed_by_another_key_is_invalid(desk):
    base, http, published, store, _, provider = desk
    await referred(store, "SUB-FORGED", NOW.timestamp() + 3600)
    forged = forged_token(provider)  # same issuer name and key id, another key
    url = f"{base}/referrals/SUB-FORGED/decision"
    async with http.post(url, json=DECISION, headers=auth(forged)) as response:
        assert response.status == 401
        assert (await problem_of(response))["rule"] == "TOKEN_INVALID"
    assert published == []


async def test_only_referred_applications_can_be_decided(desk):
    base, http, published, store, tokens, _ = desk
    sub = submission("SUB-OPEN")
    await store.open([(sub, assessed(sub))])
    for sid, status, rule in [
        ("SUB-OPEN", 409, "NOT_REFERRED"),
        ("SUB-NONE", 404, "UNKNOWN_APPLICATION"),
    ]:
        url = f"{base}/referrals/{sid}/decision"
        async with http.post(url, json=DECISION, headers=auth(tokens["ayu"])) as response:
            assert response.status == status
            assert (await problem_of(response))["rule"] == rule
    assert published == []


async def test_bad_fields_are_named_without_echoing_input(desk):
    base, http, published, store, tokens, _ = desk
    await referred(store, "SUB-BAD", NOW.timestamp() + 3600)
    body = {"outcome": "MAYBE", "note": "", "reason_codes": []}
    url = f"{base}/referrals/SUB-BAD/decision"
    async with http.post(url, json=body, headers=auth(tokens["ayu"])) as response:
        assert response.status == 422
        detail = (await problem_of(response))["detail"]
    assert "outcome: literal_error" in detail and "note: string_too_short" in detail
    assert "MAYBE" not in detail
    assert published == []


async def test_r13_the_queue_shows_each_referrals_24_hour_clock_soonest_first(desk):
    base, http, _, store, tokens, _ = desk
    await referred(store, "SUB-LATER", NOW.timestamp() + 5 * 3600)
    await referred(store, "SUB-OVERDUE", NOW.timestamp() - 600)
    async with http.get(f"{base}/referrals", headers=auth(tokens["ayu"])) as response:
        assert response.status == 200
        queue = (await response.json())["referrals"]
    assert [(r["submission_id"], r["seconds_left"], r["overdue"]) for r in queue] == [
        ("SUB-OVERDUE", -600, True),
        ("SUB-LATER", 5 * 3600, False),
    ]


async def test_a_caller_past_the_rate_limit_gets_429_with_retry_after(desk):
    base, http, _, _, _, _ = desk
    statuses = []
    for _ in range(45):
        async with http.get(f"{base}/referrals") as response:
            statuses.append(response.status)
            if response.status == 429:
                assert response.headers["Retry-After"].isdigit()
                assert (await problem_of(response))["rule"] == "RATE_LIMITED"
    assert statuses[0] == 401 and statuses[-1] == 429
