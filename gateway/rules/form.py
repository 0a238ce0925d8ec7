"""Format rules R1 to R12: what can be judged from the form alone.

Every violation is collected (the applicant should learn all problems at
once), each naming its field path and rule. The trader-type matrix follows
manual §5.2.2 and §5.2.3: see :data:`NIB_OPTIONAL` and :data:`NPWP_OPTIONAL`.
"""

from dataclasses import dataclass, field
from datetime import date

from contracts import reasons as rc
from contracts.reasons import Reason
from contracts.registration import (
    WITHOUT_IDENTIFIER,
    BusinessType,
    DocumentRef,
    IdentityKind,
    Purpose,
    RegistrationSubmitted,
    TraderType,
)
from gateway.rules import identifiers as ids
from gateway.rules.customs_data import check_customs_data

NIB_OPTIONAL = frozenset(
    {
        TraderType.YAYASAN,
        TraderType.KEDUTAAN_ASING,
        TraderType.PERSEORANGAN,
        TraderType.KEMENTERIAN_LEMBAGA_DAERAH,
    }
)
"""Trader types that may register "Tanpa NIB" (§5.2.2; §4.1.1 omits K/L/D, §5.2 wins)."""

NPWP_OPTIONAL = frozenset({TraderType.YAYASAN, TraderType.KEDUTAAN_ASING, TraderType.PERSEORANGAN})
"""Trader types that may register "Tanpa NPWP" (§5.2.3)."""

MAX_POWER_OF_ATTORNEY_BYTES = 1024 * 1024
"""R11: the Surat Kuasa may be at most 1 MB."""

POWER_OF_ATTORNEY_MEDIA_TYPE = "application/pdf"
"""R11: the Surat Kuasa is a PDF (manual §5.4.1), on every path, not only at intake."""

_SHA256_HEX = frozenset("0123456789abcdef")
_TRADER_TYPES = frozenset(t.value for t in TraderType)
_BUSINESS_TYPES = frozenset(b.value for b in BusinessType)


@dataclass(frozen=True)
class FormResult:
    """Violations found on the form, and the identifiers in their canonical form."""

    reasons: list[Reason] = field(default_factory=list)
    nib: str | None = None
    npwp: ids.Npwp | None = None
    nik: str | None = None
    phone: str | None = None


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _without(value: str | None) -> bool:
    return _blank(value) or (value or "").strip() == WITHOUT_IDENTIFIER


def check_form(sub: RegistrationSubmitted, today: date) -> FormResult:
    """Apply R1 to R12 to a submission; see the module docstring."""
    reasons: list[Reason] = []
    if sub.request.purpose != Purpose.TRANSAKSI:
        reasons.append(rc.PURPOSE_NOT_SUPPORTED.at("request.purpose"))
    org = sub.organisation
    trader = TraderType(org.trader_type) if org.trader_type in _TRADER_TYPES else None
    if trader is None:
        reasons.append(rc.TRADER_TYPE_UNKNOWN.at("organisation.trader_type"))
    nib = _check_nib(org.nib, trader, reasons)
    npwp = _check_npwp(org.npwp, trader, reasons)
    if _blank(org.name):
        reasons.append(rc.ORGANISATION_NAME_REQUIRED.at("organisation.name"))
    _check_business_types(org.business_types, reasons)
    check_customs_data(org, reasons)  # C5: a PPJK's expert, a carrier's transport means
    if _blank(org.address):
        reasons.append(rc.ADDRESS_REQUIRED.at("organisation.address"))
    nik = _check_applicant(sub, today, reasons)
    phone = _check_contacts(sub, reasons)
    _check_attachments(sub, reasons)
    if (
        not sub.consent.accepted
        or sub.consent.accepted_at is None
        or _blank(sub.consent.terms_version)
    ):
        reasons.append(rc.TERMS_NOT_ACCEPTED.at("consent.accepted"))
    return FormResult(reasons=reasons, nib=nib, npwp=npwp, nik=nik, phone=phone)


def form_facts(sub: RegistrationSubmitted) -> FormResult:
    """The canonical identifiers of a submission whose form already passed :func:`check_form`.

    Used when the agencies' answers are in: the form was judged at intake, so
    only the normalised values are needed, not a second full validation.
    """
    org, identity = sub.organisation, sub.applicant.identity
    nib = None if _without(org.nib) else (org.nib or "").strip()
    npwp = None if _without(org.npwp) else ids.parse_npwp((org.npwp or "").strip())
    nik = (identity.number or "").strip() if identity.kind == IdentityKind.NIK else None
    return FormResult(nib=nib, npwp=npwp, nik=nik, phone=ids.phone_e164(sub.applicant.phone or ""))


