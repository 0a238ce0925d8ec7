"""HTTP for INSW officers: the referral queue and decisions on referred applications (R13).

Every request carries an officer's bearer JWT from the INSW identity provider
(:mod:`gateway.officer_auth`); the officer id is the token's subject, never a
field of the body (issue 11). Refusals are RFC 9457 problem bodies naming the
rule (:mod:`gateway.problems`), and every caller is rate limited.

* ``GET /referrals``: the queue of referred applications, soonest deadline
  first, each with its 24-hour clock (seconds left, overdue). Role ``officer``.
* ``POST /referrals/{submission_id}/decision`` with JSON ``{"outcome":
  "APPROVED"|"REJECTED", "note": ..., "reason_codes": [...]}``: puts the
  decision on ``insw.registration.manual-decision.v1`` with ``officer_id`` =
  the token's subject; the gateway's consumer applies it. Role ``officer``.
  JSON only: a form or ``text/plain`` post, which a foreign web page can make
  from an officer's browser without a preflight, is refused with 415.
* ``POST /customs/manual-registrations`` (C13) and ``POST
  /customs/interim-imports`` (C14, Art. 40): a customs officer's act, put
  signed on ``customs.officer-command.v1`` for the customs service, with an
  audit entry naming the officer; the body is the contract's fields minus what
  the server sets (:mod:`gateway.officer_acts`: officer, kind, and a command id
  derived from the act, so a retried POST records once). Role ``officer``,
  JSON only; 202 with the command id. C14 serves a registrant: an id INSW
  has no final decision for is 404, one it did not approve is 409.

A broker (or store) that cannot take the request answers 503 (a problem), never 500:
the request may or may not have landed, and sending it again is safe (a
decision on a decided application and a repeated customs act change nothing).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiohttp import web
from pydantic import ValidationError

from contracts import channels
from contracts.audit import AuditKind
from contracts.decision import Outcome, RegistrationDecided
from contracts.http import ActAccepted
from contracts.referral import ManualDecision
from gateway.officer_acts import FOR_APPROVED, Act, act_from_body
from gateway.officer_auth import ROLE_OFFICER, Officer, TokenVerifier, bearer
from gateway.problems import Refused, problem
from gateway.ratelimit import RateLimit
from gateway.store import RegistrationStore
from gateway.timers import Publish
from runtime import tracing
from runtime.audit import audit_event
from runtime.codec import describe
from runtime.errors import TransientFailure
from runtime.records import Outbound

log = logging.getLogger(__name__)

QUEUE_LIMIT = 500
"""Most referrals one ``GET /referrals`` lists."""

BODY_FIELDS = frozenset({"outcome", "note", "reason_codes"})
"""What an officer may send; ``officer_id`` and ``submission_id`` come from token and path."""


@dataclass
class OfficerApi:
    """What the officers' endpoints need: where decisions go, the queue, who is asking."""

    publish: Publish
    store: RegistrationStore
    verifier: TokenVerifier
    limit: RateLimit = field(default_factory=RateLimit)
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    async def officer(self, token: str | None, role: str) -> Officer:
        """The verified caller holding ``role``, or :class:`AuthRefused`."""
        found = await asyncio.to_thread(self.verifier.verify, token)
        return found.require(role)

    async def queue(self, limit: int = QUEUE_LIMIT) -> list["Referral"]:
        """The referred applications with their 24-hour clocks, soonest deadline first."""
        now = self.clock().timestamp()
        return [Referral(sid, at, at - now) for sid, at in await self.store.referrals(limit)]

    async def decide(self, officer: Officer, submission_id: str, body: object) -> ManualDecision:
        """Check and publish ``officer``'s decision; :class:`Refused` says what is wrong."""
        if not isinstance(body, dict):
            raise Refused(422, "BODY_NOT_OBJECT", "body: must be a JSON object")
        stray = sorted(set(body) - BODY_FIELDS)
        if stray:
            detail = f"{', '.join(stray)}: not accepted; the officer is the token's subject"
            raise Refused(422, "FIELD_NOT_ALLOWED", detail)
        try:
            decision = ManualDecision.model_validate(
                {**body, "submission_id": submission_id, "officer_id": officer.subject}
            )
        except ValidationError as error:
            raise Refused(422, "MANUAL_DECISION_INVALID", describe(error)) from None
        [state] = await self.store.load([submission_id])
        if state is None:
            raise Refused(404, "UNKNOWN_APPLICATION", "no application with this submission id")
        if state.final:
            raise Refused(409, "ALREADY_DECIDED", "the application is already decided")
        if state.last_outcome is not Outcome.REFERRED:
            raise Refused(409, "NOT_REFERRED", "officers decide referred applications only (R13)")
        await self.publish(
            [
                Outbound.of(
                    channels.MANUAL_DECISION, decision, cause=None, correlation_id=submission_id
                )
            ]
        )
        log.info("officer %s decided %s: %s", officer.subject, submission_id, decision.outcome)
        return decision

    async def record_act(self, officer: Officer, rule: str, body: object) -> Act:
        """Check and publish ``officer``'s customs act (``rule`` C13 or C14), with its audit entry.

        The command and the entry go in one publish: the entry says which
        officer asked, through which endpoint, for which command id.
        """
        act = act_from_body(rule, officer, body, self.clock())
        sid = act.submission_id
        if rule in FOR_APPROVED:
            await self._approved_here(sid)
        entry = audit_event(
            AuditKind.OFFICER_ACTION,
            sid,
            actor=officer.subject,
            cause=None,
            details={"action": act.kind, "command_id": act.command_id, "via": "officer-api"},
            at=self.clock(),
        )
        command = Outbound.of(channels.CUSTOMS_OFFICER_COMMAND, act, cause=None, correlation_id=sid)
        await self.publish([command, entry])
        log.info("officer %s recorded %s for %s", officer.subject, act.kind, sid)
        return act

    async def _approved_here(self, submission_id: str) -> None:
        """:class:`Refused` unless INSW approved ``submission_id`` (C14 serves a registrant).

        Art. 40 lets the head of office clear one import for an importer whose
        registration is under way; an id INSW never approved names nobody, and
        accepting it (202) would send customs an act about no one.
        """
        [published] = await self.store.final_decisions([submission_id])
        if published is None:
            detail = "submission_id: INSW has no final decision for this application (C14)"
            raise Refused(404, "UNKNOWN_APPLICATION", detail)
        outcome = RegistrationDecided.model_validate_json(published).outcome
        if outcome is not Outcome.APPROVED:
            detail = f"submission_id: the application was {outcome.value}, not APPROVED (C14)"
            raise Refused(409, "NOT_APPROVED", detail)


