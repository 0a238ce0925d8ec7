"""Second half of the one decision pipeline: the assessment and the agencies' answers, decided.

``APPROVED`` only when the form passed and every fact a rule needs was
proven, by the agency that owns it, for the identifier asked; ``REJECTED``
when the form or a proven fact forbids approval, with every reason found;
``REFERRED`` to an officer for everything in between, saying what was not
proven (R13). An answer that is not about the identifier asked counts as no
answer at all.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from contracts import reasons as rc
from contracts.agencies import SHIPPED, Agencies
from contracts.decision import Outcome
from contracts.reasons import Reason
from contracts.verification import AgencyAnswer
from gateway.rules.agency import JUDGES, Finding, Judge, judge_outcome
from gateway.rules.assess import Assessment


@dataclass(frozen=True)
class Verdict:
    """Outcome and its reasons, before ids, times and usernames are attached."""

    outcome: Outcome
    reasons: list[Reason]


def accepted_answers(
    assessment: Assessment, answers: Mapping[str, AgencyAnswer]
) -> dict[str, AgencyAnswer]:
    """The answers that answer the questions asked: same submission, check, identifier, request.

    An answer that does not echo the question's request id is not accepted:
    only an adapter that saw the question can give one (issue 11, answers
    tied to their questions).
    """
    accepted = {}
    for check, question in assessment.questions.items():
        answer = answers.get(check)
        if (
            answer is not None
            and answer.submission_id == assessment.submission_id
            and answer.check == check
            and answer.identifier == assessment.identifiers[check]
            and answer.request_id == question
        ):
            accepted[check] = answer
    return accepted


def decide(
    assessment: Assessment,
    answers: Mapping[str, AgencyAnswer],
    agencies: Agencies = SHIPPED,
    judges: Mapping[str, Judge] = JUDGES,
) -> Verdict:
    """The single decision for an assessed submission, given the answers in so far."""
    if assessment.reasons:
        return Verdict(Outcome.REJECTED, list(assessment.reasons))
    accepted = accepted_answers(assessment, answers)
    total = Finding()
    for check in assessment.checks_needed:
        spec = agencies.spec(check)
        answer = accepted.get(check)
        if answer is None:
            code = (
                rc.AGENCY_ANSWER_FOR_OTHER_IDENTIFIER if check in answers else rc.AGENCY_UNAVAILABLE
            )
            total.referrals.append(code.at(spec.field))
            continue
        finding = judges.get(check, judge_outcome)(spec, answer, assessment, accepted)
        total.rejections += finding.rejections
        total.referrals += finding.referrals
    if total.rejections:
        return Verdict(Outcome.REJECTED, total.rejections)
    referrals = total.referrals + list(assessment.unproven)
    if referrals:
        return Verdict(Outcome.REFERRED, referrals)
    return Verdict(Outcome.APPROVED, [])
