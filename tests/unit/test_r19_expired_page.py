"""R19 (manual §6.2): the "Token Expired" page carries the "Kirim Ulang Email" form.

The form posts the username; the new link goes to the email on file, and the
old link stops working.
"""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from aiohttp.test_utils import TestClient, TestServer
from lxml import html as lxml_html

from notifier.endpoints import RESENDS, make_app
from notifier.resend import ANSWER, PER_CLIENT, PER_USERNAME
from runtime.rate_limit import RateLimits
from tests.unit.test_notifier_accounts import World


def limits() -> RateLimits:
    return RateLimits.in_memory({PER_USERNAME: "3/hour", PER_CLIENT: "100/hour"})


def _forms(page: str) -> list[lxml_html.FormElement]:
    root = lxml_html.fromstring(page)
    return list(root.forms)


async def test_r19_expired_page_offers_a_resend_form_that_sends_a_new_link_to_the_same_address():
    world = World()
    world.tokens = type(world.tokens)(
        world.store, base_url="https://insw.example", ttl=timedelta(seconds=-1)
    )
    world.accounts = type(world.accounts)(
        world.tokens, world.store, world.mailer, sender="noreply@insw.go.id"
    )
    old = await world.approved()
    async with TestClient(TestServer(make_app(world.accounts, limits()))) as client:
        response = await client.get("/accounts/password", params={"token": old})
        page = await response.text()
        assert "Token Expired" in page
        [form] = _forms(page)
        assert form.method.upper() == "POST"
        assert "Kirim Ulang Email" in form.text_content()
        assert [i.name for i in form.inputs if i.name] == ["username"]
        assert form.action is not None
        sent = await client.post(form.action, data={"username": "4C7ADA"})
        assert sent.status == 202
        assert "text/html" in sent.headers["content-type"]
        await client.app[RESENDS].drain()
    [message] = world.mailer.sent
    assert message["To"].addresses[0].addr_spec == "budi@example.co.id"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    new = parse_qs(urlsplit(text.split("Confirm here: ")[1].split()[0]).query)["token"][0]
    assert new != old


async def test_r19_resend_form_answers_alike_for_an_unknown_username_and_sends_nothing():
    # Issue 12: the answer never tells which usernames exist.
    world = World()
    async with TestClient(TestServer(make_app(world.accounts, limits()))) as client:
        unknown = await client.post("/accounts/activation-link", json={"username": "ABCDEF"})
        assert unknown.status == 202
        assert await unknown.json() == ANSWER
        await client.app[RESENDS].drain()
    assert world.mailer.sent == []
