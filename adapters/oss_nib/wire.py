"""OSS "PIA" NIB inquiry wire format, mapped to :class:`contracts.verification.NibRecord`.

Request: ``GET /oss/pia/v1/nib/{nib}``. Reply body ``{"responInquiryNIB":
{"kode": ..., "dataNIB": {...}}}`` with ``dataNIB`` holding ``nib``,
``nama_perusahaan``, ``npwp_perusahaan``, ``jenis_pelaku_usaha`` (01 to 04),
``status_nib`` (01 to 06), ``kbli`` and ``penanggung_jwb`` (identity type 01
KTP or 02 passport, identity number, name, position).
"""

from typing import Any

from pydantic import ValidationError

from contracts.verification import NibRecord, ResponsiblePerson

IDENTITY_TYPES = {"01": "KTP", "02": "PASSPORT"}


def inquiry_path(nib: str) -> str:
    """Path of the NIB inquiry (the NIB is 13 digits, checked by the gateway)."""
    return f"/oss/pia/v1/nib/{nib}"


def to_record(body: Any) -> NibRecord | None:
    """The NIB record in a 200 reply, or ``None`` when the body is not what OSS sends."""
    try:
        data = body["responInquiryNIB"]["dataNIB"]
        return NibRecord(
            nib=data["nib"],
            company_name=data["nama_perusahaan"],
            npwp=data.get("npwp_perusahaan"),
            actor_type=data.get("jenis_pelaku_usaha"),
            status=data["status_nib"],
            kbli=[item["kode_kbli"] for item in data.get("kbli") or []],
            responsible_persons=[
                ResponsiblePerson(
                    identity_type=IDENTITY_TYPES[person["jenis_identitas"]],
                    identity_number=person["no_identitas"],
                    name=person["nama"],
                    position=person.get("jabatan"),
                )
                for person in data.get("penanggung_jwb") or []
            ],
        )
    except (KeyError, TypeError, ValidationError):
        return None
