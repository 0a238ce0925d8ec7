"""Scaffolding shared by the three simulators: health, JSON replies, faults.

Every simulator app built with :func:`base_app` has:

* ``GET /health`` -> 200 ``{"status": "ok", "service": <name>, "seed": <seed>}``
  (the seed lets a harness check that every simulator serves the same world).
* Fault injection for resilience tests, off by default, applied by one
  middleware to every route except ``/health`` and ``/admin/*``:

  - ``POST /admin/faults`` JSON ``{"latency_ms": 0..60000, "error_rate": 0..1,
    "malformed_rate": 0..1, "timeout_rate": 0..1, "hang_ms": 0..60000,
    "overrides": {"<identifier>": {"status": 400..599 | "timeout" |
    "malformed"}}}`` (all optional; rates and latency default 0, ``hang_ms``
    30000; the sum of the three rates at most 1; the settings replace the
    previous ones) -> 200 with the settings now in force; 400 if invalid.
    Each request is delayed by ``latency_ms``. A request about an overridden
    identifier (the NIB or NPWP in the path, the NIK in Dukcapil's body) then
    gets its override. Otherwise, by one roll: with probability
    ``error_rate`` ``503 {"error": "injected fault"}``; ``malformed_rate``
    200 with a truncated JSON body; ``timeout_rate`` a hang.
    A *hang* ("timeout") answers nothing for ``hang_ms``, longer than any
    client's read timeout, then ``504``: the client has given up by then.
  - ``GET /admin/faults`` -> the settings in force.
  - ``DELETE /admin/faults`` -> reset to no faults; 200.
  - ``GET /admin/requests`` -> ``{"requests": n}``: agency requests served
    since start (faulted ones included), so a test can tell whether a client
    called at all, e.g. while its circuit breaker is open.

Handlers answer from precomputed bytes (:func:`json_bytes`) so a request
costs a dict look-up.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

JSON = "application/json"
MALFORMED_BODY = b'{"truncated": '
RATES = ("error_rate", "malformed_rate", "timeout_rate")
NUMBERS = ("latency_ms", "hang_ms", *RATES)
DEFAULT_HANG_MS = 30000.0
Override = int | str
"""An HTTP status (400..599), ``"timeout"`` (hang) or ``"malformed"`` (garbage body)."""
Identify = Callable[[web.Request], Awaitable[str | None]]
"""How a simulator finds the identifier a request is about (for per-record overrides)."""


@dataclass
class Faults:
    """Fault-injection settings of one simulator (mutable, reset by DELETE)."""

    latency_ms: float = 0.0
    error_rate: float = 0.0
    malformed_rate: float = 0.0
    timeout_rate: float = 0.0
    hang_ms: float = DEFAULT_HANG_MS
    overrides: dict[str, Override] = field(default_factory=dict)
    requests: int = 0
    rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    @property
    def active(self) -> bool:
        """Whether any fault is configured."""
        return bool(self.latency_ms or self.overrides or any(getattr(self, r) for r in RATES))

    def reset(self) -> None:
        """Turn every fault off (the request count keeps counting)."""
        self.latency_ms = self.error_rate = self.malformed_rate = self.timeout_rate = 0.0
        self.hang_ms = DEFAULT_HANG_MS
        self.overrides = {}

    def settings(self) -> dict[str, Any]:
        """The settings as JSON-ready values."""
        data: dict[str, Any] = {name: getattr(self, name) for name in NUMBERS}
        data["overrides"] = {key: {"status": value} for key, value in self.overrides.items()}
        return data


FAULTS = web.AppKey("faults", Faults)
SERVICE = web.AppKey("service", str)
SEED = web.AppKey("seed", int)
IDENTIFY: web.AppKey[Identify] = web.AppKey("identify")


def json_bytes(payload: Any) -> bytes:
    """Serialise ``payload`` compactly, keeping non-ASCII text readable."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def reply(body: bytes, status: int = 200) -> web.Response:
    """Return a JSON response from precomputed bytes."""
    return web.Response(body=body, status=status, content_type=JSON)


def is_digits(value: str, *lengths: int) -> bool:
    """Whether ``value`` is ASCII digits only, of one of ``lengths``."""
    return len(value) in lengths and value.isascii() and value.isdigit()


async def identify_by_path(request: web.Request) -> str | None:
    """The identifier in the path (``/.../{nib}``): the first path parameter."""
    return next(iter(request.match_info.values()), None)


