"""``python -m devstack.mailbox``: a development SMTP server that files every mail it gets.

Why: ``./hub run`` and the end-to-end tests must send the applicant emails over
real SMTP and then show what arrived. Each accepted message is written to
``MAILBOX_DIR`` as one ``.eml`` file (written under a temporary name, then
renamed, so a reader never sees half a message). Development only: it
accepts mail for anyone and keeps it in plain files. Needs aiosmtpd (the
``stand-ins`` extra, which the compose image installs); production never
imports this module.

An HTTP view on ``MAILBOX_HTTP_PORT`` lets a person read the mail with curl,
from the host or into a container (docs/INTEGRATE.md): ``GET /messages``
lists what arrived, ``GET /messages/latest?to=<address>[&subject=<words>]`` is the newest
message to an address as text, ``GET /messages/<id>`` one message as filed,
``GET /health`` answers while the process serves.
"""

import argparse
import asyncio
import os
import signal
import time
import uuid
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiohttp import web
from aiosmtpd.smtp import SMTP, Envelope, Session

from runtime.ops import health

MAILBOX_DIR: web.AppKey[Path] = web.AppKey("mailbox_dir")


class MailboxHandler:
    """An aiosmtpd handler that files each accepted message in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Write the message as received (bytes) and accept it."""
        content = envelope.original_content or b""
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}"
        partial = self.directory / f".{name}.tmp"
        partial.write_bytes(content)
        partial.rename(self.directory / f"{name}.eml")
        return "250 Message accepted for delivery"


def read_mailbox(directory: Path) -> list[EmailMessage]:
    """Every message filed in ``directory``, oldest first."""
    return [
        message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(directory.glob("*.eml"))
    ]


def _filed(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.eml"))


def _addressees(message: EmailMessage) -> list[str]:
    header = message["To"]
    return [a.addr_spec.lower() for a in header.addresses] if header is not None else []


def _text(message: EmailMessage) -> str:
    """Headers a reader wants, then the plain-text body (the HTML twin says the same)."""
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if isinstance(body, EmailMessage) else ""
    heads = "".join(f"{name}: {message[name]}\n" for name in ("From", "To", "Subject", "Date"))
    return f"{heads}\n{text}"


async def _list(request: web.Request) -> web.Response:
    listing = []
    for path in _filed(request.app[MAILBOX_DIR]):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        listing.append(
            {"id": path.stem, "to": _addressees(message), "subject": str(message["Subject"])}
        )
    return web.json_response(listing)


async def _latest(request: web.Request) -> web.Response:
    """The newest message to ``to``, and whose subject contains ``subject`` when given.

    Why a subject filter: one applicant gets several emails (the approval,
    then the customs notices), and a reader usually wants one kind.
    """
    wanted = request.query.get("to", "").lower()
    about = request.query.get("subject", "").lower()
    for path in reversed(_filed(request.app[MAILBOX_DIR])):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        if wanted and wanted not in _addressees(message):
            continue
        if about and about not in str(message["Subject"]).lower():
            continue
        return web.Response(text=_text(message))
    return web.Response(status=404, text=f"no message to {wanted or 'anyone'} yet\n")


async def _one(request: web.Request) -> web.Response:
    name = request.match_info["message_id"]
    path = request.app[MAILBOX_DIR] / f"{name}.eml"
    if not name.replace("-", "").isalnum() or not path.is_file():
        return web.Response(status=404, text="no such message\n")
    return web.Response(body=path.read_bytes(), content_type="message/rfc822")


def make_app(directory: Path) -> web.Application:
    """The mailbox's HTTP view of ``directory``."""
    app = web.Application()
    app[MAILBOX_DIR] = directory
    app.router.add_get("/health", health)
    app.router.add_get("/messages", _list)
    app.router.add_get("/messages/latest", _latest)
    app.router.add_get("/messages/{message_id}", _one)
    return app


async def serve(host: str, port: int, directory: Path, http: tuple[str, int] | None = None) -> None:
    """Accept SMTP on ``host:port`` (and serve the HTTP view on ``http``) until SIGINT/SIGTERM."""
    loop = asyncio.get_running_loop()
    handler = MailboxHandler(directory)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="mailbox.insw.local"), host, port
    )
    runner = web.AppRunner(make_app(directory), access_log=None)
    await runner.setup()
    if http is not None:
        await web.TCPSite(runner, *http).start()
        print(f"mailbox: http://{http[0]}:{http[1]}/messages", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"mailbox: smtp://{host}:{port} -> {directory}", flush=True)
    try:
        async with server:
            await stop.wait()
    finally:
        await runner.cleanup()


def main() -> None:
    """Parse ``--host``, ``--port``, ``--dir`` (default ``MAILBOX_DIR``) and serve.

    The HTTP view listens on ``MAILBOX_HTTP_HOST``:``MAILBOX_HTTP_PORT`` when the port is set.
    """
    parser = argparse.ArgumentParser(prog="python -m devstack.mailbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", default=os.environ.get("MAILBOX_DIR", ".devstack/mailbox"))
    args = parser.parse_args()
    http_port = os.environ.get("MAILBOX_HTTP_PORT")
    http_host = os.environ.get("MAILBOX_HTTP_HOST", "127.0.0.1")
    http = (http_host, int(http_port)) if http_port else None
    asyncio.run(serve(args.host, args.port, Path(args.dir), http))


if __name__ == "__main__":
    main()
