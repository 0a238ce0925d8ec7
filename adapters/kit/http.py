"""HTTP to an agency: timeouts, bounded retries with backoff, and a clear answer.

The adapters call OSS, DJP and Dukcapil through this one client so that every
agency gets the same timeouts and retry discipline. Only failures that another
try can fix are retried (connection errors, timeouts, 429 and 5xx); the
caller receives either an :class:`HttpAnswer` or :class:`AgencyUnavailable`.
URLs are never logged: they can hold identifiers.

Backoff before retry *n* (1-based) is drawn uniformly from
``[b * 2**n / 2, b * 2**n]`` ("equal jitter"): exponential so a struggling
agency gets room, jittered so a burst of requests does not retry in step.

Exceptions::

    HubError
     +-- AgencyUnavailable   retry budget spent (connect/read timeouts,
                             connection errors, 429/5xx on every attempt)
"""

import asyncio
import json
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from runtime import tracing
from runtime.errors import HubError

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class AgencyUnavailable(HubError):
    """The agency gave no usable answer within the retry budget."""


@dataclass(frozen=True)
class HttpPolicy:
    """Timeouts, retry budget and concurrency for one agency.

    ``concurrency`` bounds requests in flight to the agency (the connection
    pool size and the adapter's semaphore): an agency is a shared, fragile
    resource, and a burst of submissions must queue here, not there.
    """

    connect_timeout: float = 1.0
    read_timeout: float = 3.0
    attempts: int = 3
    backoff_base: float = 0.1
    concurrency: int = 64


def _ignore(result: str) -> None:
    """Default attempt observer: record nothing."""


@dataclass(frozen=True)
class HttpAnswer:
    """A final HTTP answer: status and parsed JSON body (``None`` if not JSON)."""

    status: int
    body: Any


class AgencyHttp:
    """One pooled session per agency; open with ``start`` and close with ``close``."""

    def __init__(
        self,
        base_url: str,
        policy: HttpPolicy = HttpPolicy(),
        *,
        on_attempt: Callable[[str], None] = _ignore,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self.policy = policy
        self._on_attempt = on_attempt
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Open the connection pool (inside the running event loop)."""
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(
                sock_connect=self.policy.connect_timeout, sock_read=self.policy.read_timeout
            ),
            connector=aiohttp.TCPConnector(limit=self.policy.concurrency),
            raise_for_status=False,
        )

    async def close(self) -> None:
        """Close the connection pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(self, method: str, path: str, payload: Any = None) -> HttpAnswer:
        """Send one request, retrying what is retryable; raise AgencyUnavailable at the end."""
        if self._session is None:
            raise RuntimeError("AgencyHttp.start() was not awaited before call()")
        last = "no attempt"
        for attempt in range(self.policy.attempts):
            if attempt:
                ceiling = self.policy.backoff_base * 2**attempt
                await asyncio.sleep(random.uniform(ceiling / 2, ceiling))
            try:
                async with self._attempt(method, path, payload) as response:
                    raw = await response.read()
                    self._on_attempt(f"{response.status // 100}xx")
                    if response.status in RETRYABLE_STATUS:
                        last = f"HTTP {response.status}"
                        continue
                    return HttpAnswer(response.status, _json_or_none(raw))
            except (aiohttp.ClientError, TimeoutError) as error:
                self._on_attempt("timeout" if isinstance(error, TimeoutError) else "error")
                last = type(error).__name__
        raise AgencyUnavailable(f"{self.policy.attempts} attempts failed, last: {last}")

    @asynccontextmanager
    async def _attempt(
        self, method: str, path: str, payload: Any
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """One request, in a client span when tracing is on (named by method, never the URL)."""
        assert self._session is not None
        headers: dict[str, str] = {}
        with tracing.calling("agency call", {"http.request.method": method}, headers):
            async with self._session.request(
                method, self._base_url + path, json=payload, headers=headers
            ) as response:
                yield response


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None
