"""Internal verification messages between the gateway and the agency adapters.

The gateway asks each agency one question per submission; each adapter answers
with a :class:`VerificationCompleted` on one shared topic. Answers carry the
agency's facts mapped to the hub's words, not the agency's wire format, so the
gateway's rules never depend on how OSS, DJP or Dukcapil spell things.
"""

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Check(StrEnum):
    """Which identifier is being verified, and so which agency answers."""

    NIB = "NIB"
    NPWP = "NPWP"
    NIK = "NIK"


class CheckOutcome(StrEnum):
    """What the agency said about the identifier."""

    VERIFIED = "VERIFIED"
    MISMATCH = "MISMATCH"
    NOT_FOUND = "NOT_FOUND"
    INVALID = "INVALID"
    UNAVAILABLE = "UNAVAILABLE"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class VerificationRequested(_Frozen):
    """Ask one agency about one identifier of one submission.

    ``full_name`` is only sent to Dukcapil, whose answer is a set of match
    flags for the NIK and the name together.
    """

    submission_id: str
    check: Check
    identifier: str
    full_name: str | None = None


class ResponsiblePerson(_Frozen):
    """A Penanggung Jawab listed on an NIB record at OSS."""

    identity_type: Literal["KTP", "PASSPORT"]
    identity_number: str
    name: str
    position: str | None = None


class NibStatus(StrEnum):
    """OSS NIB status codes (PIA v4.3: 01 to 06)."""

    AKTIF = "01"
    BELUM_AKTIF = "02"
    DIIZINKAN_USAHA = "03"
    DIIZINKAN_BEROPERASI = "04"
    DIBEKUKAN = "05"
    DICABUT = "06"


class NibRecord(_Frozen):
    """The NIB facts the rules need, as OSS holds them."""

    nib: str
    company_name: str
    npwp: str | None = None
    actor_type: str | None = None
    status: NibStatus
    kbli: list[str] = Field(default_factory=list)
    responsible_persons: list[ResponsiblePerson] = Field(default_factory=list)


class NpwpRecord(_Frozen):
    """The NPWP facts the rules need, as DJP holds them.

    ``npwp`` is the 16-digit form; ``npwp15`` the legacy form where one exists.
    """

    npwp: str
    npwp15: str | None = None
    active: bool
    taxpayer_name: str
    taxpayer_type: str | None = None


class NikMatch(_Frozen):
    """Dukcapil's match flags: never the person's record itself."""

    nik_found: bool
    name_matches: bool


class VerificationCompleted(_Frozen):
    """One agency's answer for one submission."""

    submission_id: str
    check: Check
    outcome: CheckOutcome
    detail: str | None = Field(default=None, description="Why, in words free of personal data")
    nib_record: NibRecord | None = None
    npwp_record: NpwpRecord | None = None
    nik_match: NikMatch | None = None
