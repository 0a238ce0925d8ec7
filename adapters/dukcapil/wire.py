"""Dukcapil verification wire format: match flags in, :class:`NikMatch` out.

Request: ``POST /dukcapil/v1/verify`` with ``{"nik", "nama_lgkp"}``. A 200
reply holds one flag per element sent: ``"Sesuai"`` (matches), ``"Tidak
Sesuai"`` (differs), or for ``nik`` ``"Tidak Ditemukan"`` (unknown). The
person's record is never returned, so nothing personal comes back.
"""

from typing import Any

from contracts.verification import NikMatch

VERIFY_PATH = "/dukcapil/v1/verify"
MATCH, DIFFERS, UNKNOWN = "Sesuai", "Tidak Sesuai", "Tidak Ditemukan"


def verify_body(nik: str, full_name: str) -> dict[str, str]:
    """The request body for one NIK and name."""
    return {"nik": nik, "nama_lgkp": full_name}


def to_match(body: Any) -> NikMatch | None:
    """The match flags in a 200 reply, or ``None`` when the body is not what Dukcapil sends."""
    if not isinstance(body, dict):
        return None
    nik, name = body.get("nik"), body.get("nama_lgkp")
    if nik == UNKNOWN:
        return NikMatch(nik_found=False, name_matches=False)
    if nik in (MATCH, DIFFERS) and name in (MATCH, DIFFERS):
        return NikMatch(nik_found=nik == MATCH, name_matches=name == MATCH)
    return None
