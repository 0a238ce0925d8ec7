"""Every decision explains itself: each rule of the catalogue and how it fared.

The rules listed are the catalogue's decision rules (:mod:`contracts.rules`),
so a rule added there appears on every decision. A rule is FAILED when a
rejection reason names it; UNDECIDED when a referral names it (people must
settle it), when the agency that settles it was not asked because the form
already failed, or when that agency gave no usable answer; PASSED otherwise.
R13, the 24-hour promise, is UNDECIDED while an officer must still decide.
"""

from collections.abc import Iterable, Mapping
from functools import lru_cache

from contracts.agencies import SHIPPED, Agencies
from contracts.decision import Outcome, RuleResult, RuleStatus
from contracts.rules import RULES, RuleSpec, decision_rules
from contracts.verification import AgencyAnswer, CheckOutcome
from gateway.rules.assess import Assessment
from gateway.rules.decide import Verdict, accepted_answers

_UNANSWERED = frozenset({CheckOutcome.UNAVAILABLE, CheckOutcome.INVALID})


def explain(
    verdict: Verdict,
    assessment: Assessment,
    answers: Mapping[str, AgencyAnswer],
    agencies: Agencies = SHIPPED,
    catalogue: Iterable[RuleSpec] = RULES,
) -> list[RuleResult]:
    """The status of every decision rule of ``catalogue`` for one submission, in rule order."""
    cited = {reason.rule for reason in verdict.reasons}
    referred = verdict.outcome is Outcome.REFERRED
    failed = set() if referred else cited
    undecided: set[str] = set(cited) if referred else set()
    accepted = accepted_answers(assessment, answers)
    for spec in agencies.specs:
        answer = accepted.get(spec.check)
        if not assessment.form_passed or (
            spec.check in assessment.checks_needed
            and (answer is None or answer.outcome in _UNANSWERED)
        ):
            undecided.update(spec.settles)
    if referred:
        undecided.add("R13")
    statuses = []
    for rule in decision_rules(catalogue):
        if rule.rule in failed:
            status = RuleStatus.FAILED
        elif rule.rule in undecided:
            status = RuleStatus.UNDECIDED
        else:
            status = RuleStatus.PASSED
        statuses.append(_result(rule.rule, status))
    return statuses


@lru_cache(maxsize=256)
def _result(rule: str, status: RuleStatus) -> RuleResult:
    """One rule's line: frozen, so every decision listing it shares one instance."""
    return RuleResult(rule=rule, status=status)
