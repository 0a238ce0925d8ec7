"""Dukcapil simulator: NIK verification (match flags only, never the data).

Modelled on Dukcapil's data-verification access for institutions: the caller
sends what it was told, Dukcapil says whether each element matches. The
person's record is never returned.

``POST /dukcapil/v1/verify`` with JSON (example: ``approved_company``'s person)::

    {"nik": "6471134102940929",       # 16 ASCII digits
     "nama_lgkp": "Maya Putri Hartono",  # full name, non-blank
     "tgl_lhr": "1994-02-01"}          # optional, YYYY-MM-DD (or null)

* 200, NIK known::

    {"nik": "Sesuai",
     "nama_lgkp": "Sesuai" | "Tidak Sesuai",
     "tgl_lhr": "Sesuai" | "Tidak Sesuai" | null}     # null when not sent

  Names compare case- and whitespace-insensitively (no other leniency:
  titles such as "Ir." or "S.E." make a name "Tidak Sesuai").
* 200, NIK well-formed but unknown (we chose 200 over 404: the request was
  fine, the answer is "not found")::

    {"nik": "Tidak Ditemukan", "nama_lgkp": null, "tgl_lhr": null}

* 400, malformed (not JSON, missing/blank name, NIK not 16 ASCII digits, bad
  date); the reply never echoes the input::

    {"error": "<what is wrong>"}
"""

from __future__ import annotations

import datetime
import itertools

from aiohttp import web

from simulators.common import base_app, is_digits, json_bytes, reply
from simulators.dataset import World, normalise_name

PATH = "/dukcapil/v1/verify"
MATCH, NO_MATCH, NOT_FOUND = "Sesuai", "Tidak Sesuai", "Tidak Ditemukan"
_FLAG = {True: MATCH, False: NO_MATCH, None: None}
_BODIES = {
    (name, dob): json_bytes({"nik": MATCH, "nama_lgkp": _FLAG[name], "tgl_lhr": _FLAG[dob]})
    for name, dob in itertools.product((True, False), (True, False, None))
}
UNKNOWN = json_bytes({"nik": NOT_FOUND, "nama_lgkp": None, "tgl_lhr": None})


def _bad(reason: str) -> web.Response:
    return reply(json_bytes({"error": reason}), 400)


def _valid_date(value: str) -> bool:
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def parse_request(data: object) -> tuple[str, str, str | None] | str:
    """Return ``(nik, name, birth date or None)`` from a request body, or what is wrong."""
    if not isinstance(data, dict):
        return "body must be a JSON object"
    nik, name, dob = data.get("nik"), data.get("nama_lgkp"), data.get("tgl_lhr")
    if not isinstance(nik, str) or not is_digits(nik, 16):
        return "nik must be 16 digits"
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        return "nama_lgkp must be a non-blank string"
    if dob is not None and not (isinstance(dob, str) and _valid_date(dob)):
        return "tgl_lhr must be YYYY-MM-DD"
    return nik, name, dob


async def nik_in_body(request: web.Request) -> str | None:
    """The NIK a verification is about, for per-record fault overrides (body is re-readable)."""
    try:
        data = await request.json()
    except ValueError:
        return None
    nik = data.get("nik") if isinstance(data, dict) else None
    return nik if isinstance(nik, str) else None


def make_app(world: World) -> web.Application:
    """Return the Dukcapil simulator app verifying against ``world``'s people."""
    people = {p.nik: (normalise_name(p.full_name), p.birth_date.isoformat()) for p in world.people}

    async def verify(request: web.Request) -> web.Response:
        try:
            parsed = parse_request(await request.json())
        except ValueError:
            parsed = "body must be a JSON object"
        if isinstance(parsed, str):
            return _bad(parsed)
        nik, name, dob = parsed
        known = people.get(nik)
        if known is None:
            return reply(UNKNOWN)
        dob_flag = None if dob is None else dob == known[1]
        return reply(_BODIES[normalise_name(name) == known[0], dob_flag])

    app = base_app("dukcapil", world.seed, identify=nik_in_body)
    app.router.add_post(PATH, verify)
    return app
