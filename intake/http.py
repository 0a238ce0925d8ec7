"""``POST /registrations``: a registration and its Surat Kuasa, as multipart/form-data.

Parts: ``submission`` (JSON: the four steps of the form, without
``submission_id``, ``submitted_at`` or ``attachments``, which the hub sets) and
``power_of_attorney`` (the PDF). Headers: ``Authorization: Bearer <portal API
key>`` and ``Idempotency-Key`` (8 to 128 printable ASCII characters).

In this order, so nothing is stored for a request that is refused:

1. the client address, then the portal, are rate limited (429, ``Retry-After``);
2. the portal authenticates (401);
3. the idempotency key is **claimed** atomically: a key in use answers 409,
   a key already answered gets the kept answer with 200;
4. the parts are read within their limits and judged (:mod:`intake.form_check`);
5. only then is the document stored and the submission published: 201 with
   the submission id and a proof of receipt. If publishing fails the
   document is deleted and the claim released (503).

Every refusal is an RFC 9457 problem (:mod:`intake.problems`); no request
byte reaches a log or an answer.
"""

import logging
import uuid
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from aiohttp import web
from aiohttp.multipart import BadContentDispositionHeader, BadContentDispositionParam

from contracts import channels
from contracts.http import Receipt, RegistrationAccepted
from intake.form_check import PDF, submission_from
from intake.multipart import MAX_BODY_BYTES, POWER_OF_ATTORNEY, read_parts
from intake.portals import PortalKeys
from intake.problems import Problem, Violation
from intake.receipts import Claim, ReceiptBook, submission_id_for
from runtime import tracing
from runtime.documents import DocumentStore
from runtime.errors import TransientFailure
from runtime.rate_limit import RateLimits
from runtime.records import Outbound

log = logging.getLogger(__name__)

PORTAL_LIMIT = "intake-portal"
CLIENT_LIMIT = "intake-client"


class Publisher(Protocol):
    """Where accepted submissions go: :class:`runtime.outbox.Outbox` in the service."""

    async def publish(self, records: list[Outbound]) -> None:
        """Publish ``records``; raises :class:`TransientFailure` when Kafka cannot take them."""


@dataclass(frozen=True)
class IntakeDeps:
    """What the endpoint needs; built at the composition root."""

    outbox: Publisher
    documents: DocumentStore
    receipts: ReceiptBook
    portals: PortalKeys
    limits: RateLimits


DEPS: web.AppKey[IntakeDeps] = web.AppKey("deps")


def _problem(status: int, kind: str, title: str, detail: str, code: str, **headers: str) -> Problem:
    return Problem(status, kind, title, detail, [Violation("<request>", "HTTP", code)], headers)


async def _limit(deps: IntakeDeps, name: str, who: str) -> None:
    verdict = await deps.limits.hit(name, who)
    if not verdict.allowed:
        raise _problem(
            429,
            "rate-limited",
            "Too many requests",
            "too many requests; retry later",
            "RATE_LIMITED",
            **{"Retry-After": str(verdict.retry_after_seconds)},
        )


def _idempotency_key(request: web.Request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not (8 <= len(key) <= 128 and key.isascii() and key.isprintable()):
        raise _problem(
            400,
            "idempotency-key",
            "Idempotency-Key required",
            "Idempotency-Key header: required, 8 to 128 printable ASCII characters",
            "IDEMPOTENCY_KEY",
        )
    return key


async def register(request: web.Request) -> web.Response:
    """Accept one registration (see the module docstring)."""
    deps = request.app[DEPS]
    await _limit(deps, CLIENT_LIMIT, request.remote or "unknown")
    portal = deps.portals.portal(request.headers.get("Authorization", ""))
    if portal is None:
        raise _problem(
            401,
            "unauthenticated",
            "Portal not authenticated",
            "Authorization header: a portal API key is required (Bearer)",
            "UNAUTHENTICATED",
            **{"WWW-Authenticate": 'Bearer realm="insw-intake"'},
        )
    await _limit(deps, PORTAL_LIMIT, portal)
    key = _idempotency_key(request)
    claim = await deps.receipts.claim(portal, key)
    if claim.kept is not None:
        return web.json_response(claim.kept, status=200)
    if claim.in_progress:
        raise _problem(
            409,
            "idempotency-key-in-use",
            "Request in progress",
            "Idempotency-Key header: a request with this key is in progress",
            "IDEMPOTENCY_KEY_IN_USE",
        )
    try:
        answer = await _accept(request, deps, portal, key, claim)
    except BaseException:
        await deps.receipts.release(portal, key, claim)
        raise
    return web.json_response(answer, status=201)


async def _accept(
    request: web.Request, deps: IntakeDeps, portal: str, key: str, claim: Claim
) -> dict[str, Any]:
    parts = await read_parts(request)
    sid = submission_id_for(portal, key)
    received_at = datetime.now(UTC)
    document_id = f"DOC-{sid}"
    submission = submission_from(parts, sid, document_id, received_at)
    stored = await deps.documents.put(document_id, parts[POWER_OF_ATTORNEY], PDF)
    try:
        await deps.outbox.publish(
            [
                Outbound.of(
                    channels.REGISTRATION_SUBMITTED, submission, cause=None, correlation_id=sid
                )
            ]
        )
    except BaseException:
        await deps.documents.delete(document_id)
        raise
    answer = RegistrationAccepted(  # the body docs/openapi/intake.json publishes
        submission_id=sid,
        receipt=Receipt(
            receipt_id=uuid.uuid4().hex,
            received_at=received_at,
            document_id=stored.document_id,
            document_sha256=stored.sha256,
            document_size=stored.size,
        ),
    ).model_dump(mode="json")
    await deps.receipts.complete(portal, key, claim, answer)
    log.info("portal %s: submission %s accepted", portal, sid)
    return answer


@web.middleware
async def problems(request: web.Request, handler: Any) -> web.StreamResponse:
    """Every failure as a problem; logs name the exception class only, never its text."""
    try:
        response: web.StreamResponse = await handler(request)
    except Problem as problem:
        return problem.response()
    except web.HTTPException as error:  # aiohttp's own (404, 405, 413): keep the status
        if error.status < 400:
            raise
        return _problem(
            error.status, "http", error.reason, error.reason, "HTTP_" + str(error.status)
        ).response()
    except TransientFailure as error:
        log.warning("%s %s: unavailable (%s)", request.method, request.path, type(error).__name__)
        return _problem(
            503,
            "unavailable",
            "Service unavailable",
            "try again later",
            "SERVICE_UNAVAILABLE",
            **{"Retry-After": "5"},
        ).response()
    except Exception as error:  # the last line: a bug must not leak the body into a traceback
        log.error("%s %s: unexpected %s", request.method, request.path, type(error).__name__)
        return _problem(500, "internal", "Internal error", "internal error", "INTERNAL").response()
    return response


def make_app(deps: IntakeDeps) -> web.Application:
    """The intake's HTTP application."""
    # aiohttp warns about a malformed part header by quoting the header, which is
    # request bytes; the part is refused by name instead (PART_UNEXPECTED).
    for quoting in (BadContentDispositionHeader, BadContentDispositionParam):
        warnings.filterwarnings("ignore", category=quoting)
    app = web.Application(
        middlewares=[tracing.middleware, problems], client_max_size=MAX_BODY_BYTES
    )
    app[DEPS] = deps
    app.router.add_post("/registrations", register)
    return app
