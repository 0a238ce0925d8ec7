"""HTTP for INSW officers: decide a referred application (R13).

``POST /referrals/{submission_id}/decision`` with JSON ``{"outcome":
"APPROVED"|"REJECTED", "officer_id": ..., "note": ..., "reason_codes": [...]}``
validates the request and puts it on ``insw.registration.manual-decision.v1``;
the gateway's consumer applies it like any other manual decision, so the
topic and the endpoint behave the same. Answers ``202`` with the submission id,
or ``422`` naming each bad field and the rule it broke (never echoing input).
"""

from aiohttp import web
from pydantic import ValidationError

from contracts import channels
from contracts.referral import ManualDecision
from gateway.timers import Publish
from runtime.codec import describe
from runtime.records import Outbound

PUBLISH: web.AppKey[Publish] = web.AppKey("publish")


async def decide(request: web.Request) -> web.Response:
    """Accept one officer decision for the referred application in the path."""
    try:
        body = await request.json()
    except ValueError:
        return _problem("body: must be a JSON object")
    if not isinstance(body, dict):
        return _problem("body: must be a JSON object")
    try:
        decision = ManualDecision.model_validate(
            {**body, "submission_id": request.match_info["submission_id"]}
        )
    except ValidationError as error:
        return _problem(describe(error))
    sid = decision.submission_id
    await request.app[PUBLISH](
        [Outbound.of(channels.MANUAL_DECISION, decision, cause=None, correlation_id=sid)]
    )
    return web.json_response({"submission_id": sid, "status": "accepted"}, status=202)


def _problem(detail: str) -> web.Response:
    return web.json_response({"error": "invalid manual decision", "detail": detail}, status=422)


def make_app(publish: Publish) -> web.Application:
    """The officers' HTTP application, publishing through ``publish``."""
    app = web.Application()
    app[PUBLISH] = publish
    app.router.add_post("/referrals/{submission_id}/decision", decide)
    return app
