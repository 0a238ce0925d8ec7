"""DJP NPWP look-up wire format, mapped to :class:`contracts.verification.NpwpRecord`.

Request: ``GET /djp/v1/npwp/{npwp}`` with 15 or 16 digits. A 200 reply holds
``status`` (``VALID`` or ``NOT_ACTIVE``), ``npwp15``, ``npwp16``,
``nama_wajib_pajak`` and ``jenis_wajib_pajak`` (``BADAN`` or ``ORANG_PRIBADI``).
"""

from typing import Any

from pydantic import ValidationError

from contracts.verification import NpwpRecord


def lookup_path(npwp: str) -> str:
    """Path of the NPWP look-up (digits only, checked by the gateway)."""
    return f"/djp/v1/npwp/{npwp}"


def to_record(body: Any) -> NpwpRecord | None:
    """The taxpayer record in a 200 reply, or ``None`` when the body is not what DJP sends."""
    try:
        status = body["status"]
        if status not in ("VALID", "NOT_ACTIVE"):
            return None
        return NpwpRecord(
            npwp=body["npwp16"],
            npwp15=body.get("npwp15"),
            active=status == "VALID",
            taxpayer_name=body["nama_wajib_pajak"],
            taxpayer_type=body.get("jenis_wajib_pajak"),
        )
    except (KeyError, TypeError, ValidationError):
        return None
