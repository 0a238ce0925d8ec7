"""OSS simulator: NIB inquiry, modelled on OSS's "PIA" inquiry service.

``GET /oss/pia/v1/nib/{nib}`` (examples: the ``approved_company`` fixture of ``WORLD``)

* 200, NIB known::

    {"responInquiryNIB": {
        "kode": 200, "keterangan": "Data ditemukan",
        "dataNIB": {
            "nib": "9506198992961",
            "nama_perusahaan": "PT Sumber Sejahtera Trading",
            "npwp_perusahaan": "017704115013000",        # 15 digits, no separators
            "jenis_pelaku_usaha": "01",                  # 01..04, see records.ACTOR_TYPES
            "status_nib": "01",                          # 01..06, see records.NIB_STATUSES
            "tgl_terbit_nib": "2022-07-19",
            "kbli": [{"id_proyek": "R-2022...", "kode_kbli": "46411",
                      "uraian_kbli": "Perdagangan Besar Tekstil"}],
            "penanggung_jwb": [{"jenis_identitas": "01",  # 01 KTP, 02 paspor
                                "no_identitas": "6471134102940929",
                                "nama": "Maya Putri Hartono",
                                "jabatan": "Direktur Utama"}]}}}

* 404, well-formed but unknown::

    {"responInquiryNIB": {"kode": 404, "keterangan": "Data NIB tidak ditemukan"}}

* 400, not exactly 13 ASCII digits::

    {"responInquiryNIB": {"kode": 400, "keterangan": "Format NIB tidak valid"}}

Frozen (05) and revoked (06) NIBs are found (200) with that ``status_nib``:
the inquiry reports the status; deciding on it is the hub's job.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from simulators.common import base_app, is_digits, json_bytes, reply
from simulators.dataset import World
from simulators.records import NibRecord

PATH = "/oss/pia/v1/nib/{nib}"
NOT_FOUND = json_bytes(
    {"responInquiryNIB": {"kode": 404, "keterangan": "Data NIB tidak ditemukan"}}
)
MALFORMED = json_bytes({"responInquiryNIB": {"kode": 400, "keterangan": "Format NIB tidak valid"}})


def data_nib(record: NibRecord) -> dict[str, Any]:
    """Return the ``dataNIB`` object of an inquiry reply for ``record``."""
    return {
        "nib": record.nib,
        "nama_perusahaan": record.company_name,
        "npwp_perusahaan": record.npwp,
        "jenis_pelaku_usaha": record.actor_type,
        "status_nib": record.status,
        "tgl_terbit_nib": record.issued_on.isoformat(),
        "kbli": [
            {"id_proyek": k.project_id, "kode_kbli": k.code, "uraian_kbli": k.description}
            for k in record.kbli
        ],
        "penanggung_jwb": [
            {
                "jenis_identitas": p.identity_type,
                "no_identitas": p.identity_number,
                "nama": p.name,
                "jabatan": p.position,
            }
            for p in record.responsible
        ],
    }


def make_app(world: World) -> web.Application:
    """Return the OSS simulator app serving ``world``'s NIB records."""
    bodies = {
        c.nib: json_bytes(
            {
                "responInquiryNIB": {
                    "kode": 200,
                    "keterangan": "Data ditemukan",
                    "dataNIB": data_nib(c),
                }
            }
        )
        for c in world.companies
    }

    async def inquiry(request: web.Request) -> web.Response:
        nib = request.match_info["nib"]
        body = bodies.get(nib)
        if body is not None:
            return reply(body)
        if not is_digits(nib, 13):
            return reply(MALFORMED, 400)
        return reply(NOT_FOUND, 404)

    app = base_app("oss", world.seed)
    app.router.add_get(PATH, inquiry)
    return app
