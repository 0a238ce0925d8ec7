"""AHU's stand-in: ``GET /ahu/v1/entities?name=...`` answers 200 for a registered name, else 404."""

from aiohttp import web

REGISTERED = frozenset({"PT CONTOH LOGISTIK"})


async def lookup(request: web.Request) -> web.Response:
    """Whether a legal entity of that name is registered."""
    name = request.query.get("name", "").strip().upper()
    if name in REGISTERED:
        return web.json_response({"nama_badan_hukum": name, "status": "TERDAFTAR"})
    return web.json_response({"error": "tidak ditemukan"}, status=404)


def make_app() -> web.Application:
    """The simulator's web application."""
    app = web.Application()
    app.router.add_get("/ahu/v1/entities", lookup)
    return app
