"""``insw.registration.submitted.v1``: one message per application.

The model mirrors the four steps of the INSW registration form (manual §5.1 to
§5.4). It is deliberately lenient: identifiers and choices arrive as plain
strings so that a malformed value (a 12-digit NIB, an unknown trader type)
reaches the rules and becomes a ``REJECTED`` decision naming the field and the
rule, instead of failing to parse and ending on the dead-letter topic. Only a
message that cannot be attributed to a submission at all is a poison message.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Purpose(StrEnum):
    """Purposes of use offered by the form (R1); the hub handles TRANSAKSI."""

    TRANSAKSI = "TRANSAKSI"


class TraderType(StrEnum):
    """The seven trader types of manual §5.2.1 (R2)."""

    PELAKU_USAHA_PERUSAHAAN = "PELAKU_USAHA_PERUSAHAAN"
    PELAKU_USAHA_PERSEORANGAN = "PELAKU_USAHA_PERSEORANGAN"
    BADAN_USAHA_PEMERINTAH = "BADAN_USAHA_PEMERINTAH"
    PERSEORANGAN = "PERSEORANGAN"
    YAYASAN = "YAYASAN"
    KEDUTAAN_ASING = "KEDUTAAN_ASING"
    KEMENTERIAN_LEMBAGA_DAERAH = "KEMENTERIAN_LEMBAGA_DAERAH"


class BusinessType(StrEnum):
    """The ten business types (Jenis Usaha) of manual §5.2.5 (R6)."""

    IMPORTIR = "IMPORTIR"
    KEK = "KEK"
    EKSPORTIR = "EKSPORTIR"
    PPJK = "PPJK"
    PENGANGKUT = "PENGANGKUT"
    PJT = "PJT"
    NVOCC = "NVOCC"
    TPS = "TPS"
    TEMPAT_PENIMBUNAN_BERIKAT = "TEMPAT_PENIMBUNAN_BERIKAT"
    PENGGUNA_JASA_KEPABEANAN_LAINNYA = "PENGGUNA_JASA_KEPABEANAN_LAINNYA"


class IdentityKind(StrEnum):
    """How the applicant proves identity (R9)."""

    NIK = "NIK"
    PASSPORT = "PASSPORT"


WITHOUT_IDENTIFIER = "-"
"""How the form writes "Tanpa NIB" / "Tanpa NPWP" (R3, R4)."""


def _one_of(values: type[StrEnum], rule: str, *, each: bool = False) -> dict[str, Any]:
    """Field metadata publishing the accepted values (AsyncAPI, JSON schema) without enforcing them.

    The model stays lenient (see the module docstring): another value parses and
    becomes a ``REJECTED`` decision naming ``rule``. ``x-insw-values`` lists what
    is accepted, so portals read the enumeration from the contract.
    """
    what = "Each item is one of" if each else "One of"
    return {
        "description": f"{what} x-insw-values ({rule}); any other value is read and the "
        f"submission REJECTED naming {rule}.",
        "json_schema_extra": {"x-insw-values": [v.value for v in values]},
    }


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class RequestInfo(_Lenient):
    """Step 1, request information (§5.1)."""

    purpose: str | None = Field(default=None, **_one_of(Purpose, "R1"))
    user_kind: str | None = Field(
        default=None,
        max_length=100,
        description=(
            "Jenis Pengguna (manual §5.1 step 2): the classification the applicant picked for "
            "themselves or their organisation, recorded as chosen. The manual lists no values, "
            "so the hub records it and decides nothing on it; absent in older messages."
        ),
    )


class CustomsExpert(_Lenient):
    """The customs expert a PPJK employs (PER-21 Art. 1(8), 15(3); rule C5).

    Only the Customs Expert Certificate's number: customs checks the holder
    against the certificate register, so no name travels (personal data).
    """

    certificate_number: str | None = None


class TransportMeans(_Lenient):
    """One means of transport a carrier operates (PER-21 Art. 15(4), 24(3); rule C5)."""

    mode: str | None = Field(default=None, description="SEA, AIR, LAND or RAIL")
    identifier: str | None = Field(
        default=None, description="SEA: IMO number (IMO + 7 digits); else its registration mark"
    )
    name: str | None = Field(default=None, description="Vessel, aircraft or vehicle name")


class Organisation(_Lenient):
    """Step 2, organisation data (§5.2), with the PPJK's and carrier's extra data (C5)."""

    trader_type: str | None = Field(default=None, **_one_of(TraderType, "R2"))
    nib: str | None = None
    npwp: str | None = None
    name: str | None = None
    business_types: list[str] = Field(
        default_factory=list, **_one_of(BusinessType, "R6", each=True)
    )
    address: str | None = None
    customs_expert: CustomsExpert | None = None
    transport_means: list[TransportMeans] = Field(default_factory=list)


class ApplicantIdentity(_Lenient):
    """The applicant's population NIK or passport number (R9)."""

    kind: str | None = Field(default=None, **_one_of(IdentityKind, "R9"))
    number: str | None = None


class Applicant(_Lenient):
    """Step 3, applicant data (§5.3)."""

    full_name: str | None = None
    position: str | None = None
    identity: ApplicantIdentity = Field(default_factory=ApplicantIdentity)
    email: str | None = None
    phone: str | None = None


class DocumentRef(_Lenient):
    """Claim check for an uploaded document: never the bytes themselves.

    The Surat Kuasa lives in the document store; the message carries its id,
    SHA-256 and size so the hub can prove which file was decided on.
    """

    document_id: str | None = None
    sha256: str | None = None
    size_bytes: int | None = None
    media_type: str | None = None


class Attachments(_Lenient):
    """Step 4 uploads (§5.4)."""

    power_of_attorney: DocumentRef | None = None


class Consent(_Lenient):
    """Acceptance of the terms and conditions (R12, manual §4.1.2)."""

    accepted: bool = False
    accepted_at: datetime | None = None
    terms_version: str | None = None


class RegistrationSubmitted(_Lenient):
    """One application for an INSW transaction account."""

    submission_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    submitted_at: datetime
    request: RequestInfo = Field(default_factory=RequestInfo)
    organisation: Organisation = Field(default_factory=Organisation)
    applicant: Applicant = Field(default_factory=Applicant)
    attachments: Attachments = Field(default_factory=Attachments)
    consent: Consent = Field(default_factory=Consent)
