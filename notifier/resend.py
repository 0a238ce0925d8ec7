"""``POST /accounts/{username}/activation-link`` behind limits, with one answer for everyone.

Why the work runs after the answer: an answer that waited for the account
look-up and the SMTP exchange would tell, by its timing if not its status,
which of the 16.7 million usernames exist and which are activated (issue
12). So the endpoint checks the username's shape, counts the request against
two limits (per client address and per username, in Redis, shared by every
notifier), answers 202 with the same body whatever the username, and only
then does :meth:`notifier.accounts.Accounts.resend` run, as a task of this
process. The per-username limit bounds the emails an applicant can receive;
the per-client limit bounds what one client can probe.
"""

import asyncio
import logging

from contracts.reasons import USERNAME_FORMAT, ReasonCode
from notifier.accounts import USERNAME, AccountError, Accounts
from runtime.rate_limit import RateLimits

log = logging.getLogger(__name__)

PER_CLIENT = "resend-client"
PER_USERNAME = "resend-username"

RATE_LIMITED = ReasonCode(
    "RATE_LIMITED",
    "R19",
    "Terlalu banyak permintaan Kirim Ulang Email; coba lagi nanti.",
    "Too many resend requests; try again later.",
)
ANSWER = {
    "accepted": True,
    "text_id": "Jika username ini menunggu pemasangan password, tautan baru dikirim ke "
    "alamat email yang tercatat.",
    "text_en": "If this username is waiting for its password to be set, a new link goes "
    "to the email address on file.",
}
"""The one answer to every well-formed, admitted request (R19)."""


class Resends:
    """Admits resend requests under the limits and runs them after answering."""

    def __init__(self, accounts: Accounts, limits: RateLimits) -> None:
        self._accounts = accounts
        self._limits = limits
        self._running: set[asyncio.Task[None]] = set()

    async def request(self, username: str, client: str) -> None:
        """Check and count the request, then start the resend; :class:`AccountError` if refused."""
        if not USERNAME.match(username):
            raise AccountError(400, [USERNAME_FORMAT.at("username")])
        for name, who in ((PER_CLIENT, client), (PER_USERNAME, username)):
            verdict = await self._limits.hit(name, who)
            if not verdict.allowed:
                raise AccountError(
                    429,
                    [RATE_LIMITED.at("username" if name == PER_USERNAME else "<client>")],
                    headers={"Retry-After": str(verdict.retry_after_seconds)},
                )
        task = asyncio.create_task(self._run(username))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, username: str) -> None:
        try:
            outcome = await self._accounts.resend(username)
        except Exception as error:  # a task's failure has no caller: log it, name no value
            log.warning("account %s: resend failed (%s)", username, type(error).__name__)
            return
        log.info("account %s: resend %s", username, outcome.value.lower())

    async def drain(self, timeout_seconds: float = 10.0) -> None:
        """Wait for resends in flight (at shutdown, and in tests)."""
        if self._running:
            await asyncio.wait(set(self._running), timeout=timeout_seconds)