@dataclass(frozen=True)
class Referral:
    """One line of the queue: the application and its 24-hour clock (R13)."""

    submission_id: str
    deadline_at: float
    seconds_left: float

    @property
    def overdue(self) -> bool:
        """The 24 hours are up."""
        return self.seconds_left <= 0

    def as_json(self) -> dict[str, object]:
        """The queue line as the API shows it."""
        return {
            "submission_id": self.submission_id,
            "deadline_at": datetime.fromtimestamp(self.deadline_at, UTC).isoformat(),
            "seconds_left": round(self.seconds_left),
            "overdue": self.overdue,
        }


DESK: web.AppKey[OfficerApi] = web.AppKey("officer_api", OfficerApi)

TITLES = {
    401: "Not signed in as an officer",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict with the application's state",
    415: "JSON only",
    422: "Invalid request",
    429: "Too many requests",
    503: "Service unavailable",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def refusals(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Rate limit every caller, and turn every refusal into an RFC 9457 problem."""
    wait = request.app[DESK].limit.allow(request.remote or "unknown")
    if wait > 0:
        return problem(
            429, "RATE_LIMITED", TITLES[429], "slow down", **{"Retry-After": str(int(wait) + 1)}
        )
    try:
        return await handler(request)
    except Refused as refusal:
        extra = (
            {"WWW-Authenticate": 'Bearer realm="insw-officers"'} if refusal.status == 401 else {}
        )
        return problem(
            refusal.status, refusal.rule, TITLES[refusal.status], refusal.detail, **extra
        )
    except TransientFailure:
        log.warning("%s %s: Kafka or Redis is unavailable", request.method, request.path)
        detail = "Kafka or Redis cannot take the request now; it may not be recorded: send it again"
        return problem(503, "UNAVAILABLE", TITLES[503], detail, **{"Retry-After": "5"})
    except web.HTTPException as error:
        if error.status < 400:
            raise
        rule = error.reason.upper().replace(" ", "_")
        return problem(error.status, rule, error.reason, f"{request.method} {request.path}")


async def list_referrals(request: web.Request) -> web.Response:
    """``GET /referrals``: the queue with each application's 24-hour clock."""
    desk = request.app[DESK]
    await desk.officer(bearer(request.headers.get("Authorization")), ROLE_OFFICER)
    return web.json_response({"referrals": [r.as_json() for r in await desk.queue()]})


async def decide(request: web.Request) -> web.Response:
    """``POST /referrals/{submission_id}/decision``: one officer decision, JSON only."""
    desk = request.app[DESK]
    officer = await desk.officer(bearer(request.headers.get("Authorization")), ROLE_OFFICER)
    body = await json_body(request, "the decision")
    sid = request.match_info["submission_id"]
    decision = await desk.decide(officer, sid, body)
    reply = {"submission_id": sid, "status": "accepted", "decided_by": decision.officer_id}
    return web.json_response(reply, status=202)


async def json_body(request: web.Request, what: str) -> object:
    """The request's JSON, or :class:`Refused`: 415 for another media type, 422 for bad JSON."""
    if request.content_type != "application/json":
        raise Refused(415, "JSON_ONLY", f"send {what} as application/json")
    try:
        return await request.json()
    except ValueError:
        raise Refused(422, "BODY_NOT_JSON", "body: not valid JSON") from None


def officer_act(rule: str, what: str) -> Handler:
    """The handler of one customs act's route: ``rule`` C13 or C14, ``what`` for the 415."""

    async def record(request: web.Request) -> web.Response:
        desk = request.app[DESK]
        officer = await desk.officer(bearer(request.headers.get("Authorization")), ROLE_OFFICER)
        act = await desk.record_act(officer, rule, await json_body(request, what))
        reply = ActAccepted(
            command_id=act.command_id,
            submission_id=act.submission_id,
            status="accepted",
            recorded_by=act.officer_id,
        )
        return web.json_response(reply.model_dump(), status=202)

    record.__doc__ = f"``POST`` of a customs officer's act ({rule}), JSON only."
    return record


def make_app(desk: OfficerApi) -> web.Application:
    """The officers' HTTP application over ``desk``."""
    app = web.Application(middlewares=[tracing.middleware, refusals], client_max_size=64 * 1024)
    app[DESK] = desk
    app.router.add_get("/referrals", list_referrals)
    app.router.add_post("/referrals/{submission_id}/decision", decide)
    app.router.add_post("/customs/manual-registrations", officer_act("C13", "the registration"))
    app.router.add_post("/customs/interim-imports", officer_act("C14", "the approval"))
    return app
