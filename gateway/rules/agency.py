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
    VerificationCompleted,
)
from gateway.rules.identifiers import parse_npwp
from gateway.rules.names import same_person_name

INACTIVE_NIB = frozenset({NibStatus.DIBEKUKAN, NibStatus.DICABUT})
"""A frozen or revoked NIB must not be approved (OSS PIA status 05 and 06)."""


def referral_reasons(results: Mapping[Check, VerificationCompleted]) -> list[Reason]:
    """Why people must decide: an agency that could not answer or refused to (R13)."""
    reasons = []
    for check, result in sorted(results.items()):
        field = _FIELD[check]
        if result.outcome is CheckOutcome.UNAVAILABLE:
            reasons.append(rc.AGENCY_UNAVAILABLE.at(field))
        elif result.outcome is CheckOutcome.INVALID:
            reasons.append(rc.AGENCY_REFUSED.at(field))
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
    npwp_canonical: str | None,
) -> list[Reason]:
    """Every reason the agencies' facts give to reject, in rule order."""
    reasons: list[Reason] = []
    nib = results.get(Check.NIB)
    if nib is not None:
        reasons += _nib_reasons(nib, applicant_name, applicant_nik, npwp_canonical)
    npwp = results.get(Check.NPWP)
    if npwp is not None:
        if npwp.outcome is CheckOutcome.NOT_FOUND:
            reasons.append(rc.NPWP_NOT_FOUND.at("organisation.npwp"))
        elif npwp.npwp_record is not None and not npwp.npwp_record.active:
            reasons.append(rc.NPWP_NOT_ACTIVE.at("organisation.npwp"))
    nik = results.get(Check.NIK)
    if nik is not None and nik.outcome in (CheckOutcome.NOT_FOUND, CheckOutcome.MISMATCH):
        reasons.append(rc.NIK_NOT_VERIFIED.at("applicant.identity.number"))
    return reasons


def _nib_reasons(
    result: VerificationCompleted,
    applicant_name: str,
    applicant_nik: str | None,
    npwp_canonical: str | None,
) -> list[Reason]:
    if result.outcome is CheckOutcome.NOT_FOUND:
        return [rc.NIB_NOT_FOUND.at("organisation.nib")]
    record = result.nib_record
    if record is None:
        return []
    reasons = []
    if record.status in INACTIVE_NIB:
        reasons.append(rc.NIB_NOT_ACTIVE.at("organisation.nib"))
    if npwp_canonical is not None and record.npwp:
        on_record = parse_npwp(record.npwp)
        if on_record is None or on_record.canonical != npwp_canonical:
            reasons.append(rc.NPWP_NIB_MISMATCH.at("organisation.npwp"))
    if not is_responsible_person(record, applicant_name, applicant_nik):
        reasons.append(rc.APPLICANT_NOT_RESPONSIBLE_PERSON.at("applicant.full_name"))
    return reasons


def is_responsible_person(record: NibRecord, name: str, nik: str | None) -> bool:
    """R8: the applicant is listed on the NIB, by name and, where both have one, by KTP number."""
    for person in record.responsible_persons:
        if not same_person_name(person.name, name):
            continue
        if nik is not None and person.identity_type == "KTP" and person.identity_number != nik:
            continue
        return True
    return False
