"""The account endpoints over real HTTP, with real Redis and a real SMTP server.

The flow an applicant follows: the approval email arrives, its link opens the
password page, the password is set once (R18); an expired or used link answers
"Token Expired"; a resend sends a new link to the same address (R19).
"""

import asyncio
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from aiosmtpd.controller import Controller
from redis.asyncio import Redis

from contracts.notification import NotificationRequested
from devstack.mailbox import MailboxHandler, read_mailbox
from devstack.net import LOOPBACK, free_port
from notifier.accounts import Accounts
from notifier.endpoints import RESENDS, HttpServer, make_app
from notifier.handlers import Notifier
from notifier.mailer import SmtpMailer
from notifier.resend import ANSWER, PER_CLIENT, PER_USERNAME, Resends
from notifier.store_redis import RedisActivationStore, RedisMailLedger
from notifier.tokens import Tokens
from runtime.rate_limit import RateLimits
from runtime.records import Inbound
from tests.support import at_rest


class Hub:
    def __init__(self, base: str, mailbox, notifier: Notifier, resends: Resends) -> None:
        self.base = base
        self.mailbox = mailbox
        self.notifier = notifier
        self.resends = resends

    async def resend(self, username: str) -> tuple[int, dict]:
        """POST a resend and wait until the work it started is done."""
        answer = await post(f"{self.base}/accounts/{username}/activation-link")
        await self.resends.drain()
        return answer

    def mails_to(self, address: str):
        return [m for m in read_mailbox(self.mailbox) if m["To"].addresses[0].addr_spec == address]

    async def approve(self) -> tuple[str, str, str]:
        """Send an approval; return (username, email, token from the email's link)."""
        username, email = uuid.uuid4().hex[:6].upper(), f"a.{uuid.uuid4().hex[:8]}@example.co.id"
        request = NotificationRequested(
            decision_id=uuid.uuid4().hex,
            submission_id="SUB-HTTP",
            outcome="APPROVED",
            username=username,
            applicant_name="Siti Rahma",
            email=email,
        )
        await self.notifier.on_requests(
            [Inbound("t", 0, 0, None, request.model_dump_json().encode())]
        )
        return username, email, token_in(self.mails_to(email)[-1])


def token_in(mail) -> str:
    text = mail.get_body(("plain",)).get_content()
    link = text.split("Confirm here: ")[1].split()[0]
    assert link.startswith("http://")
    return str(parse_qs(urlsplit(link).query)["token"][0])


@pytest.fixture
async def hub(redis_url, tmp_path):
    smtp = Controller(MailboxHandler(tmp_path / "mail"), hostname=LOOPBACK, port=free_port())
    smtp.start()
    redis = Redis.from_url(redis_url)
    port = free_port()
    store = RedisActivationStore(redis, at_rest())
    tokens = Tokens(store, base_url=f"http://{LOOPBACK}:{port}", ttl=timedelta(hours=1))
    mailer = SmtpMailer(LOOPBACK, smtp.port, timeout_seconds=5)
    limits = RateLimits.on_redis(
        redis_url,
        {PER_USERNAME: "3/hour", PER_CLIENT: "30/hour"},
        key_prefix=f"test:{uuid.uuid4().hex}",
    )
    app = make_app(Accounts(tokens, store, mailer, sender="noreply@insw.go.id"), limits)
    server = HttpServer(app, LOOPBACK, port)
    await server.start()
    notifier = Notifier(
        RedisMailLedger(redis),
        tokens,
        mailer,
        sender="noreply@insw.go.id",
        lease=timedelta(seconds=30),
    )
    try:
        yield Hub(f"http://{LOOPBACK}:{port}", tmp_path / "mail", notifier, app[RESENDS])
    finally:
        await server.stop()
        await limits.aclose()
        await redis.aclose()
        smtp.stop()


async def page(hub: Hub, token: str) -> tuple[int, bool]:
    """GET the password page: its status, and whether it offers the form (else Token Expired)."""
    url = f"{hub.base}/accounts/password"
    async with aiohttp.ClientSession() as session, session.get(url, params={"token": token}) as got:
        text = await got.text()
    assert ("Set your password" in text) != ("Token Expired" in text)
    return got.status, "Set your password" in text


async def post(url: str, **kwargs) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.post(url, **kwargs) as response:
        return response.status, await response.json()


async def test_r18_set_password_from_the_emailed_link_once(hub):
    username, _, token = await hub.approve()
    assert await page(hub, token) == (200, True)
    status, body = await post(
        f"{hub.base}/accounts/password", json={"token": token, "password": "Rahasia#1"}
    )
    assert (status, body) == (200, {"username": username, "activated": True})
    status, body = await post(
        f"{hub.base}/accounts/password", json={"token": token, "password": "Rahasia#1"}
    )
    assert status == 410
    [error] = body["errors"]
    assert (error["code"], error["rule"], error["field"]) == ("TOKEN_USED", "R19", "token")
    assert error["text_en"].startswith("Token Expired")
    assert await page(hub, token) == (200, False)


