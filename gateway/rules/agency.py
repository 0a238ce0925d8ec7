"""Rules over the agencies' answers: R3, R4, R8 and R9 checked at the source.

The form is not trusted for facts an agency owns: whether the NIB is active,
whether the applicant is a responsible person on it, whether the NPWP agrees
with the NIB record, whether the NIK and name match the civil registry.
"""

from collections.abc import Mapping

from contracts import reasons as rc
from contracts.reasons import Reason
from contracts.verification import (
    Check,
    CheckOutcome,
    NibRecord,
    NibStatus,
    NpwpRecord,
    VerificationCompleted,
)
from gateway.rules.identifiers import Npwp, parse_npwp
from gateway.rules.names import same_company_name, same_person_name

INACTIVE_NIB = frozenset({NibStatus.DIBEKUKAN, NibStatus.DICABUT})
"""A frozen or revoked NIB must not be approved (OSS PIA status 05 and 06)."""


def referral_reasons(results: Mapping[Check, VerificationCompleted]) -> list[Reason]:
    """Why people must decide (R13): an agency could not answer, or the data is ambiguous."""
    reasons = []
    for check, result in sorted(results.items()):
        field = _FIELD[check]
        if result.outcome is CheckOutcome.UNAVAILABLE:
            reasons.append(rc.AGENCY_UNAVAILABLE.at(field))
        elif result.outcome is CheckOutcome.INVALID:
            reasons.append(rc.AGENCY_REFUSED.at(field))
    return reasons + ambiguity_reasons(results)


def ambiguity_reasons(results: Mapping[Check, VerificationCompleted]) -> list[Reason]:
    """Facts that neither allow nor forbid approval: an officer must look.

    An NIB that is issued but not yet active (OSS status 02) is neither frozen
    nor usable; a taxpayer name at DJP that is not the company name at OSS may
    be a renamed company or a wrong NPWP. Neither is a silent approval.
    """
    reasons = []
    nib = results.get(Check.NIB)
    record = nib.nib_record if nib is not None else None
    if record is not None and record.status is NibStatus.BELUM_AKTIF:
        reasons.append(rc.NIB_NOT_YET_ACTIVE.at("organisation.nib"))
    npwp = results.get(Check.NPWP)
    taxpayer = npwp.npwp_record if npwp is not None else None
    if (
        record is not None
        and taxpayer is not None
        and taxpayer.taxpayer_type in (None, "BADAN")
        and not same_company_name(record.company_name, taxpayer.taxpayer_name)
    ):
        reasons.append(rc.NPWP_NAME_DIFFERS.at("organisation.npwp"))
    return reasons


_FIELD = {
    Check.NIB: "organisation.nib",
    Check.NPWP: "organisation.npwp",
    Check.NIK: "applicant.identity.number",
}


def rejection_reasons(
    results: Mapping[Check, VerificationCompleted],
    *,
    applicant_name: str,
    applicant_nik: str | None,
    npwp: Npwp | None,
) -> list[Reason]:
    """Every reason the agencies' facts give to reject, in rule order."""
    reasons: list[Reason] = []
    taxpayer = results.get(Check.NPWP)
    nib = results.get(Check.NIB)
    if nib is not None:
        djp = taxpayer.npwp_record if taxpayer is not None else None
        reasons += _nib_reasons(nib, applicant_name, applicant_nik, npwp, djp)
    npwp_result = taxpayer
    if npwp_result is not None:
        if npwp_result.outcome is CheckOutcome.NOT_FOUND:
            reasons.append(rc.NPWP_NOT_FOUND.at("organisation.npwp"))
        elif npwp_result.npwp_record is not None and not npwp_result.npwp_record.active:
            reasons.append(rc.NPWP_NOT_ACTIVE.at("organisation.npwp"))
    nik = results.get(Check.NIK)
    if nik is not None and nik.outcome in (CheckOutcome.NOT_FOUND, CheckOutcome.MISMATCH):
        reasons.append(rc.NIK_NOT_VERIFIED.at("applicant.identity.number"))
    return reasons


def _nib_reasons(
    result: VerificationCompleted,
    applicant_name: str,
    applicant_nik: str | None,
    npwp: Npwp | None,
    djp: NpwpRecord | None,
) -> list[Reason]:
    if result.outcome is CheckOutcome.NOT_FOUND:
        return [rc.NIB_NOT_FOUND.at("organisation.nib")]
    record = result.nib_record
    if record is None:
        return []
    reasons = []
    if record.status in INACTIVE_NIB:
        reasons.append(rc.NIB_NOT_ACTIVE.at("organisation.nib"))
    if npwp is not None and record.npwp and not npwp_agrees(record.npwp, npwp, djp):
        reasons.append(rc.NPWP_NIB_MISMATCH.at("organisation.npwp"))
    if not is_responsible_person(record, applicant_name, applicant_nik):
        reasons.append(rc.APPLICANT_NOT_RESPONSIBLE_PERSON.at("applicant.full_name"))
    return reasons


def npwp_agrees(on_nib: str, submitted: Npwp, djp: NpwpRecord | None) -> bool:
    """R4: the NPWP on the NIB is the submitted one, in either of its written forms.

    DJP's record for the submitted NPWP lists both forms, which is the only way
    to tell that a personal 15-digit NPWP and a NIK are the same number.
    """
    on_record = parse_npwp(on_nib)
    if on_record is None:
        return False
    if on_record.same_as(submitted):
        return True
    return djp is not None and on_record.digits in {djp.npwp, djp.npwp15}


def is_responsible_person(record: NibRecord, name: str, nik: str | None) -> bool:
    """R8: the applicant is listed on the NIB, by name and, where both have one, by KTP number."""
    for person in record.responsible_persons:
        if not same_person_name(person.name, name):
            continue
        if nik is not None and person.identity_type == "KTP" and person.identity_number != nik:
            continue
        return True
    return False