async def _faulted(faults: Faults, override: Override) -> web.Response:
    if override == "timeout":
        await asyncio.sleep(faults.hang_ms / 1000)
        return reply(b'{"error":"injected timeout"}', 504)
    if override == "malformed":
        return reply(MALFORMED_BODY)
    return reply(b'{"error":"injected fault"}', int(override))


@web.middleware
async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count and apply the app's :class:`Faults` to non-admin, non-health requests."""
    if request.path == "/health" or request.path.startswith("/admin/"):
        return await handler(request)
    faults = request.app[FAULTS]
    faults.requests += 1
    if not faults.active:
        return await handler(request)
    if faults.latency_ms:
        await asyncio.sleep(faults.latency_ms / 1000)
    if faults.overrides:
        override = faults.overrides.get(await request.app[IDENTIFY](request) or "")
        if override is not None:
            return await _faulted(faults, override)
    roll = faults.rng.random()
    faults_by_rate: tuple[Override, ...] = (503, "malformed", "timeout")
    for rate, fault in zip(RATES, faults_by_rate, strict=True):
        roll -= getattr(faults, rate)
        if roll < 0:
            return await _faulted(faults, fault)
    return await handler(request)


async def _health(request: web.Request) -> web.Response:
    return web.json_response(
        {"status": "ok", "service": request.app[SERVICE], "seed": request.app[SEED]}
    )


async def _get_faults(request: web.Request) -> web.Response:
    return web.json_response(request.app[FAULTS].settings())


def _overrides(data: object) -> dict[str, Override] | str:
    """Parse ``{"<identifier>": {"status": ...}}``, or say what is wrong."""
    if not isinstance(data, dict):
        return "overrides must be an object"
    parsed: dict[str, Override] = {}
    for key, value in data.items():
        status = value.get("status") if isinstance(value, dict) else None
        if status in ("timeout", "malformed") or (
            isinstance(status, int) and not isinstance(status, bool) and 400 <= status <= 599
        ):
            parsed[key] = status
        else:
            return 'override status must be 400..599, "timeout" or "malformed"'
    return parsed


def _parse_faults(data: object) -> tuple[dict[str, float], dict[str, Override]] | str:
    if not isinstance(data, dict) or set(data) - {*NUMBERS, "overrides"}:
        return "unknown or missing fields"
    values = {k: data.get(k, DEFAULT_HANG_MS if k == "hang_ms" else 0) for k in NUMBERS}
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values.values()):
        return "values must be numbers"
    numbers = {k: float(v) for k, v in values.items()}
    rates = [numbers[r] for r in RATES]
    in_range = 0 <= numbers["latency_ms"] <= 60000 and 0 <= numbers["hang_ms"] <= 60000
    if not (in_range and min(rates) >= 0 and sum(rates) <= 1):
        return "values out of range"
    overrides = _overrides(data.get("overrides", {}))
    return overrides if isinstance(overrides, str) else (numbers, overrides)


async def _set_faults(request: web.Request) -> web.Response:
    try:
        parsed = _parse_faults(await request.json())
    except ValueError:
        parsed = "body must be JSON"
    if isinstance(parsed, str):
        return web.json_response({"error": parsed}, status=400)
    numbers, overrides = parsed
    faults = request.app[FAULTS]
    for name, value in numbers.items():
        setattr(faults, name, value)
    faults.overrides = overrides
    return web.json_response(faults.settings())


async def _reset_faults(request: web.Request) -> web.Response:
    faults = request.app[FAULTS]
    faults.reset()
    return web.json_response(faults.settings())


async def _requests(request: web.Request) -> web.Response:
    return web.json_response({"requests": request.app[FAULTS].requests})


def base_app(service: str, seed: int, identify: Identify = identify_by_path) -> web.Application:
    """Return an app with health, fault middleware and fault admin routes.

    ``identify`` finds the identifier a request is about, for per-record
    overrides; the default takes the path parameter.
    """
    app = web.Application(middlewares=[fault_middleware])
    app[SERVICE] = service
    app[SEED] = seed
    app[FAULTS] = Faults()
    app[IDENTIFY] = identify
    app.router.add_get("/admin/requests", _requests)
    app.router.add_get("/health", _health)
    app.router.add_get("/admin/faults", _get_faults)
    app.router.add_post("/admin/faults", _set_faults)
    app.router.add_delete("/admin/faults", _reset_faults)
    return app
