"""Every decision explains itself: which rules were applied and how each fared.

Form rules (R1 to R12) are applied to every submission. Some of them are also
checked at an agency: R3 and R8 at OSS, R4 at DJP, R9 at Dukcapil. A rule is
FAILED when a reason names it, UNDECIDED when the agency that would settle it
was not asked (the form already failed) or could not answer, or a referral
cites it (ambiguous data for an officer to settle), PASSED otherwise.
R13 (people decide within 24 hours) applies only to referred applications.
"""

from collections.abc import Mapping

from contracts.decision import Outcome, RuleResult, RuleStatus
from contracts.verification import Check, CheckOutcome, VerificationCompleted
from gateway.rules.decide import Verdict

FORM_RULES = tuple(f"R{n}" for n in range(1, 13))
SETTLED_AT = {Check.NIB: ("R3", "R8"), Check.NPWP: ("R4",), Check.NIK: ("R9",)}
_UNANSWERED = frozenset({CheckOutcome.UNAVAILABLE, CheckOutcome.INVALID})


def explain(
    verdict: Verdict, results: Mapping[Check, VerificationCompleted], *, agencies_asked: bool
) -> list[RuleResult]:
    """The status of every rule applied to one submission, in rule order."""
    cited = {reason.rule for reason in verdict.reasons}
    # A referral's reasons say what people must settle, not what failed.
    referred = verdict.outcome is Outcome.REFERRED
    failed = set() if referred else cited
    undecided: set[str] = set(cited) if referred else set()
    for check, rules in SETTLED_AT.items():
        answer = results.get(check)
        if (not agencies_asked and check not in results) or (
            answer is not None and answer.outcome in _UNANSWERED
        ):
            undecided.update(rules)
    if not agencies_asked and verdict.outcome is Outcome.REJECTED:
        undecided.update(rule for rules in SETTLED_AT.values() for rule in rules)
    applied = list(FORM_RULES) + (["R13"] if verdict.outcome is Outcome.REFERRED else [])
    statuses = []
    for rule in applied:
        if rule == "R13" or (rule in undecided and rule not in failed):
            status = RuleStatus.UNDECIDED
        elif rule in failed:
            status = RuleStatus.FAILED
        else:
            status = RuleStatus.PASSED
        statuses.append(RuleResult(rule=rule, status=status))
    return statuses
