"""The dev mailbox's HTTP view: what a newcomer reads with curl (docs/INTEGRATE.md)."""

from email.message import EmailMessage
from pathlib import Path

from aiohttp import ClientSession, web

from devstack.mailbox import MailboxHandler, make_app


def _mail(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "hub@insw.example"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


async def _view(directory: Path) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(make_app(directory))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


async def test_latest_to_an_address_is_that_address_s_newest_mail_as_text(tmp_path):
    handler = MailboxHandler(tmp_path)
    for to, subject in (
        ("a@example.co.id", "first to a"),
        ("b@example.co.id", "to b"),
        ("A@example.co.id", "second to a"),
    ):
        raw = _mail(to, subject, f"body of {subject}\nhttp://x/accounts/password?t=1").as_bytes()

        class Envelope:
            original_content = raw

        await handler.handle_DATA(None, None, Envelope())  # type: ignore[arg-type]
    runner, base = await _view(tmp_path)
    try:
        async with ClientSession() as http:
            async with http.get(f"{base}/messages/latest?to=a@example.co.id") as answer:
                text = await answer.text()
                assert answer.status == 200
            assert "Subject: second to a" in text and "body of second to a" in text
            async with http.get(
                f"{base}/messages/latest?to=a@example.co.id&subject=FIRST"
            ) as answer:
                assert "Subject: first to a" in await answer.text()
            async with http.get(f"{base}/messages/latest?to=a@example.co.id&subject=zz") as answer:
                assert answer.status == 404
            async with http.get(f"{base}/messages") as answer:
                listing = await answer.json()
            assert [m["subject"] for m in listing] == ["first to a", "to b", "second to a"]
            async with http.get(f"{base}/messages/{listing[1]['id']}") as answer:
                assert answer.content_type == "message/rfc822"
                assert b"Subject: to b" in await answer.read()
            async with http.get(f"{base}/messages/latest?to=nobody@example.co.id") as answer:
                assert answer.status == 404
            async with http.get(f"{base}/health") as answer:
                assert (await answer.json())["status"] == "ok"
    finally:
        await runner.cleanup()


async def test_a_message_id_cannot_reach_outside_the_mailbox(tmp_path):
    secret = tmp_path / "secret.eml"
    secret.write_text("Subject: not yours\n\nx")
    box = tmp_path / "box"
    box.mkdir()
    runner, base = await _view(box)
    try:
        async with ClientSession() as http:
            for name in ("..%2Fsecret", "../secret", ".hidden"):
                async with http.get(f"{base}/messages/{name}") as answer:
                    assert answer.status == 404, name
                    assert "not yours" not in await answer.text()
    finally:
        await runner.cleanup()
