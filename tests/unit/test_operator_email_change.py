"""Issue 11: changing an account's email is an operator's authenticated, audited action."""

from datetime import timedelta

from aiohttp.test_utils import TestClient, TestServer

from contracts import topics
from contracts.audit import AuditEvent, AuditKind
from notifier.accounts import Accounts
from notifier.endpoints import OperatorDesk, make_app
from notifier.mailer import MemoryMailer
from notifier.resend import PER_CLIENT, PER_USERNAME
from notifier.store_memory import MemoryActivationStore
from notifier.tokens import Tokens
from runtime.rate_limit import RateLimits
from runtime.records import Outbound

TOKEN = "operator-token-for-this-test-only"


def no_limits() -> RateLimits:
    return RateLimits.in_memory({PER_USERNAME: "100/hour", PER_CLIENT: "100/hour"})


async def client_for(store: MemoryActivationStore, published: list[Outbound]) -> TestClient:
    async def publish(records):
        published.extend(records)

    tokens = Tokens(store, base_url="https://insw.example", ttl=timedelta(hours=1))
    accounts = Accounts(tokens, store, MemoryMailer(), sender="noreply@insw.go.id")
    app = make_app(accounts, no_limits(), OperatorDesk(TOKEN, store, publish))
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def test_only_an_authenticated_operator_changes_the_email_and_it_is_audited_first():
    store, published = MemoryActivationStore(), list[Outbound]()
    await store.issue("4C7ADA", "budi@example.co.id", "h" * 64, 10**15)
    client = await client_for(store, published)
    path = "/operator/accounts/4C7ADA/email"
    body = {"email": "budi.baru@example.co.id", "operator_id": "ops-3"}
    try:
        anonymous = await client.post(path, json=body)
        wrong = await client.post(path, json=body, headers={"Authorization": "Bearer nope"})
        form = await client.post(path, data=body, headers={"Authorization": f"Bearer {TOKEN}"})
        assert (anonymous.status, wrong.status, form.status) == (401, 401, 415)
        account = await store.account("4C7ADA")
        assert account is not None and account.email == "budi@example.co.id"
        assert published == []
        done = await client.post(path, json=body, headers={"Authorization": f"Bearer {TOKEN}"})
        assert done.status == 200
    finally:
        await client.close()
    account = await store.account("4C7ADA")
    assert account is not None and account.email == "budi.baru@example.co.id"
    [entry] = published
    event = AuditEvent.model_validate_json(entry.value or b"")
    assert entry.topic == topics.AUDIT
    assert (event.kind, event.subject, event.actor) == (
        AuditKind.ACCOUNT_EMAIL_CHANGED,
        "4C7ADA",
        "ops-3",
    )
    assert "budi" not in (entry.value or b"").decode()  # no email in the audit trail


async def test_without_an_operator_token_the_endpoint_does_not_exist():
    store = MemoryActivationStore()
    tokens = Tokens(store, base_url="https://insw.example", ttl=timedelta(hours=1))
    app = make_app(
        Accounts(tokens, store, MemoryMailer(), sender="noreply@insw.go.id"), no_limits()
    )
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        response = await client.post(
            "/operator/accounts/4C7ADA/email", json={"email": "x@example.com", "operator_id": "o"}
        )
    finally:
        await client.close()
    assert response.status in (404, 405)
