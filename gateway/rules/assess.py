"""First half of the one decision pipeline: what a submission is, before any agency answers.

:func:`assess` is pure: the submission, the day it is judged and what the
document store holds in, an :class:`Assessment` out. The assessment is
stored with the pending application, so everything that decides later (the
answer handler, officers, re-checks, what-if) reads the identifiers that
were asked instead of deriving them again, and
:func:`gateway.rules.decide.decide` finishes the pipeline.

It also says, up front, which facts no agency can prove for this
application (a passport, an organisation without an NIB): such an
application is never approved by the hub alone (R13, fail closed).
"""

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from contracts import reasons as rc
from contracts.agencies import SHIPPED, Agencies, AgencySpec
from contracts.reasons import Reason
from contracts.registration import WITHOUT_IDENTIFIER, IdentityKind, RegistrationSubmitted
from contracts.verification import AgencyAnswer, VerificationRequested
from gateway.rules.documents import StoredFacts, document_reasons
from gateway.rules.form import FormResult, check_form
from gateway.rules.identifiers import nik_region_known
from gateway.rules.names import normalise_name

FormRule = Callable[[RegistrationSubmitted, date], list[Reason]]
"""A rule judged on the form alone, added beside R1 to R12 (its reasons name its rule)."""


class Applicant(BaseModel):
    """Who applies, as the rules over agency answers need it."""

    model_config = ConfigDict(frozen=True)

    full_name: str
    identity_kind: str | None = None
    identity_number: str | None = None


class Assessment(BaseModel):
    """What the form says, which agencies must be asked, and what no agency can prove.

    ``reasons`` reject the submission without asking anyone; ``identifiers``
    maps each check to the identifier its agency is asked about;
    ``unproven`` are facts that keep the hub from approving on its own.
    """

    model_config = ConfigDict(frozen=True)

    submission_id: str
    reasons: list[Reason] = Field(default_factory=list)
    identifiers: dict[str, str] = Field(default_factory=dict)
    unproven: list[Reason] = Field(default_factory=list)
    warnings: list[Reason] = Field(default_factory=list)
    """Soft signals for the decision (R9: a region code the hub's table lacks)."""
    applicant: Applicant

    @property
    def questions(self) -> dict[str, str]:
        """The id of each question to ask, by check."""
        return {
            check: request_id(self.submission_id, check, identifier)
            for check, identifier in self.identifiers.items()
        }

    @property
    def checks_needed(self) -> tuple[str, ...]:
        """The checks to ask, in the order the identifiers were assessed (spec order)."""
        return tuple(self.identifiers)

    @property
    def form_passed(self) -> bool:
        """No reason rejects the submission on its form."""
        return not self.reasons


def assess(
    sub: RegistrationSubmitted,
    today: date,
    documents: Mapping[str, StoredFacts],
    agencies: Agencies = SHIPPED,
    extra_rules: Sequence[FormRule] = (),
) -> Assessment:
    """Judge the form (R1 to R12 and ``extra_rules``) and the Surat Kuasa; plan the checks."""
    form = check_form(sub, today)
    reasons = list(form.reasons)
    reference = sub.attachments.power_of_attorney
    found = documents.get(reference.document_id or "") if reference else None
    reasons += document_reasons(reference, found)
    for rule in extra_rules:
        reasons += rule(sub, today)
    identifiers = {} if reasons else _identifiers(sub, form, agencies)
    identity = sub.applicant.identity
    return Assessment(
        submission_id=sub.submission_id,
        reasons=reasons,
        identifiers=identifiers,
        unproven=[] if reasons else _unprovable(sub, identifiers, agencies),
        warnings=_warnings(form),
        applicant=Applicant(
            full_name=(sub.applicant.full_name or "").strip(),
            identity_kind=identity.kind,
            identity_number=(identity.number or "").strip() or None,
        ),
    )


