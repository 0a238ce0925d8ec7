"""``python -m devstack.mailbox``: a development SMTP server that files every mail it gets.

Why: ``./hub run`` and the end-to-end tests must send the applicant emails over
real SMTP and then show what arrived. Each accepted message is written to
``MAILBOX_DIR`` as one ``.eml`` file (written under a temporary name, then
renamed, so a reader never sees half a message). Development only: it
accepts mail for anyone and keeps it in plain files. Needs the dev extra
(aiosmtpd); production never imports this module.
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

from aiosmtpd.smtp import SMTP, Envelope, Session


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


async def serve(host: str, port: int, directory: Path) -> None:
    """Accept SMTP on ``host:port`` until SIGINT or SIGTERM."""
    loop = asyncio.get_running_loop()
    handler = MailboxHandler(directory)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="mailbox.insw.local"), host, port
    )
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"mailbox: smtp://{host}:{port} -> {directory}", flush=True)
    async with server:
        await stop.wait()


def main() -> None:
    """Parse ``--host``, ``--port``, ``--dir`` (default ``MAILBOX_DIR``) and serve."""
    parser = argparse.ArgumentParser(prog="python -m devstack.mailbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", default=os.environ.get("MAILBOX_DIR", ".devstack/mailbox"))
    args = parser.parse_args()
    asyncio.run(serve(args.host, args.port, Path(args.dir)))


if __name__ == "__main__":
    main()
