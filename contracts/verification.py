"""Internal verification messages between the gateway and the agency adapters.

The gateway asks each agency one question per submission; each adapter answers
with a :class:`VerificationCompleted` on one shared topic. Answers carry the
agency's facts mapped to the hub's words, not the agency's wire format, so the
gateway's rules never depend on how OSS, DJP or Dukcapil spell things.
"""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class Check(StrEnum):
    """The checks of the three agencies the hub ships with.

    A check is a plain string on the wire and in the models: the agencies are
    data (:mod:`contracts.agencies`), and a new one needs no new member here.
    """

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

    ``request_id`` names this question; the answer repeats it and the
    identifier asked, so the gateway can tell an answer to *this* question
    from a stray or a replay for another submission. ``full_name`` is only
    sent to agencies whose spec asks for it (Dukcapil matches NIK and name
    together).
    """

    submission_id: str
    check: str
    identifier: str
    request_id: str | None = None
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


class AgencyAnswer(_Frozen):
    """One agency's answer for one submission: what every agency's answer has in common.

    ``identifier`` and ``request_id`` echo the question (see
    :class:`VerificationRequested`); an answer that does not echo them proves
    nothing about the identifier asked. Agencies with facts of their own
    extend this model (:class:`NibAnswer`, ...); an agency whose answer is
    only an outcome uses it as it is.
    """

    submission_id: str
    check: str
    outcome: CheckOutcome
    identifier: str | None = None
    request_id: str | None = None
    detail: str | None = Field(default=None, description="Why, in words free of personal data")

    def answers(self, request: VerificationRequested) -> bool:
        """This answer is about ``request``'s identifier (and request, when both name one)."""
        if self.check != request.check or self.identifier != request.identifier:
            return False
        return self.request_id is None or self.request_id == request.request_id


class NibAnswer(AgencyAnswer):
    """OSS's answer: the NIB record when the NIB exists."""

    check: Literal["NIB"] = "NIB"
    nib_record: NibRecord | None = None


class NpwpAnswer(AgencyAnswer):
    """DJP's answer: the taxpayer record when the NPWP exists."""

    check: Literal["NPWP"] = "NPWP"
    npwp_record: NpwpRecord | None = None


class NikAnswer(AgencyAnswer):
    """Dukcapil's answer: match flags for the NIK and the name, never the person's record."""

    check: Literal["NIK"] = "NIK"
    nik_match: NikMatch | None = None


VerificationCompleted = Annotated[NibAnswer | NpwpAnswer | NikAnswer, Field(discriminator="check")]
"""``insw.verification.completed.v1``: the answers of the shipped agencies, keyed by ``check``."""

VERIFICATION_COMPLETED: TypeAdapter[NibAnswer | NpwpAnswer | NikAnswer] = TypeAdapter(
    VerificationCompleted
)
"""Validates the union; :mod:`contracts.agencies` decodes any registered agency's answer."""
