"""DJP simulator: NPWP look-up (taxpayer registry).

``GET /djp/v1/npwp/{npwp}`` -- ``npwp`` is 15 or 16 ASCII digits, no
separators. Organisations are found by the 15-digit NPWP or by ``0`` + it;
individuals by their NIK (16) or, where they still have one, a legacy
15-digit NPWP.

* 200, known::

    {"status": "VALID",               # or "NOT_ACTIVE"
     "npwp15": "017704115013000",     # null for individuals known only by NIK
     "npwp16": "0017704115013000",
     "nama_wajib_pajak": "PT SUMBER SEJAHTERA TRADING",   # upper case, as DJP writes
     "jenis_wajib_pajak": "BADAN"}    # or "ORANG_PRIBADI"

* 404, well-formed but unknown (also for a bad check digit: checksums are a
  soft signal, DJP's answer is the truth)::

    {"status": "NOT_FOUND", "keterangan": "NPWP tidak terdaftar"}

* 400, not 15 or 16 ASCII digits::

    {"status": "ERROR", "keterangan": "Format NPWP tidak valid"}
"""

from __future__ import annotations

from aiohttp import web

from simulators.common import base_app, is_digits, json_bytes, reply
from simulators.dataset import World
from simulators.records import TaxpayerRecord

PATH = "/djp/v1/npwp/{npwp}"
NOT_FOUND = json_bytes({"status": "NOT_FOUND", "keterangan": "NPWP tidak terdaftar"})
MALFORMED = json_bytes({"status": "ERROR", "keterangan": "Format NPWP tidak valid"})


def taxpayer_body(record: TaxpayerRecord) -> bytes:
    """Return the 200 reply body for ``record``."""
    return json_bytes(
        {
            "status": record.status,
            "npwp15": record.npwp15,
            "npwp16": record.npwp16,
            "nama_wajib_pajak": record.name,
            "jenis_wajib_pajak": record.kind,
        }
    )


def make_app(world: World) -> web.Application:
    """Return the DJP simulator app serving ``world``'s taxpayers."""
    bodies: dict[str, bytes] = {}
    for taxpayer in world.taxpayers:
        body = taxpayer_body(taxpayer)
        bodies[taxpayer.npwp16] = body
        if taxpayer.npwp15:
            bodies[taxpayer.npwp15] = body

    async def lookup(request: web.Request) -> web.Response:
        npwp = request.match_info["npwp"]
        body = bodies.get(npwp)
        if body is not None:
            return reply(body)
        if not is_digits(npwp, 15, 16):
            return reply(MALFORMED, 400)
        return reply(NOT_FOUND, 404)

    app = base_app("djp", world.seed)
    app.router.add_get(PATH, lookup)
    return app
