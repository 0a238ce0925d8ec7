"""Issue 12: what the hub's stores keep in Redis holds no personal data in clear.

Each probe writes an applicant's name, NIK, email and username through a
store, then reads every key and value Redis holds under that store's prefix,
as anyone with a dump of the server would. Before issue 12 each of these
found the data in clear.
"""

import uuid
from urllib.parse import urlsplit

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from contracts.decision import Outcome
from contracts.verification import Check, CheckOutcome
from gateway.store import PublishedDecision
from gateway.store_redis import RedisRegistrationStore
from notifier.store_redis import RedisActivationStore
from runtime.at_rest import AtRest
from runtime.documents import RedisDocumentStore
from runtime.sealing import SealBroken, new_key
from tests.redis_dump import dump, leaks
from tests.store_conformance import opened
from tests.support import agency_answer

NAME, NIK, EMAIL = "Ir. Budi Santoso, S.E.", "3171011708850001", "budi@example.co.id"


@pytest.fixture
async def client(redis_url):
    redis = Redis.from_url(redis_url)
    yield redis
    await redis.aclose()


def ring(*keys: str) -> AtRest:
    return AtRest(list(keys) or [new_key()], b"index-key")


async def test_gateway_applications_answers_decisions_and_usernames_are_sealed(client):
    sid = f"SUB-{uuid.uuid4().hex[:10]}"
    username = uuid.uuid4().hex[:6].upper()
    store = RedisRegistrationStore(client, ring())
    await store.open([opened(sid, Check.NIK)])
    answer = agency_answer(
        submission_id=sid,
        check=Check.NIK,
        outcome=CheckOutcome.VERIFIED,
        detail=NAME,  # stands in for agency records naming people
    )
    [pending] = await store.record([answer])
    assert pending is not None and NIK in pending.submission_json.decode()
    await store.claim_username([(username, sid)])
    decision = f'{{"registration": {{"applicant": "{NAME}"}}, "username": "{username}"}}'
    await store.mark_decided(
        [PublishedDecision(sid, Outcome.APPROVED, decision.encode(), stored=True)]
    )
    dumped = {k: v for k, v in (await dump(client, "insw:gw:*")).items() if sid in k or sid in v}
    assert len(dumped) >= 3
    username_keys = [k for k in (await dump(client, "insw:gw:username:*")) if username in k]
    assert username_keys == []
    assert leaks(dumped, {NAME, NIK, EMAIL, username}) == set()


async def test_a_rotated_key_ring_still_opens_what_the_old_key_sealed(client):
    old, new = new_key(), new_key()
    sid = f"SUB-{uuid.uuid4().hex[:10]}"
    await RedisRegistrationStore(client, ring(old)).open([opened(sid)])
    [pending] = await RedisRegistrationStore(client, ring(new, old)).load([sid])
    assert pending is not None and NAME in pending.submission_json.decode()
    with pytest.raises(SealBroken):
        await RedisRegistrationStore(client, ring(new)).load([sid])


async def test_documents_keep_their_digest_but_not_their_content_in_clear(client):
    document_id = f"DOC-{uuid.uuid4().hex}"
    content = f"%PDF-1.7 Surat Kuasa {NAME} NIK {NIK}\n%%EOF\n".encode()
    store = RedisDocumentStore(client, ring())
    stored = await store.put(document_id, content, "application/pdf")
    assert leaks(await dump(client, f"insw:doc:{document_id}"), {NAME, NIK}) == set()
    assert await store.describe([document_id]) == [stored]
    assert await store.content(document_id) == content


async def test_notifier_accounts_and_tokens_name_no_username_or_email(client):
    username, token = uuid.uuid4().hex[:6].upper(), uuid.uuid4().hex * 2
    store = RedisActivationStore(client, ring())
    await store.issue(username, EMAIL, token, 1_900_000_000_000)
    dumped = await dump(client, "insw:notifier:*")
    assert leaks(dumped, {EMAIL, username}) == set()
    account = await store.account(username)
    assert account is not None and (account.username, account.email) == (username, EMAIL)
    check = await store.check(token, 1_800_000_000_000)
    assert (check.status.value, check.username) == ("VALID", username)


async def test_devstack_redis_refuses_a_client_without_the_acl_password(infrastructure):
    """Issue 12: Redis ran without a password; now only the ``hub`` ACL user gets in.

    A Redis given by ``REDIS_URL`` is held to the same rule: the hub's data needs it.
    """
    parts = urlsplit(infrastructure.redis_url)
    anonymous = Redis.from_url(f"redis://{parts.hostname}:{parts.port}/0")
    wrong = Redis.from_url(f"redis://hub:wrong@{parts.hostname}:{parts.port}/0")
    try:
        for client in (anonymous, wrong):
            with pytest.raises(RedisError, match=r"(?i)auth|password"):
                await client.set("insw:probe", "x")
    finally:
        await anonymous.aclose()
        await wrong.aclose()
