"""HTTP read side of the lifecycle service: ``GET /customs/applications/{submission_id}``.

Answers ``200`` with the same JSON as the status topic's latest record for
the submission (``contracts.customs.CustomsApplicationStatus``), or ``404``
when customs has not sent anything about it yet. For integrators and
officers who cannot read the compacted topic.
"""

from aiohttp import web

from customs.record import to_status
from customs.store import CustomsStore

STORE: web.AppKey[CustomsStore] = web.AppKey("store", CustomsStore)


async def application(request: web.Request) -> web.Response:
    """The customs status of one application."""
    sid = request.match_info["submission_id"]
    [record] = await request.app[STORE].load([sid])
    if record is None:
        return web.json_response(
            {"error": "UNKNOWN_APPLICATION", "detail": "customs sent nothing about it yet"},
            status=404,
        )
    return web.Response(body=to_status(record).model_dump_json(), content_type="application/json")


async def health(_: web.Request) -> web.Response:
    """Liveness for process supervisors."""
    return web.json_response({"status": "ok"})


def make_app(store: CustomsStore) -> web.Application:
    """The lifecycle service's HTTP application over ``store``."""
    app = web.Application()
    app[STORE] = store
    app.router.add_get("/customs/applications/{submission_id}", application)
    app.router.add_get("/health", health)
    return app
