"""The simulator's admin HTTP: tests choose each application's story before submitting it.

``POST /admin/scenarios`` ``{"<submission_id>": "reject", ...}`` sets scenarios
(``422`` naming the unknown scenario names, never the ids); ``GET`` lists them
with the default; ``DELETE`` forgets them. ``GET /admin/sent`` counts the
documents sent so far; ``GET /health`` is for supervisors.
"""

from dataclasses import dataclass, field

from aiohttp import web

from simulators.ceisa.script import Scenario


@dataclass
class Scenarios:
    """Scenario per submission id, and the one everything else gets."""

    default: Scenario = Scenario.ACCEPT
    by_submission: dict[str, Scenario] = field(default_factory=dict)
    sent: int = 0

    def of(self, submission_id: str) -> Scenario:
        """The scenario to play for ``submission_id``."""
        return self.by_submission.get(submission_id, self.default)


SCENARIOS: web.AppKey[Scenarios] = web.AppKey("scenarios", Scenarios)


async def _set(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return web.json_response({"error": "body: a JSON object of id -> scenario"}, status=422)
    names = {str(v) for v in body.values()}
    unknown = sorted(names - {s.value for s in Scenario})
    if unknown:
        return web.json_response({"error": "unknown scenario", "scenarios": unknown}, status=422)
    request.app[SCENARIOS].by_submission.update({str(k): Scenario(v) for k, v in body.items()})
    return web.json_response({"set": len(body)})


async def _list(request: web.Request) -> web.Response:
    scenarios = request.app[SCENARIOS]
    return web.json_response(
        {
            "default": scenarios.default.value,
            "scenarios": {k: v.value for k, v in scenarios.by_submission.items()},
        }
    )


async def _reset(request: web.Request) -> web.Response:
    request.app[SCENARIOS].by_submission.clear()
    return web.json_response({"set": 0})


async def _sent(request: web.Request) -> web.Response:
    return web.json_response({"sent": request.app[SCENARIOS].sent})


async def _health(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "service": "ceisa"})


def make_app(scenarios: Scenarios) -> web.Application:
    """The admin application over ``scenarios``."""
    app = web.Application()
    app[SCENARIOS] = scenarios
    app.router.add_post("/admin/scenarios", _set)
    app.router.add_get("/admin/scenarios", _list)
    app.router.add_delete("/admin/scenarios", _reset)
    app.router.add_get("/admin/sent", _sent)
    app.router.add_get("/health", _health)
    return app
