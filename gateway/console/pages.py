"""What the console's pages show, built from the store: pure functions over stored state.

Why apart from the handlers: the application page recomputes the verdict
with the same :class:`gateway.rules.pipeline.Rulebook` that referred it, so
the rules an officer sees passed and failed are the ones the hub applied, and
this is testable without HTTP.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from contracts import reasons as rc
from contracts.decision import RegistrationDecided, RuleStatus
from contracts.reasons import Reason, ReasonCode
from contracts.registration import RegistrationSubmitted
from contracts.rules import RULES, RuleSpec, Stage
from contracts.verification import AgencyAnswer
from gateway.officer_api import Referral
from gateway.rules.pipeline import SHIPPED_RULES, Rulebook
from gateway.store import PendingApplication


@dataclass(frozen=True)
class RuleLine:
    """One rule of the catalogue as it fared for this application."""

    spec: RuleSpec
    status: RuleStatus


@dataclass(frozen=True)
class AnswerLine:
    """One agency's answer to the question it was asked."""

    check: str
    agency: str
    outcome: str
    detail: str


@dataclass(frozen=True)
class ApplicationPage:
    """Everything the application page shows."""

    submission: RegistrationSubmitted
    referral: Referral | None
    answers: list[AnswerLine]
    rules: list[RuleLine]
    reasons: list[Reason]
    outcome: str
    final: bool
    decision: RegistrationDecided | None = None
    """The final decision as published (who decided, when), once there is one."""


def application_page(
    state: PendingApplication,
    now: datetime,
    final_decision: bytes | None = None,
    rulebook: Rulebook = SHIPPED_RULES,
) -> ApplicationPage:
    """The application as the hub sees it now: answers, rules, clock; once decided, the
    published decision's reasons and rules (an officer's, too), else the verdict recomputed."""
    answers: dict[str, AgencyAnswer] = state.answers(rulebook.agencies)
    decision = RegistrationDecided.model_validate_json(final_decision) if final_decision else None
    if decision is not None:
        reasons, rule_results = decision.reasons, decision.rules
    else:
        verdict = rulebook.decide(state.assessment, answers)
        reasons = verdict.reasons
        rule_results = rulebook.explain(verdict, state.assessment, answers)
    results = {r.rule: r.status for r in rule_results}
    by_rule = {spec.rule: spec for spec in rulebook.catalogue}
    referral = None
    if state.deadline_at is not None and not state.final:
        left = state.deadline_at - now.timestamp()
        referral = Referral(state.submission.submission_id, state.deadline_at, left)
    return ApplicationPage(
        submission=state.submission,
        referral=referral,
        answers=[
            AnswerLine(
                check,
                rulebook.agencies.spec(check).agency,
                answer.outcome.value,
                answer.detail or "",
            )
            for check, answer in sorted(
                answers.items(), key=lambda i: rulebook.agencies.order(i[0])
            )
        ],
        rules=[
            RuleLine(by_rule[rule], status) for rule, status in results.items() if rule in by_rule
        ],
        reasons=reasons,
        outcome=state.last_outcome.value if state.last_outcome else "PENDING",
        final=state.final,
        decision=decision,
    )


def rejection_reasons() -> list[ReasonCode]:
    """The catalogue reasons an officer may cite when rejecting: the decision rules' codes."""
    decision_rules = {s.rule for s in RULES if s.stage is not Stage.ACCOUNT}
    return [
        code
        for code in rc.catalogue().values()
        if code.rule in decision_rules and code.code != rc.OFFICER_DECISION.code
    ]


def clock_text(seconds_left: float) -> str:
    """``5 h 03 m`` left, or how long overdue, for the 24-hour clock."""
    minutes = int(abs(seconds_left)) // 60
    return f"{minutes // 60} h {minutes % 60:02d} m"


def when(epoch: float) -> str:
    """An epoch time as shown: UTC, to the minute."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")
