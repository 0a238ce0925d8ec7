"""Scaffolding shared by the three simulators: health, JSON replies, faults.

Every simulator app built with :func:`base_app` has:

* ``GET /health`` -> 200 ``{"status": "ok", "service": <name>, "seed": <seed>}``
  (the seed lets a harness check that every simulator serves the same world).
* Fault injection for resilience tests, off by default, applied by one
  middleware to every route except ``/health`` and ``/admin/*``:

  - ``POST /admin/faults`` JSON ``{"latency_ms": 0..60000, "error_rate": 0..1,
    "malformed_rate": 0..1}`` (all optional, default 0; the sum of the two
    rates at most 1) -> 200 with the settings now in force; 400 if invalid.
    Each request is delayed by ``latency_ms``; then, with probability
    ``error_rate``, answered ``503 {"error": "injected fault"}``; else, with
    probability ``malformed_rate``, answered 200 with a truncated JSON body.
  - ``GET /admin/faults`` -> the settings in force.
  - ``DELETE /admin/faults`` -> reset to no faults; 200.

Handlers answer from precomputed bytes (:func:`json_bytes`) so a request
costs a dict look-up.
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import asdict, dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

JSON = "application/json"
MALFORMED_BODY = b'{"truncated": '


@dataclass
class Faults:
    """Fault-injection settings of one simulator (mutable, reset by DELETE)."""

    latency_ms: float = 0.0
    error_rate: float = 0.0
    malformed_rate: float = 0.0
    rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    @property
    def active(self) -> bool:
        """Whether any fault is configured."""
        return bool(self.latency_ms or self.error_rate or self.malformed_rate)

    def reset(self) -> None:
        """Turn every fault off."""
        self.latency_ms = self.error_rate = self.malformed_rate = 0.0

    def settings(self) -> dict[str, float]:
        """The settings as JSON-ready numbers."""
        data = asdict(self)
        data.pop("rng")
        return data


FAULTS = web.AppKey("faults", Faults)
SERVICE = web.AppKey("service", str)
SEED = web.AppKey("seed", int)


def json_bytes(payload: Any) -> bytes:
    """Serialise ``payload`` compactly, keeping non-ASCII text readable."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def reply(body: bytes, status: int = 200) -> web.Response:
    """Return a JSON response from precomputed bytes."""
    return web.Response(body=body, status=status, content_type=JSON)


def is_digits(value: str, *lengths: int) -> bool:
    """Whether ``value`` is ASCII digits only, of one of ``lengths``."""
    return len(value) in lengths and value.isascii() and value.isdigit()


@web.middleware
async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Apply the app's :class:`Faults` to non-admin, non-health requests."""
    faults = request.app[FAULTS]
    if not faults.active or request.path == "/health" or request.path.startswith("/admin/"):
        return await handler(request)
    if faults.latency_ms:
        await asyncio.sleep(faults.latency_ms / 1000)
    roll = faults.rng.random()
    if roll < faults.error_rate:
        return reply(b'{"error":"injected fault"}', 503)
    if roll < faults.error_rate + faults.malformed_rate:
        return reply(MALFORMED_BODY)
    return await handler(request)


async def _health(request: web.Request) -> web.Response:
    return web.json_response(
        {"status": "ok", "service": request.app[SERVICE], "seed": request.app[SEED]}
    )


async def _get_faults(request: web.Request) -> web.Response:
    return web.json_response(request.app[FAULTS].settings())


async def _set_faults(request: web.Request) -> web.Response:
    try:
        data = await request.json()
    except ValueError:
        return web.json_response({"error": "body must be JSON"}, status=400)
    if not isinstance(data, dict) or set(data) - {"latency_ms", "error_rate", "malformed_rate"}:
        return web.json_response({"error": "unknown or missing fields"}, status=400)
    values = {k: data.get(k, 0) for k in ("latency_ms", "error_rate", "malformed_rate")}
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values.values()):
        return web.json_response({"error": "values must be numbers"}, status=400)
    latency, error, malformed = (float(v) for v in values.values())
    if not (0 <= latency <= 60000 and min(error, malformed) >= 0 and error + malformed <= 1):
        return web.json_response({"error": "values out of range"}, status=400)
    faults = request.app[FAULTS]
    faults.latency_ms, faults.error_rate, faults.malformed_rate = latency, error, malformed
    return web.json_response(faults.settings())


async def _reset_faults(request: web.Request) -> web.Response:
    faults = request.app[FAULTS]
    faults.reset()
    return web.json_response(faults.settings())


def base_app(service: str, seed: int) -> web.Application:
    """Return an app with health, fault middleware and fault admin routes."""
    app = web.Application(middlewares=[fault_middleware])
    app[SERVICE] = service
    app[SEED] = seed
    app[FAULTS] = Faults()
    app.router.add_get("/health", _health)
    app.router.add_get("/admin/faults", _get_faults)
    app.router.add_post("/admin/faults", _set_faults)
    app.router.add_delete("/admin/faults", _reset_faults)
    return app
