"""``GET /applications/{id}``: rate limited, officer token, RFC 9457 problems, never a 500."""

import time
from datetime import UTC, date, datetime
from types import SimpleNamespace

import jwt
import pytest
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric import rsa

from contracts import xml_messages as m
from contracts.customs import CustomsApplicationStatus
from customs import events as ev
from customs.callers import OfficerTokens
from customs.http import STATUS_LIMIT, make_app
from customs.reading import Notice
from customs.record import advance
from customs.store import MemoryCustomsStore
from runtime.rate_limit import RateLimits

ISSUER = "https://id.insw.test"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
SID = "SUB-HTTP-1"


class _Keys:
    """The provider's key set, as PyJWKClient answers it."""

    def get_signing_key_from_jwt(self, token: str) -> SimpleNamespace:
        return SimpleNamespace(key=KEY.public_key())


def token(roles=("officer",), key=KEY, **claims) -> str:
    now = int(time.time())
    body = {"sub": "officer-0001", "iss": ISSUER, "aud": "insw-officer-desk", "iat": now}
    body |= {"exp": now + 300, "roles": list(roles), **claims}
    return jwt.encode(body, key, algorithm="RS256")


class _BrokenStore(MemoryCustomsStore):
    async def load(self, submission_ids):
        raise ConnectionError("redis down")


async def client(store=None, *, tokens=True, limit="100/minute") -> TestClient:
    if store is None:
        store = MemoryCustomsStore()
        notice = Notice(
            m.PROOF_OF_ENTRY,
            "CEISA-POE-1",
            ev.EntryProved(date(2026, 3, 2), stated_due=date(2026, 3, 16)),
            submission_id=SID,
            activities=frozenset({"IMPORTIR"}),
        )
        record = advance(None, notice, datetime(2026, 3, 2, tzinfo=UTC))
        await store.save([record], [])
    app = make_app(
        store,
        tokens=OfficerTokens(ISSUER, _Keys()) if tokens else None,  # type: ignore[arg-type]
        limits=RateLimits.in_memory({STATUS_LIMIT: limit}),
    )
    test_client = TestClient(TestServer(app))
    await test_client.start_server()
    return test_client


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


async def test_an_officer_reads_the_status_view_with_next_action_and_due_dates():
    async with await client() as http:
        answer = await http.get(f"/applications/{SID}", headers=bearer(token()))
        assert answer.status == 200
        status = CustomsApplicationStatus.model_validate(await answer.json())
    assert status.stage == "ENTERED" and status.next_action.code == "DELIVER_SUPPORTING_DOCUMENTS"
    assert status.next_action.due_on == date(2026, 3, 16)
    assert status.due_dates["C3"].ceisa == date(2026, 3, 16)
    assert [s.message for s in status.steps] == ["proof-of-entry"]


async def test_an_integrator_reads_the_status_it_may_already_read_on_kafka():
    async with await client() as http:
        answer = await http.get(f"/applications/{SID}", headers=bearer(token(("integrator",))))
        assert answer.status == 200
        assert CustomsApplicationStatus.model_validate(await answer.json()).submission_id == SID


async def _problem(answer, status: int, rule: str) -> dict:
    assert answer.status == status
    assert answer.content_type == "application/problem+json"
    body: dict = await answer.json()
    assert body["rule"] == rule and body["status"] == status
    return body


@pytest.mark.parametrize(
    ("headers", "status", "rule"),
    [
        (lambda: {}, 401, "TOKEN_MISSING"),
        (lambda: {"Authorization": "Basic b2ZmaWNlcjpwdw=="}, 401, "TOKEN_MISSING"),
        (lambda: bearer("not.a.jwt"), 401, "TOKEN_INVALID"),
        (lambda: bearer(token(key=OTHER_KEY)), 401, "TOKEN_INVALID"),
        (lambda: bearer(token(exp=int(time.time()) - 3600)), 401, "TOKEN_INVALID"),
        (lambda: bearer(token(iss="https://elsewhere")), 401, "TOKEN_INVALID"),
        (lambda: bearer(token(roles=("auditor",))), 403, "ROLE_MISSING"),
    ],
    # Built when the test runs, not at collection: a token minted at collection
    # expires before a long suite reaches the test.
    ids=["none", "basic", "garbage", "other-key", "expired", "other-issuer", "no-role"],
)
async def test_callers_without_a_valid_officer_token_get_a_problem_and_no_status(
    headers, status, rule
):
    async with await client() as http:
        answer = await http.get(f"/applications/{SID}", headers=headers())
        body = await _problem(answer, status, rule)
    assert SID not in str(body) and "stage" not in body


async def test_the_first_path_of_the_view_is_held_to_the_same_rules():
    """``/customs/applications/{id}`` once answered anyone on the internal network."""
    async with await client() as http:
        anonymous = await http.get(f"/customs/applications/{SID}")
        body = await _problem(anonymous, 401, "TOKEN_MISSING")
        assert SID not in str(body)
        officer = await http.get(f"/customs/applications/{SID}", headers=bearer(token()))
        assert officer.status == 200
        served = CustomsApplicationStatus.model_validate(await officer.json())
        public = await http.get(f"/applications/{SID}", headers=bearer(token()))
        assert served == CustomsApplicationStatus.model_validate(await public.json())


async def test_an_unsigned_token_is_refused():
    unsigned = jwt.encode({"sub": "x", "roles": ["officer"]}, key="", algorithm="none")
    async with await client() as http:
        await _problem(
            await http.get(f"/applications/{SID}", headers=bearer(unsigned)), 401, "TOKEN_INVALID"
        )


async def test_unknown_and_malformed_ids_are_problems_naming_the_field():
    async with await client() as http:
        unknown = await _problem(
            await http.get("/applications/SUB-NEVER", headers=bearer(token())),
            404,
            "UNKNOWN_APPLICATION",
        )
        assert unknown["detail"].startswith("submission_id")
        malformed = await _problem(
            await http.get("/applications/" + "x" * 65, headers=bearer(token())),
            422,
            "SUBMISSION_ID_INVALID",
        )
        assert malformed["detail"].startswith("submission_id")


async def test_callers_are_rate_limited_before_their_token_is_looked_at():
    async with await client(limit="2/minute") as http:
        for _ in range(2):
            assert (await http.get(f"/applications/{SID}")).status == 401
        answer = await http.get(f"/applications/{SID}", headers=bearer(token()))
        await _problem(answer, 429, "RATE_LIMITED")
        assert int(answer.headers["Retry-After"]) >= 1


async def test_a_failing_store_is_a_503_problem_never_a_500():
    async with await client(_BrokenStore()) as http:
        answer = await http.get(f"/applications/{SID}", headers=bearer(token()))
        body = await _problem(answer, 503, "UNAVAILABLE")
    assert "redis" not in str(body)


async def test_without_an_identity_provider_the_view_fails_closed():
    async with await client(tokens=False) as http:
        answer = await http.get(f"/applications/{SID}", headers=bearer(token()))
        await _problem(answer, 503, "AUTH_NOT_CONFIGURED")
