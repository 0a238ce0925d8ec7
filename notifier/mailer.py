"""Sending mail over SMTP, with SMTP's failures translated into the hub's.

Exceptions (the boundary between aiosmtplib and the hub)::

    HubError
    ├── TransientFailure
    │   └── MailUnavailable   server down, timed out, 4xx: retry later, nothing lost
    └── PoisonMessage
        └── MailRefused       recipient or message refused with 5xx: retrying cannot help

Error texts name the SMTP stage and code only, never the address.
"""

from email.message import EmailMessage
from typing import Protocol

import aiosmtplib

from runtime.errors import PoisonMessage, TransientFailure


class MailUnavailable(TransientFailure):
    """The SMTP server could not take the message now."""


class MailRefused(PoisonMessage):
    """The SMTP server refused the recipient for good (5xx)."""


class Mailer(Protocol):
    """Hands one message to the mail system; returns once it is accepted."""

    async def send(self, message: EmailMessage) -> None:
        """Send ``message`` (From/To taken from its headers)."""
        ...


class SmtpMailer:
    """Real SMTP through aiosmtplib, one connection per message."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout_seconds: float,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._timeout = timeout_seconds
        self._username: str | None = credentials[0] if credentials else None
        self._password: str | None = credentials[1] if credentials else None

    async def send(self, message: EmailMessage) -> None:
        """See :meth:`Mailer.send`; raises :class:`MailUnavailable` or :class:`MailRefused`."""
        try:
            await aiosmtplib.send(
                message,
                hostname=self._host,
                port=self._port,
                timeout=self._timeout,
                username=self._username,
                password=self._password,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = sorted({refused.code for refused in error.recipients})
            if codes and all(500 <= code < 600 for code in codes):
                raise MailRefused(f"smtp: recipient refused ({codes})") from None
            raise MailUnavailable(f"smtp: recipient deferred ({codes})") from None
        except aiosmtplib.SMTPDataError as error:
            if 500 <= error.code < 600:
                raise MailRefused(f"smtp: message refused ({error.code})") from None
            raise MailUnavailable(f"smtp: message deferred ({error.code})") from None
        except aiosmtplib.SMTPResponseException as error:
            raise MailUnavailable(f"smtp: {type(error).__name__} {error.code}") from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise MailUnavailable(f"smtp: {type(error).__name__}") from None


class MemoryMailer:
    """A fake for unit tests: keeps what was sent; can be told to be down."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.down = False

    async def send(self, message: EmailMessage) -> None:
        """Record ``message``, or raise :class:`MailUnavailable` while ``down``."""
        if self.down:
            raise MailUnavailable("smtp: fake server down")
        self.sent.append(message)
