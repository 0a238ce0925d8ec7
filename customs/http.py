"""HTTP read side of the lifecycle service.

* ``GET /applications/{submission_id}`` (public): the status view of one
  registration: the INSW decision, every customs step with its date and due
  dates (both the hub's working-day count and CEISA's stated day), the open
  deadlines and the trader's ``next_action``; the same JSON as the status
  topic's latest record (``contracts.customs.CustomsApplicationStatus``).
  Callers are rate limited (per client address, before anything else, so
  token guessing is limited too), then must bear an officer's token
  (:mod:`customs.callers` says why officers). Every refusal is an RFC 9457
  problem naming the rule; a failure inside is a ``503`` problem, never a 500.
* ``GET /customs/applications/{submission_id}``: the same view under its
  first path, kept for callers written against it, and held to the same
  rules: it used to answer anyone on the internal network, and a status
  names the trader's customs steps, so now it too is rate limited and asks
  for an officer's token. The officers' console forwards the officer's own
  token (``gateway.console.app.customs``).
"""

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from customs.callers import CallerRefused, OfficerTokens
from customs.record import to_status
from customs.store import CustomsStore
from runtime import tracing
from runtime.rate_limit import RateLimits

log = logging.getLogger(__name__)

STORE: web.AppKey[CustomsStore] = web.AppKey("store", CustomsStore)
TOKENS: web.AppKey[OfficerTokens | None] = web.AppKey("tokens", OfficerTokens)
LIMITS: web.AppKey[RateLimits] = web.AppKey("limits", RateLimits)
STATUS_LIMIT = "customs-status"
DEFAULT_LIMIT = "120/minute"
PROBLEM_BASE = "https://insw.go.id/problems/"
_SUBMISSION_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")  # as contracts.customs commands


class _Problem(Exception):
    def __init__(self, status: int, rule: str, title: str, detail: str, **headers: str) -> None:
        super().__init__(rule)
        self.status, self.rule, self.title, self.detail, self.headers = (
            status,
            rule,
            title,
            detail,
            headers,
        )

    def response(self) -> web.Response:
        body = {
            "type": PROBLEM_BASE + self.rule.lower().replace("_", "-"),
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "rule": self.rule,
        }
        return web.json_response(
            body,
            status=self.status,
            content_type="application/problem+json",
            headers=self.headers or None,
        )


async def status_view(request: web.Request) -> web.Response:
    """The status view of one registration, for an officer."""
    verdict = await request.app[LIMITS].hit(STATUS_LIMIT, request.remote or "unknown")
    if not verdict.allowed:
        wait = str(verdict.retry_after_seconds)
        raise _Problem(
            429, "RATE_LIMITED", "Too many requests", "retry later", **{"Retry-After": wait}
        )
    tokens = request.app[TOKENS]
    if tokens is None:
        raise _Problem(503, "AUTH_NOT_CONFIGURED", "Unavailable", "no identity provider is set")
    try:
        await asyncio.to_thread(tokens.subject, request.headers.get("Authorization"))
    except CallerRefused as refused:
        raise _Problem(refused.status, refused.rule, "Not allowed", refused.detail) from None
    sid = request.match_info["submission_id"]
    if not _SUBMISSION_ID.fullmatch(sid):
        detail = "submission_id: 1-64 of A-Z a-z 0-9 . _ : -"
        raise _Problem(422, "SUBMISSION_ID_INVALID", "Invalid submission id", detail)
    [record] = await request.app[STORE].load([sid])
    if record is None:
        detail = "submission_id: customs sent nothing about this application"
        raise _Problem(404, "UNKNOWN_APPLICATION", "Unknown application", detail)
    return web.Response(body=to_status(record).model_dump_json(), content_type="application/json")


@web.middleware
async def problems(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Refusals as RFC 9457 problems; any failure inside a 503 problem, never a 500."""
    try:
        return await handler(request)
    except _Problem as problem:
        return problem.response()
    except web.HTTPException:
        raise
    except Exception as error:  # the store or the identity provider is down: say so, no trace
        log.warning("%s %s failed: %s", request.method, request.path, type(error).__name__)
        return _Problem(503, "UNAVAILABLE", "Unavailable", "try again later").response()


async def health(_: web.Request) -> web.Response:
    """Liveness for process supervisors."""
    return web.json_response({"status": "ok"})


def make_app(
    store: CustomsStore,
    *,
    tokens: OfficerTokens | None = None,
    limits: RateLimits | None = None,
) -> web.Application:
    """The lifecycle service's HTTP application over ``store``.

    Without ``tokens`` the public view answers 503 (fail closed); without
    ``limits`` it is limited in process at :data:`DEFAULT_LIMIT`.
    """
    app = web.Application(middlewares=[tracing.middleware, problems])
    app[STORE] = store
    app[TOKENS] = tokens
    app[LIMITS] = limits or RateLimits.in_memory({STATUS_LIMIT: DEFAULT_LIMIT})
    app.router.add_get("/applications/{submission_id}", status_view)
    app.router.add_get("/customs/applications/{submission_id}", status_view)
    app.router.add_get("/health", health)
    return app
