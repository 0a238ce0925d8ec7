"""Rules over the agencies' answers: R3, R4, R8 and R9 checked at the source, failing closed.

The form is not trusted for facts an agency owns: whether the NIB is active,
whether the applicant is a responsible person on it, whether the NPWP agrees
with the NIB record, whether the NIK and name match the civil registry.

Fail closed: an agency's fact counts only when the answer carries it. A
VERIFIED answer without its record, a NIK answer whose flags contradict its
outcome, a name that matches without a proven number: each is *not proven*,
and the application goes to an officer (REFERRED), never to approval.

One judge per check; an agency with no judge of its own (a new one) is
judged by :func:`judge_outcome`, which passes only VERIFIED.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from contracts import reasons as rc
from contracts.agencies import AgencySpec
from contracts.reasons import Reason, ReasonCode
from contracts.registration import IdentityKind
from contracts.verification import (
    AgencyAnswer,
    Check,
    CheckOutcome,
    NibAnswer,
    NibRecord,
    NibStatus,
    NikAnswer,
    NpwpAnswer,
    NpwpRecord,
)
from gateway.rules.assess import Assessment
from gateway.rules.identifiers import Npwp, parse_npwp
from gateway.rules.names import same_company_name, same_person_name

INACTIVE_NIB = frozenset({NibStatus.DIBEKUKAN, NibStatus.DICABUT})
"""A frozen or revoked NIB must not be approved (OSS PIA status 05 and 06)."""


@dataclass
class Finding:
    """What one agency's answer says: reasons to reject, and reasons an officer must look."""

    rejections: list[Reason] = field(default_factory=list)
    referrals: list[Reason] = field(default_factory=list)


Judge = Callable[[AgencySpec, AgencyAnswer, Assessment, Mapping[str, AgencyAnswer]], Finding]
"""Judges one check's answer, given the assessment and every other accepted answer."""


def judge_outcome(
    spec: AgencySpec,
    answer: AgencyAnswer,
    assessment: Assessment,
    answers: Mapping[str, AgencyAnswer],
) -> Finding:
    """The rule every check shares: VERIFIED passes, a negative answer rejects, else refer."""
    return _unless_verified(spec, answer) or Finding()


def _unless_verified(
    spec: AgencySpec, answer: AgencyAnswer, not_found: ReasonCode | None = None
) -> Finding | None:
    """What an answer that is not VERIFIED says; ``None`` when it is (its facts decide)."""
    if answer.outcome is CheckOutcome.VERIFIED:
        return None
    if answer.outcome is CheckOutcome.UNAVAILABLE:
        return Finding(referrals=[rc.AGENCY_UNAVAILABLE.at(spec.field)])
    if answer.outcome is CheckOutcome.INVALID:
        return Finding(referrals=[rc.AGENCY_REFUSED.at(spec.field)])
    if not_found is not None:
        return Finding(rejections=[not_found.at(spec.field)])
    return Finding(rejections=[_not_verified(spec)])


def _not_verified(spec: AgencySpec) -> Reason:
    code = rc.AGENCY_NOT_VERIFIED
    rule = spec.settles[0] if spec.settles else code.rule
    return Reason(
        code=code.code, rule=rule, field=spec.field, text_id=code.text_id, text_en=code.text_en
    )


_NIB_NEGATIVE = {CheckOutcome.NOT_FOUND: rc.NIB_NOT_FOUND}
_NPWP_NEGATIVE = {CheckOutcome.NOT_FOUND: rc.NPWP_NOT_FOUND}
"""Only NOT_FOUND has a code of its own; a MISMATCH from OSS or DJP means nothing the rules
name, so it rejects with the generic AGENCY_NOT_VERIFIED."""


def _incomplete(spec: AgencySpec) -> Finding:
    return Finding(referrals=[rc.AGENCY_ANSWER_INCOMPLETE.at(spec.field)])