def _check_nib(value: str | None, trader: TraderType | None, reasons: list[Reason]) -> str | None:
    if _without(value):
        if trader is not None and trader not in NIB_OPTIONAL:
            reasons.append(rc.NIB_REQUIRED.at("organisation.nib"))
        return None
    nib = (value or "").strip()
    if not ids.is_nib(nib):
        reasons.append(rc.NIB_FORMAT.at("organisation.nib"))
        return None
    return nib


def _check_npwp(
    value: str | None, trader: TraderType | None, reasons: list[Reason]
) -> ids.Npwp | None:
    if _without(value):
        if trader is not None and trader not in NPWP_OPTIONAL:
            reasons.append(rc.NPWP_REQUIRED.at("organisation.npwp"))
        return None
    npwp = ids.parse_npwp((value or "").strip())
    if npwp is None:
        reasons.append(rc.NPWP_FORMAT.at("organisation.npwp"))
    return npwp


def _check_business_types(chosen: list[str], reasons: list[Reason]) -> None:
    if not chosen:
        reasons.append(rc.BUSINESS_TYPE_REQUIRED.at("organisation.business_types"))
    seen: set[str] = set()
    for index, kind in enumerate(chosen):
        path = f"organisation.business_types[{index}]"
        if kind not in _BUSINESS_TYPES:
            reasons.append(rc.BUSINESS_TYPE_UNKNOWN.at(path))
        elif kind in seen:
            reasons.append(rc.BUSINESS_TYPE_DUPLICATE.at(path))
        seen.add(kind)


def _check_applicant(sub: RegistrationSubmitted, today: date, reasons: list[Reason]) -> str | None:
    applicant = sub.applicant
    if _blank(applicant.full_name):
        reasons.append(rc.APPLICANT_NAME_REQUIRED.at("applicant.full_name"))
    if _blank(applicant.position):
        reasons.append(rc.APPLICANT_POSITION_REQUIRED.at("applicant.position"))
    number = (applicant.identity.number or "").strip()
    if applicant.identity.kind == IdentityKind.NIK:
        if ids.nik_problem(number, today) is not None:
            reasons.append(rc.NIK_FORMAT.at("applicant.identity.number"))
            return None
        return number
    if applicant.identity.kind == IdentityKind.PASSPORT:
        if not ids.is_passport(number):
            reasons.append(rc.PASSPORT_FORMAT.at("applicant.identity.number"))
        return None
    reasons.append(rc.IDENTITY_KIND_UNKNOWN.at("applicant.identity.kind"))
    return None


def _check_contacts(sub: RegistrationSubmitted, reasons: list[Reason]) -> str | None:
    if not ids.is_email((sub.applicant.email or "").strip()):
        reasons.append(rc.EMAIL_FORMAT.at("applicant.email"))
    phone = ids.phone_e164(sub.applicant.phone or "")
    if phone is None:
        reasons.append(rc.PHONE_FORMAT.at("applicant.phone"))
    return phone


def well_formed_reference(document: DocumentRef) -> bool:
    """R11's claim check is usable: a document id and a SHA-256 of 64 hexadecimal digits.

    Shared with the document-store rule, so a malformed reference is one
    reason (the form's), not also a digest mismatch.
    """
    digest = (document.sha256 or "").lower()
    return not _blank(document.document_id) and len(digest) == 64 and set(digest) <= _SHA256_HEX


def _check_attachments(sub: RegistrationSubmitted, reasons: list[Reason]) -> None:
    document = sub.attachments.power_of_attorney
    path = "attachments.power_of_attorney"
    if document is None:
        reasons.append(rc.POWER_OF_ATTORNEY_REQUIRED.at(path))
        return
    if not well_formed_reference(document):
        reasons.append(rc.POWER_OF_ATTORNEY_REFERENCE.at(path))
    if document.size_bytes is None or document.size_bytes > MAX_POWER_OF_ATTORNEY_BYTES:
        reasons.append(rc.POWER_OF_ATTORNEY_TOO_LARGE.at(f"{path}.size_bytes"))
    if (document.media_type or "").strip().lower() != POWER_OF_ATTORNEY_MEDIA_TYPE:
        reasons.append(rc.POWER_OF_ATTORNEY_NOT_PDF.at(f"{path}.media_type"))
