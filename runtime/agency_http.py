"""HTTP to an agency: timeouts, bounded retries with backoff, and a clear answer.

The adapters call OSS, DJP and Dukcapil through this one client so that every
agency gets the same timeouts and retry discipline. Only failures that another
try can fix are retried (connection errors, timeouts, 429 and 5xx); the
caller receives either an :class:`HttpAnswer` or :class:`AgencyUnavailable`.
URLs are never logged: they can hold identifiers.
"""

import asyncio
import json
import random
from dataclasses import dataclass
from typing import Any

import aiohttp

from runtime.errors import HubError

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class AgencyUnavailable(HubError):
    """The agency gave no usable answer within the retry budget."""


@dataclass(frozen=True)
class HttpPolicy:
    """Timeouts and retry budget for one agency."""

    connect_timeout: float = 1.0
    read_timeout: float = 3.0
    attempts: int = 3
    backoff_base: float = 0.1
    max_connections: int = 64


@dataclass(frozen=True)
class HttpAnswer:
    """A final HTTP answer: status and parsed JSON body (``None`` if not JSON)."""

    status: int
    body: Any


class AgencyHttp:
    """One pooled session per agency; open with ``start`` and close with ``close``."""

    def __init__(self, base_url: str, policy: HttpPolicy = HttpPolicy()) -> None:
        self._base_url = base_url.rstrip("/")
        self._policy = policy
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Open the connection pool (inside the running event loop)."""
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(
                sock_connect=self._policy.connect_timeout, sock_read=self._policy.read_timeout
            ),
            connector=aiohttp.TCPConnector(limit=self._policy.max_connections),
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
        for attempt in range(self._policy.attempts):
            if attempt:
                ceiling = self._policy.backoff_base * 2**attempt
                await asyncio.sleep(random.uniform(ceiling / 2, ceiling))
            try:
                async with self._session.request(
                    method, self._base_url + path, json=payload
                ) as response:
                    raw = await response.read()
                    if response.status in RETRYABLE_STATUS:
                        last = f"HTTP {response.status}"
                        continue
                    return HttpAnswer(response.status, _json_or_none(raw))
            except (aiohttp.ClientError, TimeoutError) as error:
                last = type(error).__name__
        raise AgencyUnavailable(f"{self._policy.attempts} attempts failed, last: {last}")


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None