def judge_nib(
    spec: AgencySpec,
    answer: AgencyAnswer,
    assessment: Assessment,
    answers: Mapping[str, AgencyAnswer],
) -> Finding:
    """R3 (NIB exists and is active), R4 (its NPWP is the one submitted), R8 (applicant on it)."""
    unverified = _unless_verified(spec, answer, not_found=_NIB_NEGATIVE.get(answer.outcome))
    if unverified is not None:
        return unverified
    record = answer.nib_record if isinstance(answer, NibAnswer) else None
    if record is None or record.nib != assessment.identifiers.get(spec.check):
        return _incomplete(spec)
    finding = Finding()
    if record.status in INACTIVE_NIB:
        finding.rejections.append(rc.NIB_NOT_ACTIVE.at(spec.field))
    elif record.status is NibStatus.BELUM_AKTIF:
        finding.referrals.append(rc.NIB_NOT_YET_ACTIVE.at(spec.field))
    npwp = _submitted_npwp(assessment)
    taxpayer = _npwp_record(answers)
    if npwp is not None and record.npwp and not npwp_agrees(record.npwp, npwp, taxpayer):
        finding.rejections.append(rc.NPWP_NIB_MISMATCH.at("organisation.npwp"))
    match responsible_person(record, assessment):
        case Listed.NO:
            finding.rejections.append(rc.APPLICANT_NOT_RESPONSIBLE_PERSON.at("applicant.full_name"))
        case Listed.BY_NAME_ONLY:
            finding.referrals.append(rc.RESPONSIBLE_PERSON_NOT_PROVEN.at("applicant.full_name"))
    if (
        taxpayer is not None
        and taxpayer.taxpayer_type in (None, "BADAN")
        and not same_company_name(record.company_name, taxpayer.taxpayer_name)
    ):
        # A renamed company or a wrong NPWP: neither allows nor forbids approval.
        finding.referrals.append(rc.NPWP_NAME_DIFFERS.at("organisation.npwp"))
    return finding


def judge_npwp(
    spec: AgencySpec,
    answer: AgencyAnswer,
    assessment: Assessment,
    answers: Mapping[str, AgencyAnswer],
) -> Finding:
    """R4 at DJP: the NPWP exists, is active, and DJP's record is about the NPWP asked."""
    unverified = _unless_verified(spec, answer, not_found=_NPWP_NEGATIVE.get(answer.outcome))
    if unverified is not None:
        return unverified
    record = answer.npwp_record if isinstance(answer, NpwpAnswer) else None
    if record is None or not _about(record, assessment.identifiers.get(spec.check)):
        return _incomplete(spec)
    if not record.active:
        return Finding(rejections=[rc.NPWP_NOT_ACTIVE.at(spec.field)])
    return Finding()


def judge_nik(
    spec: AgencySpec,
    answer: AgencyAnswer,
    assessment: Assessment,
    answers: Mapping[str, AgencyAnswer],
) -> Finding:
    """R9 at Dukcapil: the NIK exists and the name matches; judged by the flags, not the label."""
    unverified = _unless_verified(spec, answer, not_found=rc.NIK_NOT_VERIFIED)
    if unverified is not None:
        return unverified
    match = answer.nik_match if isinstance(answer, NikAnswer) else None
    if match is None or not (match.nik_found and match.name_matches):
        # VERIFIED with flags that say otherwise: the answer contradicts itself.
        return _incomplete(spec)
    return Finding()


def _about(record: NpwpRecord, asked: str | None) -> bool:
    """DJP's record is about the NPWP asked, in either of its written forms."""
    parsed = parse_npwp(asked) if asked else None
    if parsed is None:
        return False
    return parsed.digits in {record.npwp, record.npwp15} or parsed.canonical == record.npwp


JUDGES: Mapping[str, Judge] = {Check.NIB: judge_nib, Check.NPWP: judge_npwp, Check.NIK: judge_nik}
"""The shipped agencies' judges; any other check is judged by :func:`judge_outcome`."""


def _submitted_npwp(assessment: Assessment) -> Npwp | None:
    asked = assessment.identifiers.get(Check.NPWP)
    return parse_npwp(asked) if asked else None


def _npwp_record(answers: Mapping[str, AgencyAnswer]) -> NpwpRecord | None:
    answer = answers.get(Check.NPWP)
    return answer.npwp_record if isinstance(answer, NpwpAnswer) else None


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


class Listed:
    """How the applicant appears among the NIB's responsible persons (R8)."""

    NO = "no"
    BY_NAME_ONLY = "by-name-only"
    PROVEN = "proven"


def responsible_person(record: NibRecord, assessment: Assessment) -> str:
    """R8: the applicant is listed on the NIB by name *and* by the identity number given.

    A name is public (it is printed on the NIB); only a matching identity
    number ties the applicant to the listed person. A NIK is then proven by
    Dukcapil; a passport number only by an officer.
    """
    applicant = assessment.applicant
    by_name = [
        p for p in record.responsible_persons if same_person_name(p.name, applicant.full_name)
    ]
    if not by_name:
        return Listed.NO
    wanted = "KTP" if applicant.identity_kind == IdentityKind.NIK else "PASSPORT"
    for person in by_name:
        if (
            person.identity_type == wanted
            and applicant.identity_number
            and person.identity_number.upper() == applicant.identity_number.upper()
        ):
            return Listed.PROVEN
    if applicant.identity_kind == IdentityKind.NIK and all(
        p.identity_type == "KTP" for p in by_name
    ):
        return Listed.NO  # listed by name, with another KTP number: someone else
    return Listed.BY_NAME_ONLY