def _identifiers(
    sub: RegistrationSubmitted, form: FormResult, agencies: Agencies
) -> dict[str, str]:
    """The identifier each agency is asked about; agencies whose field is empty are not asked.

    The shipped fields use the form's canonical values (an NPWP without its
    dots, a NIK only when the identity is a NIK); another agency's field is
    read as written.
    """
    canonical: dict[str, str | None] = {
        "organisation.nib": form.nib,
        "organisation.npwp": form.npwp.digits if form.npwp else None,
        "applicant.identity.number": form.nik,
    }
    found: dict[str, str] = {}
    for spec in agencies.specs:
        value = canonical[spec.field] if spec.field in canonical else _written(sub, spec.field)
        if value:
            found[spec.check] = value
    return found


def _warnings(form: FormResult) -> list[Reason]:
    """R9 leaves existence to Dukcapil: an unknown region code is only worth a warning."""
    if form.nik is not None and not nik_region_known(form.nik):
        return [rc.NIK_REGION_UNKNOWN.at("applicant.identity.number")]
    return []


def _written(sub: RegistrationSubmitted, path: str) -> str | None:
    """The value at a dotted field path, stripped; ``None`` when blank or "Tanpa" (``-``)."""
    node: object = sub
    for part in path.split("."):
        node = getattr(node, part, None)
    if not isinstance(node, str):
        return None
    value = node.strip()
    return None if not value or value == WITHOUT_IDENTIFIER else value


def _unprovable(
    sub: RegistrationSubmitted, identifiers: Mapping[str, str], agencies: Agencies
) -> list[Reason]:
    """Facts of a valid form that no agency asked can prove: an officer must see them.

    The applicant's identity is proven only by the agency that owns the
    applicant's identity field (Dukcapil, for a NIK); that the applicant
    speaks for the organisation only by the agency that owns the NIB (OSS).
    """
    reasons = []
    owners = {spec.field: spec for spec in agencies.specs}
    identity_owner = owners.get("applicant.identity.number")
    if identity_owner is None or identity_owner.check not in identifiers:
        kind = sub.applicant.identity.kind
        field = "applicant.identity.number" if kind == IdentityKind.PASSPORT else "applicant"
        reasons.append(rc.IDENTITY_NOT_PROVEN.at(field))
    organisation_owner = owners.get("organisation.nib")
    if organisation_owner is None or organisation_owner.check not in identifiers:
        reasons.append(rc.ORGANISATION_NOT_PROVEN.at("organisation.nib"))
    return reasons


def request_id(submission_id: str, check: str, identifier: str) -> str:
    """The id of the question about ``identifier``: the same question always has the same id.

    Deterministic, so a re-check or a redelivered submission asks the same
    question and an answer to it still counts; an answer carrying another
    submission's id or identifier does not.
    """
    digest = hashlib.sha256(f"{submission_id}|{check}|{identifier}".encode()).hexdigest()
    return digest[:32]


def question_of(answer: AgencyAnswer) -> str:
    """The id of the question ``answer`` is about, computed from what it says it answers.

    Stores file answers under this id: an answer about another identifier
    (a stray, a forgery, a replay for another submission) lands beside the
    real one instead of replacing it, and never completes an application.
    """
    return request_id(answer.submission_id, answer.check, answer.identifier or "")


def verification_requests(
    assessment: Assessment,
    agencies: Agencies = SHIPPED,
    only: frozenset[str] | None = None,
) -> list[tuple[AgencySpec, VerificationRequested]]:
    """One question per identifier to ask (``only`` those checks, when given), with its spec."""
    sid = assessment.submission_id
    name = normalise_name(assessment.applicant.full_name)
    questions = []
    for check, identifier in assessment.identifiers.items():
        if only is not None and check not in only:
            continue
        spec = agencies.spec(check)
        questions.append(
            (
                spec,
                VerificationRequested(
                    submission_id=sid,
                    check=check,
                    identifier=identifier,
                    request_id=request_id(sid, check, identifier),
                    # Name-matching agencies compare strictly: no titles or degrees.
                    full_name=name if spec.sends_name else None,
                ),
            )
        )
    return questions
