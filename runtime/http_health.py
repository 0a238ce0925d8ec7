"""``GET /health`` on a service's HTTP listener: it answers while the process serves.

Why: compose starts services in order by their health (``depends_on:
condition: service_healthy``), and a supervisor needs one path to probe on
every listener. Liveness only: it says nothing about Kafka or Redis.
"""

from aiohttp import web

HEALTH_PATH = "/health"


def add_health(app: web.Application, service: str) -> None:
    """Answer ``GET /health`` on ``app`` with ``{"status": "ok", "service": service}``."""

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "service": service})

    app.router.add_get(HEALTH_PATH, health)
