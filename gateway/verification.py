"""Which agencies to ask about a submission whose form passed, and how to ask."""

from contracts import topics
from contracts.registration import RegistrationSubmitted
from contracts.verification import Check, VerificationRequested
from gateway.rules.form import FormResult
from gateway.rules.names import normalise_name

REQUEST_TOPIC = {
    Check.NIB: topics.NIB_VERIFICATION_REQUESTED,
    Check.NPWP: topics.NPWP_VERIFICATION_REQUESTED,
    Check.NIK: topics.NIK_VERIFICATION_REQUESTED,
}


def required_checks(sub: RegistrationSubmitted, form: FormResult) -> list[VerificationRequested]:
    """One request per identifier the applicant gave: NIB at OSS, NPWP at DJP, NIK at Dukcapil.

    A passport holder is not checked at Dukcapil (it holds no passports); an
    organisation registering "Tanpa NIB/NPWP" is not checked at OSS/DJP.
    """
    requests = []
    if form.nib is not None:
        requests.append(
            VerificationRequested(
                submission_id=sub.submission_id, check=Check.NIB, identifier=form.nib
            )
        )
    if form.npwp is not None:
        requests.append(
            VerificationRequested(
                submission_id=sub.submission_id, check=Check.NPWP, identifier=form.npwp.digits
            )
        )
    if form.nik is not None:
        requests.append(
            VerificationRequested(
                submission_id=sub.submission_id,
                check=Check.NIK,
                identifier=form.nik,
                # Dukcapil compares names strictly: send it without titles and degrees.
                full_name=normalise_name(sub.applicant.full_name or ""),
            )
        )
    return requests