async def test_r18_password_needs_a_digit_over_http(hub):
    _, _, token = await hub.approve()
    status, body = await post(
        f"{hub.base}/accounts/password", json={"token": token, "password": "Rahasia#"}
    )
    assert status == 400
    assert [(e["code"], e["rule"], e["field"]) for e in body["errors"]] == [
        ("PASSWORD_NEEDS_DIGIT", "R18", "password")
    ]
    assert "Rahasia#" not in str(body)


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        ({"data": b"not json", "headers": {"Content-Type": "application/json"}}, ["<body>"]),
        ({"json": ["a list"]}, ["<body>"]),
        ({"json": {}}, ["token", "password"]),
        ({"json": {"token": 7, "password": "Rahasia#1"}}, ["token"]),
    ],
)
async def test_bad_input_gets_a_json_error_naming_the_field(hub, kwargs, fields):
    status, body = await post(f"{hub.base}/accounts/password", **kwargs)
    assert status == 400
    assert [e["field"] for e in body["errors"]] == fields
    assert all(e["code"] and e["rule"] and e["text_en"] for e in body["errors"])


async def test_r19_resend_sends_a_new_link_to_the_same_address_and_kills_the_old(hub):
    username, email, old = await hub.approve()
    status, body = await hub.resend(username)
    assert (status, body) == (202, ANSWER)
    mails = hub.mails_to(email)
    assert len(mails) == 2  # the approval, then the new link, both to the one address
    new = token_in(mails[-1])
    assert new != old
    status, body = await post(
        f"{hub.base}/accounts/password", json={"token": old, "password": "Rahasia#1"}
    )
    assert status == 410 and body["errors"][0]["code"] == "TOKEN_SUPERSEDED"
    status, _ = await post(
        f"{hub.base}/accounts/password", json={"token": new, "password": "Rahasia#1"}
    )
    assert status == 200
    assert await hub.resend(username) == (202, ANSWER)  # the same answer; no email
    assert len(hub.mails_to(email)) == 2


@pytest.mark.parametrize(
    ("username", "status", "code"),
    [("4c7ada", 400, "USERNAME_FORMAT"), ("FFFFFG", 400, "USERNAME_FORMAT")],
)
async def test_r16_resend_names_the_username_rule(hub, username, status, code):
    got, body = await post(f"{hub.base}/accounts/{username}/activation-link")
    assert (got, body["errors"][0]["code"], body["errors"][0]["field"]) == (
        status,
        code,
        "username",
    )


async def test_resend_answers_alike_for_unknown_pending_and_active_usernames(hub):
    """Issue 12: 202/404/409 used to tell which usernames exist and which are activated."""
    pending, pending_email, _ = await hub.approve()
    active, active_email, token = await hub.approve()
    status, _ = await post(
        f"{hub.base}/accounts/password", json={"token": token, "password": "Rahasia#1"}
    )
    assert status == 200
    answers = [await hub.resend(name) for name in ("ABC123", pending, active)]
    assert answers == [(202, ANSWER)] * 3
    assert len(hub.mails_to(pending_email)) == 2  # approval + the new link
    assert len(hub.mails_to(active_email)) == 1  # approval only


async def test_resend_flood_sends_a_bounded_number_of_emails_and_keeps_the_live_link(hub):
    """Issue 12: 200 POSTs used to send 200 emails in 0.45 s, each voiding the live link."""
    username, email, _ = await hub.approve()
    url = f"{hub.base}/accounts/{username}/activation-link"
    answers = await asyncio.gather(*(post(url) for _ in range(200)))
    await hub.resends.drain()
    statuses = [status for status, _ in answers]
    assert statuses.count(202) == 3 and statuses.count(429) == 197, sorted(set(statuses))
    assert {e["code"] for _, body in answers if "errors" in body for e in body["errors"]} == {
        "RATE_LIMITED"
    }
    mails = hub.mails_to(email)
    assert len(mails) == 1 + 3
    status, _ = await post(
        f"{hub.base}/accounts/password",
        json={"token": token_in(mails[-1]), "password": "Rahasia#1"},
    )
    assert status == 200


async def test_resend_per_client_limit_holds_across_usernames(hub):
    answers = [await post(f"{hub.base}/accounts/{i:06X}/activation-link") for i in range(35)]
    assert [s for s, _ in answers].count(429) == 5
    assert answers[-1][1]["errors"][0]["field"] == "<client>"


async def test_unknown_route_is_a_json_4xx_not_a_500(hub):
    status, body = await post(f"{hub.base}/accounts/4C7ADA/nothing-here")
    assert status == 404 and body["errors"][0]["code"] == "HTTP_REFUSED"
